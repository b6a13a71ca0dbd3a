"""The HTTP findings of the security probe, each reproduced: a lone surrogate (finding 7) and,
from finding 9, rep logins without a throttle, pages without CSP / framing / referrer headers,
a redirect built from the Host header, and any string accepted as a conversation's channel."""

from __future__ import annotations

import copy
import json
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from backend.api.errors import install_error_handlers, refuse_lone_surrogates
from backend.api.middleware import SecurityHeadersMiddleware
from backend.core.config import Settings
from backend.main import create_app, with_socketio
from common import clock
from tests.utils.api import FIELD_REP, REP, SERVICE, SUPERVISOR, queued_conversation, rep_headers
from tests.utils.api import verified_headers

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
LONE = "ab\ud800cd"
PATTERNS = {r"^\s*\d{7}\s*$": "1000001", r"^\d{7}$": "1000001", r"^\d{5}(-\d{4})?$": "92688",
            r"^\d{4}$": "1234", r"^[A-Za-z]{2}$": "CA", "^(en|es)": "en"}
FORMATS = {"date": "2026-12-15", "date-time": "2026-12-15T10:00:00Z", "email": "a@example.com"}


# --- Finding 7: a lone surrogate anywhere in a request is a 422, never a 500 ---------------

def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return _resolve(options[0], spec) if options else schema


def _sample(schema: dict, spec: dict) -> Any:
    """A valid-shaped value for `schema` (right types, patterns and lengths)."""
    schema = _resolve(schema, spec)
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return {k: _sample(v, spec) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema.get("items", {}), spec)]
    if kind in ("integer", "number"):
        return int(schema.get("minimum", 2))
    if kind == "boolean":
        return True
    if schema.get("pattern") in PATTERNS or schema.get("format") in FORMATS:
        return PATTERNS.get(schema.get("pattern")) or FORMATS[schema["format"]]
    return "w" * min(max(schema.get("minLength", 0), 12), schema.get("maxLength", 12))


def _string_paths(value: Any, here: tuple = ()) -> list[tuple]:
    if isinstance(value, str):
        return [here]
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else []
    return [p for k, v in items for p in _string_paths(v, (*here, k))]


def _poisoned(body: Any, path: tuple) -> Any:
    body = copy.deepcopy(body)
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = LONE
    return body


def _url(path: str, cid: str) -> str:
    values = {"account_number": "1000001", "bill_ref": "latest", "zip_code": "92688",
              "day": "2026-12-15", "order_number": "SO-1", "conversation_id": cid,
              "adjustment_id": "1"}
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def _send(client: TestClient, method: str, url: str, headers: dict, body: Any) -> Any:
    # json.dumps escapes the surrogate as \ud800, exactly as the probe sent it.
    return client.request(method, url, content=json.dumps(body).encode(),
                          headers={**headers, "Content-Type": "application/json"})


def _fuzz(client: TestClient) -> int:
    """Every operation with a lone surrogate in each string of a valid-shaped body and in a key
    (a 422 naming that field), and bytes that aren't UTF-8 in the query and the path."""
    spec = client.get(f"{API}/openapi.json").json()
    cid = queued_conversation(client)
    service = verified_headers(client, "1000001")
    rep = rep_headers(client, SUPERVISOR)
    sent = 0
    for path, method, op in [(p, m.upper(), op) for p, ops in spec["paths"].items()
                             for m, op in ops.items()]:
        url = _url(path, cid)
        headers = rep if path.startswith((f"{API}/reps", f"{API}/queue", f"{API}/approvals")) \
            else service
        schema = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        bodies: list[tuple[Any, list]] = []
        if method in ("POST", "PUT", "PATCH"):
            clean = _sample(schema.get("schema", {"type": "object"}), spec)
            bodies = [(_poisoned(clean, p), ["body", *p]) for p in _string_paths(clean)]
            bodies.append(({LONE: LONE}, ["body", "ab\ufffdcd"]))
        for body, loc in bodies:
            r = _send(client, method, url, headers, body)
            sent += 1
            assert r.status_code == 422, (method, path, loc, r.text)
            assert r.json()["detail"][0]["loc"] == loc, r.text
        # Percent-encoded bytes that aren't UTF-8 (a surrogate's UTF-8 form among them).
        for bad in ("%ED%A0%80", "%FF%FE"):
            query = "&".join(f"{p['name']}={bad}" for p in op.get("parameters", [])
                             if p["in"] == "query")
            for target in (f"{url}?{query}", url.replace("1000001", bad).replace(cid, bad)):
                r = client.request(method, target, headers=headers)
                sent += 1
                assert r.status_code < 500, (method, target, r.text)
                r.json()  # the answer is JSON that decodes
    return sent


def test_a_lone_surrogate_is_a_422_naming_the_field_on_every_route(fresh_client):
    assert _fuzz(fresh_client) > 150


def test_fastapis_own_422_no_longer_fails_on_the_input_it_echoes(fresh_client):
    # Without the app-wide guard, the input comes back in the 422, with the surrogate replaced.
    fresh_client.app.dependency_overrides[refuse_lone_surrogates] = lambda: None
    try:
        r = _send(fresh_client, "POST", f"{API}/verify", SERVICE,
                  {"account_number": LONE, "zip": "92688"})
    finally:
        fresh_client.app.dependency_overrides.clear()
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "account_number"]
    assert r.json()["detail"][0]["input"] == "ab\ufffdcd"


def test_unencodable_text_met_while_handling_a_request_is_a_422():
    app = FastAPI()
    install_error_handlers(app)

    class Out(BaseModel):
        text: str

    @app.get("/stored")
    def stored() -> None:
        LONE.encode()  # as a database driver does

    @app.get("/detail")
    def detail() -> None:
        raise HTTPException(404, f"No such thing: {LONE}")

    @app.get("/reply", response_model=Out)
    def reply() -> Out:
        return Out(text=LONE)

    client = TestClient(app)
    for path in ("/stored", "/reply"):
        r = client.get(path)
        assert r.status_code == 422 and "lone surrogate" in r.json()["detail"][0]["msg"]
    r = client.get("/detail")
    assert r.status_code == 404 and r.json()["detail"] == "No such thing: ab\ufffdcd"


def test_valid_shaped_text_that_would_be_stored_is_refused(fresh_client):
    cid = queued_conversation(fresh_client)
    account = verified_headers(fresh_client, "1000001")
    for url, body, headers in [
        (f"{API}/conversations/{cid}/messages", {"text": LONE}, SERVICE),
        (f"{API}/accounts/1000001/notes", {"body": LONE}, account),
        (f"{API}/reps", {"email": "new.rep@smwd.example.com", "name": "New Rep",
                         "password": "a-long-password", "skills": [LONE]},
         rep_headers(fresh_client, SUPERVISOR)),
    ]:
        r = _send(fresh_client, "POST", url, headers, body)
        assert r.status_code == 422, r.text
        assert "lone surrogate" in r.json()["detail"][0]["msg"]
    r = _send(fresh_client, "PATCH", f"{API}/accounts/1000001/contact", account,
              {"mailing_city": LONE})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "mailing_city"]
    # Nothing was stored, and the supervisor's list of reps still reads.
    reps = fresh_client.get(f"{API}/reps", headers=rep_headers(fresh_client, SUPERVISOR))
    assert reps.status_code == 200 and "new.rep@" not in reps.text
    # Raw email is bytes: text in it that isn't UTF-8 is the parser's to cope with.
    raw = (b"From: \xff\xfe <a@example.com>\r\nTo: inbox@smwd.example.com\r\n"
           b"Subject: \xed\xa0\x80\r\n\r\nmy account \xed\xa0\x80 \\ud800\r\n")
    r = fresh_client.post(f"{API}/email/inbound", content=raw,
                          headers={**SERVICE, "Content-Type": "message/rfc822"})
    assert r.status_code < 500, r.text


# --- Finding 9: rep logins throttled per account and per address --------------------------

def login(client: TestClient, email: str, password: str) -> Any:
    return client.post(f"{API}/login/access-token", data={"username": email, "password": password})


def test_after_five_wrong_passwords_the_right_one_is_refused_too(fresh_client):
    # Case doesn't make it another account.
    wrong = [login(fresh_client, REP[0].upper(), f"wrong-{i}") for i in range(5)]
    assert [r.status_code for r in wrong] == [401] * 5
    right = login(fresh_client, *REP)
    assert right.status_code == 429
    assert "Too many failed sign-ins" in right.json()["detail"]
    assert 0 < int(right.headers["Retry-After"]) <= 15 * 60
    # Another rep at the same address signs in; the locked one does once the window has passed.
    assert login(fresh_client, *FIELD_REP).status_code == 200
    with clock.frozen(clock.now() + timedelta(minutes=15, seconds=1)):
        assert login(fresh_client, *REP).status_code == 200


def test_a_success_forgives_the_accounts_failures(fresh_client):
    for _ in range(4):
        login(fresh_client, REP[0], "wrong")
    assert login(fresh_client, *REP).status_code == 200
    assert [login(fresh_client, REP[0], "wrong").status_code for _ in range(5)] == [401] * 5
    assert login(fresh_client, *REP).status_code == 429


def test_twenty_failures_from_one_address_lock_that_address(fresh_client):
    attacker = TestClient(fresh_client.app, client=("203.0.113.9", 40000))
    # Four per address tried: under the per-account limit, so only the address is counted.
    spray = [login(attacker, f"guess{i % 5}@smwd.example.com", "password1") for i in range(20)]
    assert {r.status_code for r in spray} == {401}
    refused = login(attacker, *SUPERVISOR)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # The supervisor, from their own address, is not locked out.
    assert login(fresh_client, *SUPERVISOR).status_code == 200


def test_sign_ins_that_succeed_never_lock_a_busy_offices_address(fresh_client):
    office = TestClient(fresh_client.app, client=("198.51.100.7", 40000))
    # A morning's sign-ins from one address, well past the limit of twenty attempts...
    assert {login(office, *(REP, SUPERVISOR)[i % 2]).status_code for i in range(30)} == {200}
    # ...while its failures still count: twenty are allowed, then the address is locked.
    assert {login(office, f"typo{i}@smwd.example.com", "x").status_code
            for i in range(20)} == {401}
    assert login(office, *REP).status_code == 429


def test_concurrent_attempts_cannot_pass_the_limit(fresh_client):
    for _ in range(3):
        assert login(fresh_client, REP[0], "wrong").status_code == 401
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def attempt() -> None:
        barrier.wait()
        codes.append(login(fresh_client, REP[0], "wrong").status_code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 3 failures + 8 at once: no more than the 2 the limit leaves get their password checked.
    # (Attempts that meet in flight may turn each other away: fewer is allowed, more never.)
    checked = codes.count(401)
    assert checked <= 2 and checked + codes.count(429) == 8, codes
    assert login(fresh_client, *REP).status_code == (429 if 3 + checked == 5 else 200)


# --- Finding 9: CSP, framing, referrer and sniffing headers -------------------------------

def directives(policy: str) -> dict[str, list[str]]:
    parts = [d.split() for d in policy.split(";") if d.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("path", ["/", "/console/"])
def test_pages_carry_a_strict_csp_and_framing_and_referrer_rules(client, path):
    r = client.get(path)
    csp = directives(r.headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    # No inline styles either: the widget adopts a constructed sheet, the console uses the CSSOM.
    assert csp["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert "'unsafe-eval'" not in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_the_api_and_the_docs_get_their_own_policies(client):
    api = client.get(f"{API}/utils/health-check")
    assert directives(api.headers["content-security-policy"]) == {
        "default-src": ["'none'"], "frame-ancestors": ["'none'"]}
    assert api.headers["x-frame-options"] == "DENY"
    docs = directives(client.get("/docs").headers["content-security-policy"])
    # Swagger UI comes from jsDelivr, and only its own package may run there.
    assert "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/" in docs["script-src"]
    assert "https://cdn.jsdelivr.net" not in docs["script-src"]
    # Swagger UI and ReDoc style themselves inline: the docs keep 'unsafe-inline' for that.
    assert "'unsafe-inline'" in docs["style-src"]
    assert docs["frame-ancestors"] == ["'self'"]


def test_frame_ancestors_is_a_setting_for_sites_that_embed(seeded_settings):
    settings = Settings(_env_file=None,  # type: ignore[call-arg]
                        **{**seeded_settings.model_dump(exclude={"database_url"}),
                           "FRAME_ANCESTORS": "'self', https://www.district.example"})
    page = TestClient(create_app(settings)).get("/")
    csp = directives(page.headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'self'", "https://www.district.example"]
    # X-Frame-Options can't name another site, so it is left to frame-ancestors.
    assert "x-frame-options" not in page.headers
    for bad in ("'self'; script-src *", "'none' 'self'", "'unsafe-inline'", '"a.example"', ""):
        with pytest.raises(ValidationError, match="FRAME_ANCESTORS"):
            Settings(_env_file=None, FRAME_ANCESTORS=bad)  # type: ignore[call-arg]


# --- Finding 9: no redirect built from the Host header ------------------------------------

@pytest.mark.parametrize("host", ["evil.example", "evil.example:8443", "evil.example/x?"])
def test_redirects_are_relative_whatever_host_is_sent(client, host):
    for path, target in (("/console", "/console/"),
                         (f"{API}/utils/health-check/", f"{API}/utils/health-check")):
        r = client.get(path, headers={"Host": host}, follow_redirects=False)
        assert r.status_code in (307, 308) and r.headers["location"] == target, r.headers


def test_a_relative_redirect_cannot_become_another_site():
    def bounce(request: Request) -> RedirectResponse:
        return RedirectResponse(f"http://{request.headers['host']}//evil.example/x")

    app = SecurityHeadersMiddleware(Starlette(routes=[Route("/", bounce)]),
                                    frame_ancestors="'self'")
    r = TestClient(app).get("/", follow_redirects=False)
    assert r.headers["location"] == "/evil.example/x"


# --- Finding 9: a conversation's channel is a known value ---------------------------------

@pytest.mark.parametrize("channel", ["bogus", "email", "web", "", "REST", "rest" * 10])
def test_the_api_opens_only_rest_conversations(client, channel):
    r = client.post(f"{API}/conversations", headers=SERVICE, params={"channel": channel})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "channel"]


def test_a_rest_conversation_still_opens(client):
    for params in ({}, {"channel": "rest"}):
        r = client.post(f"{API}/conversations", headers=SERVICE, params=params)
        assert r.status_code == 201 and r.json()["channel"] == "rest"


# --- The widget and the console work under the policy (a real browser) --------------------

@pytest.fixture
def served(seeded_settings):  # type: ignore[no-untyped-def]
    import uvicorn

    from tests.utils.stack import free_port

    subprocess.run([str(ROOT / "scripts" / "build-web")], cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(with_socketio(create_app(seeded_settings)),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# Every violation, from the page and from inside the widget's shadow root (the event is composed),
# reported to the test as it happens, so none is lost when the page navigates.
WATCH_CSP = """document.addEventListener('securitypolicyviolation',
    e => window.reportCsp(`${location.pathname}: ${e.violatedDirective} ${e.blockedURI} ${e.sample}`));"""
# The widget's stylesheet: adopted, with no <style> element; and it is applied.
WIDGET_STYLES = """e => ({adopted: e.shadowRoot.adoptedStyleSheets.length,
                       elements: e.shadowRoot.querySelectorAll('style').length,
                       radius: getComputedStyle(e.shadowRoot.querySelector('.launcher')).borderRadius,
                       panel: getComputedStyle(e.shadowRoot.querySelector('.panel')).position})"""


@pytest.mark.browser
def test_the_widget_and_the_console_run_without_csp_violations(served):
    import httpx
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            violations: list[str] = []
            page.expose_function("reportCsp", lambda v: violations.append(v))
            page.add_init_script(WATCH_CSP)
            logged: list[str] = []
            page.on("console", lambda m: logged.append(m.text))
            response = page.goto(f"{served}/")
            assert response is not None
            assert directives(response.headers["content-security-policy"])["style-src"] == \
                ["'self'"]
            chat = page.locator("waterdesk-chat")
            chat.locator(".launcher").click()
            expect(chat.locator(".panel")).to_be_visible()
            # Two lines grow the composer (its height is set through element.style).
            chat.locator("textarea").fill("hello\nmy bill is high")
            page.keyboard.press("Enter")
            # Acknowledged over the socket: styles applied, scripts ran, the connection allowed.
            expect(chat.locator("li.msg.customer:not(.pending)")).to_have_count(1)
            styles = chat.evaluate(WIDGET_STYLES)
            assert styles["adopted"] >= 1 and styles["elements"] == 0, styles
            assert styles["radius"] == "50%" and styles["panel"] != "static", styles
            assert violations == [], violations

            # A queued conversation, so the supervisor's bars have a width to show.
            with httpx.Client(base_url=served, timeout=30) as api:
                queued_conversation(api)
            page.goto(f"{served}/console/")
            page.fill("#username", SUPERVISOR[0])
            page.fill("#password", SUPERVISOR[1])
            page.keyboard.press("Enter")
            expect(page.locator(".supervisor .bars")).to_be_visible()
            # Once a count shows, its bar's width (set through element.style) has taken effect.
            page.wait_for_function("""() => [...document.querySelectorAll('.supervisor .bars strong')]
                                        .some(n => n.textContent !== '0')""")
            assert violations == [], violations
            widths = page.locator(".supervisor .bar").evaluate_all(
                "bars => bars.map(b => [b.style.width, b.offsetWidth])")
            assert any(w == "100%" and px > 0 for w, px in widths), widths
            # A conversation opened in a tab: its transcript and handoff render under the policy.
            page.locator(".queue-list .entry").first.click()
            expect(page.locator(".conv-head")).to_be_visible()
            assert violations == [], violations
            assert not [m for m in logged if "Content Security Policy" in m], logged
        finally:
            browser.close()


@pytest.mark.browser
def test_the_widget_falls_back_to_a_style_element_without_constructable_stylesheets(served):
    """Browsers that can't construct stylesheets (Safari before 16.4) get a <style> element,
    which applies where the host page's policy allows inline styles."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            page.add_init_script("delete CSSStyleSheet.prototype.replaceSync;")

            def without_csp(route: Any) -> None:
                r = route.fetch()
                route.fulfill(response=r, headers={k: v for k, v in r.headers.items()
                                                   if k != "content-security-policy"})

            page.route(f"{served}/", without_csp)
            page.goto(f"{served}/")
            styles = page.locator("waterdesk-chat").evaluate(WIDGET_STYLES)
            assert styles["adopted"] == 0 and styles["elements"] == 1, styles
            assert styles["radius"] == "50%", styles
        finally:
            browser.close()
