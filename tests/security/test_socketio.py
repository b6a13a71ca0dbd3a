"""The security probe's Socket.IO findings, reproduced: a conversation id used as a bearer secret
(replay, posting, transcripts to any address), no chat rate limit, a lone surrogate answered with
silence, any Origin reflected with credentials, and the rep token accepted in the URL.

The backend runs in-process (uvicorn on a thread) on SQLite and PostgreSQL, with a fake Rasa
that answers at once and counts what reached it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
import uvicorn
from fastapi import FastAPI
from sqlmodel import Session, col, func, select

from backend.core.config import Settings
from backend.crud.accounts import get_bundle
from backend.hub.limits import Limiter, Limits
from backend.main import create_app, with_socketio
from backend.models.conversations import Conversation, Message
from backend.models.email import OutboxEmail
from tests.utils.api import REP, SERVICE
from tests.utils.chat import Customer, run
from tests.utils.db import make_test_settings, prepare, throwaway_database
from tests.utils.stack import free_port

REPLY = "Noted."


class FakeRasa(ThreadingHTTPServer):
    """Rasa's REST channel, answering every message at once; `texts` is what reached it."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RasaHandler)
        self.texts: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RasaHandler(BaseHTTPRequestHandler):
    server: FakeRasa

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.texts.append(body["message"])
        out = json.dumps([{"recipient_id": body["sender"], "text": REPLY}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: Any) -> None:
        pass


class Clock:
    """The limits' clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app behind Socket.IO under uvicorn on a thread (it trusts X-Forwarded-For from
    127.0.0.1, as by default, so a test can be a client at another address)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(with_socketio(app), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the backend did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Backend:
    url: str
    app: FastAPI
    rasa: FakeRasa
    settings: Settings
    clock: Clock

    @property
    def customers(self) -> Any:
        return self.app.state.sio.namespace_handlers["/"]

    def db(self) -> Session:
        return Session(self.app.state.engine)

    def messages(self, conversation_id: str) -> list[Message]:
        with self.db() as session:
            return list(session.exec(select(Message).where(
                Message.conversation_id == conversation_id).order_by(col(Message.seq))).all())

    def verify(self, conversation_id: str, account_number: str) -> None:
        """What the bot's handoff records: the conversation's customer is verified."""
        with self.db() as session:
            conversation = session.get(Conversation, conversation_id)
            assert conversation is not None
            conversation.verified_account = account_number
            session.add(conversation)
            session.commit()

    def transcripts_to(self, address: str) -> int:
        with self.db() as session:
            return session.exec(select(func.count()).where(
                OutboxEmail.kind == "transcript",
                func.lower(col(OutboxEmail.to_address)) == address.lower())).one()


@pytest.fixture(scope="module")
def served(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    tmp = tmp_path_factory.mktemp(f"socketio-{db_kind}")
    rasa = FakeRasa()
    threading.Thread(target=rasa.serve_forever, daemon=True).start()
    try:
        with throwaway_database(db_kind, tmp) as url:
            settings = make_test_settings(database_url=url, data_dir=tmp).model_copy(
                update={"RASA_URL": rasa.url})
            prepare(settings, n_accounts=5)
            app = create_app(settings)
            with serving(app) as base:
                yield Backend(url=base, app=app, rasa=rasa, settings=settings, clock=Clock())
    finally:
        rasa.shutdown()
        rasa.server_close()


@pytest.fixture
def backend(served: Backend) -> Backend:
    """Fresh limits on a hand-moved clock for every test."""
    served.customers.limits = Limits(clock=served.clock)
    return served


def address(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.net"


async def refused(client: socketio.AsyncClient, url: str, **connect: Any) -> None:
    """`client` may not connect; its HTTP session is closed after (engineio leaves it open)."""
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(url, transports=["websocket"], wait_timeout=10, **connect)
    finally:
        await client.disconnect()
        if client.eio.http is not None and not client.eio.http.closed:
            await client.eio.http.close()


def errors(customer: Customer, code: str) -> list[dict[str, Any]]:
    return [e for e in customer.events["error"] if e.get("code") == code]


# --- finding 8: the id alone is not enough ----------------------------------------------------

def test_replay_needs_the_reconnect_secret_not_just_the_id(backend: Backend) -> None:
    async def scenario() -> tuple[str, str]:
        owner = Customer(backend.url)
        cid = await owner.connect()
        secret = owner.secret
        assert secret and len(secret) >= 43 and secret != cid
        assert (await owner.say("my account is 1000002", client_id="o1"))["ok"]
        await owner.wait_for("bot_uttered", lambda m: m["text"] == REPLY)
        backend.verify(cid, "1000002")

        # Someone who learnt the id (no secret, a made-up one, a near miss) gets a conversation
        # of their own and nothing of the owner's.
        for guess in (None, "x" * 43, secret[:-1] + ("A" if secret[-1] != "A" else "B")):
            thief = Customer(backend.url)
            got = await thief.connect(session_id=cid, last_seq=0, secret=guess)
            assert got != cid
            state = thief.events["session_state"][0]
            assert state["session_id"] == got and state["last_seq"] == 0
            assert state["session_secret"] not in (secret, guess)
            await asyncio.sleep(0.3)
            assert thief.events["customer_uttered"] == thief.events["bot_uttered"] == []
            await thief.disconnect()

        # The owner, with the secret, rejoins and gets the replay; the secret is not sent again.
        again = Customer(backend.url)
        assert await again.connect(session_id=cid, last_seq=0, secret=secret) == cid
        await again.wait_for("customer_uttered", lambda m: m["text"] == "my account is 1000002")
        await again.wait_for("bot_uttered", lambda m: m["text"] == REPLY)
        assert "session_secret" not in again.events["session_state"][0]
        await again.disconnect()
        await owner.disconnect()
        return cid, secret

    cid, secret = run(scenario())
    # Only a hash is stored, and the API never shows it.
    with backend.db() as session:
        stored = session.get(Conversation, cid)
        assert stored is not None
        assert stored.reconnect_secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    body = httpx.get(f"{backend.url}/api/v1/conversations/{cid}", headers=SERVICE).text
    assert secret not in body and "reconnect_secret" not in body


def test_nobody_posts_into_someone_elses_conversation_by_its_id(backend: Backend) -> None:
    async def scenario() -> None:
        owner = Customer(backend.url)
        cid = await owner.connect()
        await owner.say("hello", client_id="o1")

        # Before any session the socket has no conversation, whatever id the event names.
        raw = socketio.AsyncClient(reconnection=False)
        await raw.connect(backend.url, transports=["websocket"])
        nack = await raw.call("user_uttered", {"message": "refund to me", "session_id": cid},
                              timeout=10)
        assert nack["error"] == "unknown_session"
        await raw.disconnect()

        # Asking for the owner's id without the secret opens the thief's own conversation, and
        # that is where anything sent lands.
        thief = Customer(backend.url)
        own = await thief.connect(session_id=cid)
        ack = await thief.sio.call("user_uttered", {"message": "send the refund to me",
                                                    "session_id": cid, "client_id": "t1"},
                                   timeout=30)
        assert ack["ok"] and ack["seq"] == 1
        await asyncio.sleep(0.3)
        assert [m["text"] for m in owner.events["customer_uttered"]] == ["hello"]
        assert "send the refund to me" not in [m.text for m in backend.messages(cid)]
        assert "send the refund to me" in [m.text for m in backend.messages(own)]
        await thief.disconnect()
        await owner.disconnect()

    run(scenario())


def test_a_transcript_goes_only_to_the_customers_own_address_and_not_too_often(
        backend: Backend) -> None:
    outsider, home = address("outsider"), address("home")

    async def scenario() -> None:
        c = Customer(backend.url)
        await c.connect()
        # The probe mailed 20 transcripts to an outside address.
        for _ in range(20):
            r = await c.sio.call("email_transcript", {"email": outsider}, timeout=10)
            assert r["ok"] is False and r["error"] == "transcript_address"
            assert "email address on your account" in r["message"]
        assert len(errors(c, "transcript_address")) == 20

        # The address the customer leaves counts, once per conversation.
        assert (await c.sio.call("leave_email", {"email": home}, timeout=10))["ok"]
        taken = await c.sio.call("leave_email", {"email": outsider}, timeout=10)
        assert taken["error"] == "email_taken"
        assert (await c.sio.call("leave_email", {"email": home.upper()}, timeout=10))["ok"]
        assert (await c.sio.call("email_transcript", {"email": outsider}, timeout=10))["error"] \
            == "transcript_address"
        # At most three times per conversation.
        sent = [await c.sio.call("email_transcript", {"email": home}, timeout=10)
                for _ in range(4)]
        assert [r["ok"] for r in sent] == [True, True, True, False]
        assert sent[3]["error"] == "transcript_limit" and "download" in sent[3]["message"]
        await c.disconnect()

        # A verified customer's email on file counts too.
        v = Customer(backend.url)
        vid = await v.connect(language="es")
        backend.verify(vid, "1000002")
        with backend.db() as session:
            bundle = get_bundle(session=session, account_number="1000002")
            assert bundle is not None and bundle.customer.email
            on_file = bundle.customer.email
        assert (await v.sio.call("email_transcript", {"email": on_file}, timeout=10))["ok"]
        refused = await v.sio.call("email_transcript", {"email": outsider}, timeout=10)
        assert refused["error"] == "transcript_address" and "correo de su cuenta" in \
            refused["message"]  # in the conversation's language
        await v.disconnect()

    run(scenario())
    assert backend.transcripts_to(outsider) == 0
    assert backend.transcripts_to(home) == 3


def test_transcripts_are_limited_per_address_and_per_client_address_per_hour(
        backend: Backend) -> None:
    shared = address("shared")

    async def scenario() -> None:
        # Five an hour to one address, however many conversations ask.
        asks = []
        for _ in range(2):
            c = Customer(backend.url)
            await c.connect()
            assert (await c.sio.call("leave_email", {"email": shared}, timeout=10))["ok"]
            asks += [await c.sio.call("email_transcript", {"email": shared}, timeout=10)
                     for _ in range(3)]
            await c.disconnect()
        assert [r["ok"] for r in asks] == [True] * 5 + [False]
        assert asks[5]["error"] == "transcript_limit"

        # Five an hour from one client address, each conversation with an address of its own.
        ip = {"X-Forwarded-For": "203.0.113.9"}
        results = []
        for _ in range(2):
            c = Customer(backend.url)
            await c.connect(headers=ip)
            mine = address("mine")
            assert (await c.sio.call("leave_email", {"email": mine}, timeout=10))["ok"]
            results += [await c.sio.call("email_transcript", {"email": mine}, timeout=10)
                        for _ in range(3)]
            await c.disconnect()
        assert [r["ok"] for r in results] == [True] * 5 + [False]
        assert results[5]["error"] == "transcript_limit" and results[5]["retry_after"] > 60

    run(scenario())
    assert backend.transcripts_to(shared) == 5


# --- finding 9: chat messages are rate-limited, and nothing is lost ---------------------------

def test_a_flood_is_refused_with_a_clear_reply_and_every_message_is_kept_once(
        backend: Backend) -> None:
    async def scenario() -> str:
        c = Customer(backend.url)
        cid = await c.connect()
        texts = [f"flood {i}" for i in range(25)]

        async def send(i: int) -> dict[str, Any]:
            return await c.sio.call("user_uttered", {"message": texts[i], "session_id": cid,
                                                     "client_id": f"f{i}"}, timeout=30)

        replies = await asyncio.gather(*(send(i) for i in range(25)))
        refused = [i for i, r in enumerate(replies) if not r["ok"]]
        assert len(refused) == 15  # a burst of 10, then one every two seconds
        for i in refused:
            assert replies[i]["error"] == "rate_limited" and replies[i]["retry_after"] >= 1
            assert "faster than we can read" in replies[i]["message"]
        events = errors(c, "rate_limited")
        assert sorted(e["client_id"] for e in events) == sorted(f"f{i}" for i in refused)
        reached = [t for t in backend.rasa.texts if t.startswith("flood ")]
        assert len(reached) == 10

        # The widget keeps refused messages in its outbox and sends them again when allowed.
        while refused:
            backend.clock.advance(60)
            again = await asyncio.gather(*(send(i) for i in refused))
            refused = [i for i, r in zip(refused, again, strict=True) if not r["ok"]]
        await c.disconnect()
        return cid

    cid = run(scenario())
    stored = [m.text for m in backend.messages(cid) if m.sender == "customer"]
    assert sorted(stored) == sorted(f"flood {i}" for i in range(25))  # each once, none lost


def test_two_hundred_messages_in_two_seconds_no_longer_all_reach_the_bot(
        backend: Backend) -> None:
    backend.customers.limits = Limits()  # the real clock

    async def scenario() -> list[dict[str, Any]]:
        c = Customer(backend.url)
        cid = await c.connect()
        replies = await asyncio.gather(*(c.sio.call(
            "user_uttered", {"message": f"spam {i}", "session_id": cid, "client_id": f"s{i}"},
            timeout=60) for i in range(200)))
        await c.disconnect()
        return replies

    before = len(backend.rasa.texts)
    replies = run(scenario())
    accepted = sum(1 for r in replies if r["ok"])
    assert 10 <= accepted <= 12
    assert len(backend.rasa.texts) - before == accepted


def test_the_limit_is_also_per_client_address_and_speaks_the_customers_language(
        backend: Backend) -> None:
    backend.customers.limits.chat_per_ip = Limiter(burst=3, per_second=0.01)

    async def scenario() -> None:
        ip = {"X-Forwarded-For": "198.51.100.4"}
        first, second = Customer(backend.url), Customer(backend.url)
        await first.connect(headers=ip)
        await second.connect(headers=ip, language="es")
        assert (await first.say("uno", client_id="a1"))["ok"]
        assert (await first.say("dos", client_id="a2"))["ok"]
        assert (await second.say("tres", client_id="b1"))["ok"]
        refused = await second.say("cuatro", client_id="b2")  # its own bucket is still full
        assert refused["error"] == "rate_limited"
        assert refused["message"].startswith("Está enviando mensajes más rápido")
        # Another address is not held up.
        other = Customer(backend.url)
        await other.connect(headers={"X-Forwarded-For": "198.51.100.5"})
        assert (await other.say("hola", client_id="c1"))["ok"]
        for c in (first, second, other):
            await c.disconnect()

    run(scenario())


# --- finding 7: bad text gets an answer -------------------------------------------------------

def test_a_lone_surrogate_or_other_bad_input_gets_an_error_not_silence(
        backend: Backend) -> None:
    async def scenario() -> str:
        c = Customer(backend.url)
        cid = await c.connect()
        for bad in ({"message": "\ud800"}, {"message": "hi \udfff there", "client_id": "s1"},
                    {"message": "hello", "client_id": "\ud800"}, {"message": "nul\x00byte"}):
            r = await c.sio.call("user_uttered", bad, timeout=10)  # before: no answer at all
            assert r["ok"] is False and r["error"] == "bad_request", bad
            assert "characters we can't read" in r["message"]
        assert len(errors(c, "bad_request")) == 4
        assert errors(c, "bad_request")[1]["client_id"] == "s1"
        for event in ("leave_email", "email_transcript"):
            r = await c.sio.call(event, {"email": "a\ud800@example.net"}, timeout=10)
            assert r["error"] == "bad_email"
        extra = await c.sio.call("user_uttered", ("one", "two"), timeout=10)
        assert extra["error"] == "bad_request" and "one argument" in extra["message"]
        await c.sio.emit("typing", {"typing": "\ud800"})
        # A bad session request opens a new conversation rather than failing.
        seen = len(c.events["session_confirm"])
        await c.sio.emit("session_request", {"session_id": "\ud800", "session_secret": "\ud800",
                                             "language": "\ud800", "last_seq": "\ud800"})
        fresh = await c.wait_for("session_confirm", after=seen, timeout=10)
        assert fresh != cid
        ok = await c.sio.call("user_uttered", {"message": "still here", "client_id": "k1"},
                              timeout=30)
        assert ok["ok"] is True
        await c.disconnect()
        return cid

    cid = run(scenario())
    assert backend.messages(cid) == []  # nothing unreadable was stored


def test_rep_events_with_bad_input_get_an_error(backend: Backend, rep_token: str) -> None:
    async def scenario() -> None:
        rep = socketio.AsyncClient(reconnection=False)
        got: list[Any] = []
        rep.on("error", got.append, namespace="/rep")
        await rep.connect(backend.url, transports=["websocket"], namespaces=["/rep"],
                          auth={"token": rep_token})
        for bad in ({"conversation_id": "\ud800"}, {"conversation_id": 7}, "x", None):
            r = await rep.call("watch", bad, namespace="/rep", timeout=10)
            assert r["ok"] is False and r["error"] == "bad_request"
        missing = await rep.call("watch", {"conversation_id": "0" * 32}, namespace="/rep",
                                 timeout=10)
        assert missing["error"] == "not_found"
        await rep.emit("typing", {"conversation_id": "\ud800", "typing": True}, namespace="/rep")
        await rep.emit("unwatch", {"conversation_id": "\ud800"}, namespace="/rep")
        assert (await rep.call("watch", ("a", "b"), namespace="/rep", timeout=10))["error"] \
            == "bad_request"
        assert len(got) == 6
        await rep.disconnect()

    run(scenario())


# --- finding 9: origins, and the rep token in the URL -----------------------------------------

def handshake(base: str, origin: str | None) -> httpx.Response:
    return httpx.get(f"{base}/socket.io/?EIO=4&transport=polling",
                     headers={"Origin": origin} if origin else {}, timeout=10)


def test_the_handshake_never_reflects_an_origin_it_does_not_allow(backend: Backend) -> None:
    evil = handshake(backend.url, "https://evil.example")
    assert evil.status_code == 400
    assert "access-control-allow-origin" not in evil.headers
    own = handshake(backend.url, backend.url)  # the widget on the district's own site
    assert own.status_code == 200
    assert own.headers["access-control-allow-origin"] == backend.url
    assert "access-control-allow-credentials" not in own.headers
    assert handshake(backend.url, None).status_code == 200  # not a browser: no Origin to check

    async def scenario() -> None:
        await refused(socketio.AsyncClient(reconnection=False), backend.url,
                      headers={"Origin": "https://evil.example"})

    run(scenario())


@pytest.mark.parametrize("setting", ["https://shop.example, https://Other.example/", "*"])
def test_widget_origins_lists_other_sites_and_star_means_any_without_credentials(
        backend: Backend, setting: str) -> None:
    settings = backend.settings.model_copy(update={"WIDGET_ORIGINS": setting})
    with serving(create_app(settings)) as base:
        for origin in ("https://shop.example", "https://other.example", base):
            r = handshake(base, origin)
            assert r.status_code == 200 and r.headers["access-control-allow-origin"] == origin
            assert "access-control-allow-credentials" not in r.headers
        evil = handshake(base, "https://evil.example")
        if setting == "*":
            assert evil.status_code == 200 and "access-control-allow-credentials" not in \
                evil.headers
        else:
            assert evil.status_code == 400 and "access-control-allow-origin" not in evil.headers


@pytest.fixture(scope="module")
def rep_token(served: Backend) -> str:
    r = httpx.post(f"{served.url}/api/v1/login/access-token",
                   data={"username": REP[0], "password": REP[1]}, timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


def test_the_rep_token_is_accepted_only_in_the_auth_payload(backend: Backend,
                                                            rep_token: str) -> None:
    async def scenario() -> None:
        await refused(socketio.AsyncClient(reconnection=False), f"{backend.url}/?token={rep_token}",
                      namespaces=["/rep"])
        in_auth = socketio.AsyncClient(reconnection=False)
        queue: list[Any] = []
        in_auth.on("queue", queue.append, namespace="/rep")
        await in_auth.connect(backend.url, transports=["websocket"], namespaces=["/rep"],
                              auth={"token": rep_token}, wait_timeout=10)
        for _ in range(50):
            if queue:
                break
            await asyncio.sleep(0.1)
        assert queue and "entries" in queue[0]
        await in_auth.disconnect()

    run(scenario())


def test_the_console_sends_its_token_in_the_auth_payload() -> None:
    app = Path(__file__).resolve().parents[2] / "widget" / "src" / "console" / "app.js"
    source = app.read_text()
    assert 'auth: { token: auth.token }' in source and "?token=" not in source
