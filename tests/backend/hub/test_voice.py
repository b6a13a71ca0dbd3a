"""backend/hub/voice.py through the hub: the customer is asked for a rating once per
conversation, after a rep resolves it or the bot finishes a task; the bot's control messages
(intent, task done) are read and never stored or shown; an email conversation is asked through
the Mailer."""

from __future__ import annotations

from functools import partial

import pytest

from sqlmodel import Session, col, select

from backend.crud.ratings import REQUEST_KEY
from backend.hub import events
from backend.models.conversations import Conversation, Message
from backend.models.email import OutboxEmail
from tests.utils.api import SERVICE, queued_conversation, rep_headers


@pytest.fixture
def shared_client(client):
    """The session's app: these tests only add conversations of their own."""
    return client


def _call(client, fn, /, **kw):
    return client.portal.call(partial(fn, **kw))


def _messages(client, cid: str) -> list[Message]:
    with Session(client.app.state.engine) as session:
        return list(session.exec(select(Message).where(Message.conversation_id == cid)
                                 .order_by(col(Message.seq))).all())


def _requests(client, cid: str) -> list[Message]:
    return [m for m in _messages(client, cid) if REQUEST_KEY in (m.payload or {})]


def test_resolving_asks_once(fresh_client):
    client = fresh_client
    cid = queued_conversation(client, "I need help", language="es")
    rep = rep_headers(client)
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    assert client.post(f"/api/v1/queue/{cid}/resolve", headers=rep).status_code == 200
    [request] = _requests(client, cid)
    assert request.sender == "system" and request.payload[REQUEST_KEY] == {"trigger": "resolved"}
    assert "Cómo lo hicimos" in request.text  # the conversation's language
    # The widget sees it under bot_uttered's metadata (rasa-webchat still shows the text).
    shown = events.bot_uttered(request)
    assert set(shown) == {"text", "metadata"}
    assert shown["metadata"]["rating_request"] == {"trigger": "resolved"}
    # After the closing notice, and once only: another trigger asks nothing.
    assert _messages(client, cid)[-1].id == request.id
    assert _call(client, client.app.state.hub.ask_rating, conversation_id=cid,
                 trigger="bot_task") is None
    assert len(_requests(client, cid)) == 1
    with Session(client.app.state.engine) as session:
        assert session.get(Conversation, cid).rating_requested_at is not None


def _fake_bot(monkeypatch, client, answers: list[list[dict]]) -> None:
    async def send(*, conversation_id: str, text: str, metadata: dict) -> list[dict]:
        return answers.pop(0)

    monkeypatch.setattr(client.app.state.hub.bridge, "send", send)


def _nlu(intent: str, confidence: float = 0.9) -> dict:
    return {"custom": {"nlu": {"intent": intent, "confidence": confidence}}}


def test_a_finished_task_asks_once_and_every_reading_is_kept(shared_client, monkeypatch):
    client = shared_client
    _fake_bot(monkeypatch, client, [
        [{"recipient_id": "x", "text": "Updated: phone."},
         {"recipient_id": "x", "custom": {"task_done": "action_update_contact"}},
         _nlu("update_contact")],
        [{"recipient_id": "x", "text": "Sorry, I didn't get that."}, _nlu("nlu_fallback", 0.3)],
        [{"recipient_id": "x", "text": "Your balance is $0."},
         {"recipient_id": "x", "custom": {"task_done": "action_check_balance"}},
         _nlu("check_balance")],
    ])
    cid = client.post("/api/v1/conversations", headers=SERVICE).json()["id"]
    first = client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                        json={"text": "change my phone to 949 555 0100"}).json()
    # The answer holds the bot's reply only: no control message, no rating prompt.
    assert [r["text"] for r in first["replies"]] == ["Updated: phone."]
    for text in ("blorp", "what's my balance"):
        assert client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                           json={"text": text}).status_code == 200
    stored = _messages(client, cid)
    assert [(m.sender, m.text) for m in stored] == [
        ("customer", "change my phone to 949 555 0100"), ("bot", "Updated: phone."),
        ("system", stored[2].text),  # the rating request, after the answer
        ("customer", "blorp"), ("bot", "Sorry, I didn't get that."),
        ("customer", "what's my balance"), ("bot", "Your balance is $0.")]
    assert stored[2].payload == {REQUEST_KEY: {"trigger": "bot_task"}}
    assert [m.intent for m in stored if m.sender == "customer"] == [
        "update_contact", "nlu_fallback", "check_balance"]
    assert all(m.intent is None for m in stored if m.sender != "customer")
    assert not any("task_done" in str(m.payload) or "nlu" in (m.payload or {}).get("custom", {})
                   for m in stored)


def test_the_request_is_in_the_language_the_bot_just_answered_in(shared_client, monkeypatch):
    client = shared_client
    _fake_bot(monkeypatch, client, [
        [{"recipient_id": "x", "text": "Su saldo es de $84.12, con vencimiento el 17 de diciembre."},
         {"recipient_id": "x", "custom": {"task_done": "action_check_balance"}},
         _nlu("check_balance")],
    ])
    # Opened in English; the customer wrote in Spanish and the bot answered in Spanish.
    cid = client.post("/api/v1/conversations", headers=SERVICE).json()["id"]
    assert client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                       json={"text": "cuanto debo"}).status_code == 200
    [request] = _requests(client, cid)
    assert request.text.startswith("¿Cómo lo hicimos?")


def test_a_handoff_turn_asks_nothing(shared_client, monkeypatch):
    client = shared_client
    _fake_bot(monkeypatch, client, [[
        {"recipient_id": "x", "text": "Connecting you."},
        {"recipient_id": "x", "custom": {"handoff": {"reason_code": "request",
                                                     "priority": "request"}}},
        _nlu("request_human", 0.99)]])
    cid = client.post("/api/v1/conversations", headers=SERVICE).json()["id"]
    assert client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                       json={"text": "a person please"}).json()["status"] == "queued"
    assert _requests(client, cid) == []
    assert _messages(client, cid)[0].intent == "request_human"


class FakeMailer:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []

    def queue_rating_request(self, *, session, conversation, trigger) -> bool:
        self.asked.append((conversation.id, conversation.channel, trigger))
        return True

    def wake(self) -> None:
        pass


def test_an_email_conversation_is_asked_through_the_mailer_once(shared_client):
    client = shared_client
    hub = client.app.state.hub
    before = hub.mailer
    mailer = FakeMailer()
    hub.register_mailer(mailer)
    try:
        conversation = _call(client, hub.open_conversation, channel="email", language="en")
        assert _call(client, hub.ask_rating, conversation_id=conversation.id,
                     trigger="resolved") is not None
        assert _call(client, hub.ask_rating, conversation_id=conversation.id,
                     trigger="bot_task") is None
        web = _call(client, hub.open_conversation, channel="rest")
        assert _call(client, hub.ask_rating, conversation_id=web.id, trigger="resolved")
    finally:
        hub.register_mailer(before)
    assert mailer.asked == [(conversation.id, "email", "resolved")]  # the web one isn't mailed


def test_without_an_email_channel_an_email_conversation_waits_to_be_asked(shared_client):
    client = shared_client
    hub = client.app.state.hub
    before = hub.mailer
    hub.register_mailer(None)
    try:
        conversation = _call(client, hub.open_conversation, channel="email")
        assert _call(client, hub.ask_rating, conversation_id=conversation.id,
                     trigger="resolved") is None
    finally:
        hub.register_mailer(before)
    with Session(client.app.state.engine) as session:
        assert session.get(Conversation, conversation.id).rating_requested_at is None
        assert session.exec(select(OutboxEmail).where(
            OutboxEmail.conversation_id == conversation.id)).first() is None
