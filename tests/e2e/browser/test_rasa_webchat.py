"""The public rasa-webchat widget, as another website embeds it, holds a conversation with the hub.

The npm package rasa-webchat 1.0.1 (pinned in widget/package.json, installed by
scripts/build-web, never part of our bundle) is served with a page from the partner site,
http://localhost:<port>, while the backend is http://127.0.0.1:<port>: another origin, which the
shared stack allows in WIDGET_ORIGINS as a district lists its sites (tests/conftest.py). The page
is what docs/widget.md tells an integrator to write. Real backend, action server and Rasa."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.browser.conftest import ROOT
from tests.utils.stack import SERVICE_TOKEN

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(600)]
VERSION = "1.0.1"
PACKAGE = ROOT / "widget" / "node_modules" / "rasa-webchat"
BOT_WAIT = 60_000  # ms: the first replies wait for Rasa and the action server
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A partner of the district</title></head>
<body><h1>Pay your water bill with us</h1>
<script src="/js/rasa-webchat.js"></script>
<script>
  WebChat.default({
    socketUrl: "SERVER",
    socketPath: "/socket.io/",
    customData: { language: "en" },
    title: "Water district",
  }, null);
</script>
</body></html>"""


@pytest.fixture(scope="module")
def webchat_bundle(web: str) -> bytes:
    """rasa-webchat's own UMD build (React included), from the modules scripts/build-web
    installed (the `web` fixture ran it)."""
    pinned = json.loads((ROOT / "widget" / "package.json").read_text())["devDependencies"]
    assert pinned.get("rasa-webchat") == VERSION, "pin rasa-webchat exactly in widget/package.json"
    bundle = PACKAGE / "lib" / "index.js"
    if not bundle.is_file():
        pytest.fail(f"{bundle} is missing: run scripts/build-web (it links widget/node_modules)",
                    pytrace=False)
    assert json.loads((PACKAGE / "package.json").read_text())["version"] == VERSION
    return bundle.read_bytes()


@pytest.fixture(scope="module")
def partner_page(web: str, partner_site: str, webchat_bundle: bytes) -> Iterator[str]:
    """The partner's page with rasa-webchat pointed at the hub, served at partner_site."""
    files = {"/": (PAGE.replace("SERVER", web).encode(), "text/html; charset=utf-8"),
             "/js/rasa-webchat.js": (webchat_bundle, "text/javascript")}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body, kind = files.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in files else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", urlsplit(partner_site).port or 80), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{partner_site}/"
    server.shutdown()
    server.server_close()


def test_rasa_webchat_on_another_site_chats_with_the_hub(web, partner_page, new_page):
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(partner_page)
    assert page.evaluate("location.origin") != web  # a third-party page, not the hub's

    # The launcher shows once the hub confirmed the session (hideWhenNotConnected).
    page.locator(".rw-launcher").click()
    composer = page.locator(".rw-new-message")
    composer.fill("what are your office hours")
    composer.press("Enter")
    expect(page.locator(".rw-client").last).to_have_text("what are your office hours")
    expect(page.locator(".rw-response", has_text="7:30")).to_be_visible(timeout=BOT_WAIT)

    # The greeting's buttons arrive as quick replies; a click sends the button's payload.
    composer.fill("hi")
    composer.press("Enter")
    balance = page.locator(".rw-replies .rw-reply", has_text="My balance")
    expect(balance).to_be_visible(timeout=BOT_WAIT)
    balance.click()
    expect(page.locator(".rw-client").last).to_have_text("My balance")
    expect(page.locator(".rw-response", has_text="account number")).to_be_visible(
        timeout=BOT_WAIT)
    expect(balance).to_have_count(0)  # a chosen quick reply goes away

    # The hub stored the conversation rasa-webchat holds, in order.
    session_id = page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
    stored = httpx.get(f"{web}/api/v1/conversations/{session_id}", timeout=10,
                       headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}).json()
    said = [m["text"] for m in stored["messages"] if m["sender"] == "customer"]
    assert said == ["what are your office hours", "hi", "/check_balance"]
    assert errors == []
