"""The leak alert's signed chat link, attacked: forged, altered, expired, for another account,
replayed into another conversation, and looked for where it must never be (stored messages,
audit details, logs). The backend runs in-process (uvicorn on a thread) on SQLite and
PostgreSQL, with a fake Rasa that answers at once and keeps the metadata the hub sent it."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from sqlmodel import Session, SQLModel, col, select

from backend.core.config import Settings
from backend.core.links import create_chat_token
from backend.core.security import ChannelFacts, create_channel_token
from backend.main import create_app
from backend.models.audit import AuditLog
from backend.models.conversations import Conversation
from common import clock
from common.channel import peek
from tests.security.test_socketio import serving
from tests.utils.api import SERVICE
from tests.utils.chat import Customer, run
from tests.utils.db import make_test_settings, prepare, throwaway_database

REPLY = "Noted."
ACCOUNT, OTHER = "1000002", "1000003"


class MetadataRasa(ThreadingHTTPServer):
    """Rasa's REST channel answering at once; `bodies` is what the hub sent it."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def channel_token(self, conversation_id: str) -> str:
        return [b for b in self.bodies
                if b["sender"] == conversation_id][-1]["metadata"]["channel_token"]


class _Handler(BaseHTTPRequestHandler):
    server: MetadataRasa

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.bodies.append(body)
        out = json.dumps([{"recipient_id": body["sender"], "text": REPLY}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Backend:
    url: str
    rasa: MetadataRasa
    settings: Settings
    engine: Any

    def db(self) -> Session:
        return Session(self.engine)

    def conversation(self, conversation_id: str) -> Conversation:
        with self.db() as session:
            found = session.get(Conversation, conversation_id)
            assert found is not None
            return found

    def verify(self, **body: Any) -> httpx.Response:
        return httpx.post(f"{self.url}/api/v1/verify", headers=SERVICE, json=body, timeout=30)


@pytest.fixture(scope="module")
def backend(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    tmp = tmp_path_factory.mktemp(f"signed-link-{db_kind}")
    rasa = MetadataRasa()
    threading.Thread(target=rasa.serve_forever, daemon=True).start()
    try:
        with throwaway_database(db_kind, tmp) as url:
            settings = make_test_settings(database_url=url, data_dir=tmp).model_copy(
                update={"RASA_URL": rasa.url})
            prepare(settings, n_accounts=5)
            app = create_app(settings)
            with serving(app) as base:
                yield Backend(url=base, rasa=rasa, settings=settings, engine=app.state.engine)
    finally:
        rasa.shutdown()
        rasa.server_close()


class LinkCustomer(Customer):
    """The widget opened by a leak alert's link: it presents the token when it starts."""

    async def open_with(self, token: Any, **resume: Any) -> str:
        await self.sio.connect(self.url, transports=["websocket"], namespaces=["/"])
        await self.sio.emit("session_request", {"session_id": None, **resume, "chat_link": token})
        self.session_id = await self.wait_for("session_confirm", timeout=20)
        state = await self.wait_for("session_state", timeout=20)
        self.secret = state.get("session_secret")
        return self.session_id  # type: ignore[return-value]


def link_for(settings: Settings, account: str = ACCOUNT, **kw: Any) -> str:
    return create_chat_token(settings=settings, account_number=account, ref="alert-1", **kw)


def opened(backend: Backend, token: Any, *, say: str | None = "hello",
           **resume: Any) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """Open a conversation with `token`, say something: (its id, what the customer got, the
    session_state)."""
    async def scenario() -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        customer = LinkCustomer(backend.url)
        cid = await customer.open_with(token, **resume)
        await customer.wait_for("bot_uttered", lambda m: m["metadata"]["seq"] == 1)
        if say:
            assert (await customer.say(say, client_id="c1"))["ok"]
            await customer.wait_for("bot_uttered", lambda m: m["text"] == REPLY)
        await asyncio.sleep(0.2)
        await customer.disconnect()
        return cid, customer.events["bot_uttered"], customer.events["session_state"][0]
    return run(scenario())


# --- opening the chat ------------------------------------------------------------------------

def test_a_valid_link_opens_a_new_conversation_bound_to_its_account(backend: Backend) -> None:
    cid, said, state = opened(backend, link_for(backend.settings))
    greeting = said[0]
    assert greeting["metadata"]["sender"] == "bot"
    assert "ending in 0002" in greeting["text"] or "termina en 0002" in greeting["text"]
    assert ACCOUNT not in greeting["text"]  # the last 4 digits only
    stored = backend.conversation(cid)
    assert stored.verified_account == ACCOUNT
    assert state["language"] == stored.language
    # Each bot turn carries the account in the channel facts the hub signs.
    assert peek(backend.rasa.channel_token(cid))["link"] == ACCOUNT


def test_a_link_never_resumes_or_reveals_the_conversation_the_browser_had(
        backend: Backend) -> None:
    async def scenario() -> tuple[str, str, list[Any], list[Any]]:
        owner = Customer(backend.url)
        old = await owner.connect()
        assert (await owner.say("my old question", client_id="o1"))["ok"]
        secret = owner.secret
        await owner.disconnect()
        linked = LinkCustomer(backend.url)
        new = await linked.open_with(link_for(backend.settings), session_id=old,
                                     session_secret=secret, last_seq=0)
        await linked.wait_for("bot_uttered")
        await asyncio.sleep(0.3)
        await linked.disconnect()
        return old, new, linked.events["customer_uttered"], linked.events["bot_uttered"]

    old, new, customer_said, bot_said = run(scenario())
    assert new != old
    assert customer_said == [] and [m["metadata"]["seq"] for m in bot_said] == [1]
    assert backend.conversation(old).verified_account is None


@pytest.mark.parametrize("bad", ["forged", "altered", "expired", "other_key", "no_account",
                                 "channel_token", "junk", "not_text"])
def test_a_bad_link_opens_the_chat_unverified_with_a_note(backend: Backend, bad: str) -> None:
    settings = backend.settings
    good = link_for(settings)
    header, body, signature = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    with clock.frozen("2026-11-20T17:00:00Z"):
        expired = link_for(settings, days=7)
    token = {
        "forged": jwt.encode({**claims, "sub": OTHER}, "someone-elses-key-0123456789abcdef",
                             algorithm="HS256"),
        "altered": ".".join([header, jwt.encode({**claims, "sub": OTHER}, "k" * 32,
                                                algorithm="HS256").split(".")[1], signature]),
        "expired": expired,
        "other_key": create_chat_token(
            settings=settings.model_copy(update={"SECRET_KEY": "x" * 40}),
            account_number=ACCOUNT, ref="r"),
        "no_account": link_for(settings, account="9999999"),
        "channel_token": create_channel_token(
            settings=settings, facts=ChannelFacts(conversation_id="c" * 32, channel="web",
                                                  link_account=ACCOUNT)),
        "junk": "not-a-token\u2028",
        "not_text": {"sub": ACCOUNT},
    }[bad]
    cid, said, state = opened(backend, token)
    note = said[0]
    assert note["metadata"]["sender"] == "system"
    assert "expired" in note["text"] or "venció" in note["text"]
    # Nothing of any account reached the customer, and the bot is told of none.
    # (Less the conversation's own random id and secret, where "0002" may turn up by chance.)
    randoms = {"session_id", "session_secret"}
    everything = json.dumps([said, {k: v for k, v in state.items() if k not in randoms}])
    for secret_ish in (ACCOUNT, OTHER, "0002", "0003", "James"):
        assert not re.search(rf"\b{secret_ish}\b", everything), secret_ish
    stored = backend.conversation(cid)
    assert stored.verified_account is None and stored.link_account is None
    assert "link" not in peek(backend.rasa.channel_token(cid))


# --- POST /verify with method signed_link --------------------------------------------------------

def test_the_bot_verifies_with_the_hubs_channel_token_and_it_is_audited(
        backend: Backend) -> None:
    cid, _, _ = opened(backend, link_for(backend.settings))
    channel_token = backend.rasa.channel_token(cid)
    r = backend.verify(account_number=ACCOUNT, method="signed_link",
                       channel_token=channel_token, conversation_id=cid)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verified"] is True and body["account_number"] == ACCOUNT
    assert body["verification_token"]
    account = httpx.get(f"{backend.url}/api/v1/accounts/{ACCOUNT}", timeout=30,
                        headers={**SERVICE, "X-Verification-Token": body["verification_token"]})
    assert account.status_code == 200
    with backend.db() as session:
        audit = session.exec(select(AuditLog).where(
            AuditLog.action == "customer_verified", AuditLog.entity_id == ACCOUNT)
            .order_by(col(AuditLog.id).desc())).first()
    assert audit is not None and audit.detail == {"method": "signed_link"}


def test_a_link_for_one_account_cant_verify_another(backend: Backend) -> None:
    cid, _, _ = opened(backend, link_for(backend.settings))
    r = backend.verify(account_number=OTHER, method="signed_link",
                       channel_token=backend.rasa.channel_token(cid), conversation_id=cid)
    assert r.status_code == 422 and "verification_token" not in r.text


def test_a_channel_token_replayed_into_another_conversation_is_refused(
        backend: Backend) -> None:
    cid, _, _ = opened(backend, link_for(backend.settings))
    other, _, _ = opened(backend, "expired-or-whatever")
    channel_token = backend.rasa.channel_token(cid)
    for conversation_id in (other, None, "f" * 32):
        r = backend.verify(account_number=ACCOUNT, method="signed_link",
                           channel_token=channel_token, conversation_id=conversation_id)
        assert r.status_code == 422, conversation_id
    assert backend.conversation(other).verified_account is None


def test_only_a_hub_signed_channel_token_with_the_link_counts(backend: Backend) -> None:
    cid, _, _ = opened(backend, link_for(backend.settings))
    settings = backend.settings
    facts = ChannelFacts(conversation_id=cid, channel="web", link_account=ACCOUNT)
    forged = create_channel_token(
        settings=settings.model_copy(update={"SECRET_KEY": "y" * 40}), facts=facts)
    without_link = create_channel_token(settings=settings, facts=ChannelFacts(
        conversation_id=cid, channel="web"))
    for token in (forged, without_link, link_for(settings),
                  backend.rasa.channel_token(cid)[:-3] + "AAA"):
        r = backend.verify(account_number=ACCOUNT, method="signed_link", channel_token=token,
                           conversation_id=cid)
        assert r.status_code == 422
    r = backend.verify(account_number=ACCOUNT, method="signed_link", conversation_id=cid)
    assert r.status_code == 422  # no channel token at all


# --- where the token must never be ------------------------------------------------------------

def test_the_link_token_is_never_stored_or_logged(backend: Backend,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    token = link_for(backend.settings, account=ACCOUNT)
    expired_token = "x" + token[1:]
    with caplog.at_level(logging.DEBUG):
        cid, _, _ = opened(backend, token)
        backend.verify(account_number=ACCOUNT, method="signed_link",
                       channel_token=backend.rasa.channel_token(cid), conversation_id=cid)
        opened(backend, expired_token)
    assert token not in caplog.text and expired_token not in caplog.text
    # Every row of every table, messages and audit details included, is searched.
    signature = token.split(".")[2]
    with backend.db() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                text = json.dumps([str(v) for v in row])
                assert signature not in text, table.name
                assert expired_token.split(".")[2] not in text, table.name
        stored = backend.conversation(cid)
        assert stored.link_account == ACCOUNT
        audits = session.exec(select(AuditLog)).all()
        assert all(signature not in json.dumps(a.detail) for a in audits)
    # Neither is it passed on to the bot.
    assert all(signature not in json.dumps(b["metadata"]) for b in backend.rasa.bodies)
