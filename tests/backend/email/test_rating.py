"""The rating email (backend/email/rating.py through the hub's Mailer): an email conversation a
rep resolves gets one email in its thread and language with five signed links; a link's page
rates nothing until its form is sent. After a bot task the email waits a little, so it comes
after the bot's answer."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote, urlsplit

from sqlmodel import Session, select

from backend.email.rating import AFTER_BOT_TASK
from backend.models.common import utcnow
from backend.models.conversations import Conversation
from backend.models.email import EmailThread, OutboxEmail
from backend.models.ratings import Rating
from tests.utils.api import rep_headers
from tests.utils.db import TEST_SERVICE_TOKEN
from tests.utils.mail import mail

AUTH = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}", "Content-Type": "message/rfc822"}
CUSTOMER = "cliente.rating@example.org"
# Its own address in the bot-task test: mail an earlier test left in the shared outbox may
# still be going out to CUSTOMER.
TASK_CUSTOMER = "cliente.tarea@example.org"


def _email_conversation(inbox, relay) -> tuple[str, str]:
    """An email conversation (queued: the bot is down here) and its first email's Message-ID."""
    first = mail("Necesito hablar con alguien sobre mi factura, por favor.", sender=CUSTOMER,
                 subject="Mi factura")
    r = inbox.post("/api/v1/email/inbound", content=first.as_bytes(), headers=AUTH)
    assert r.status_code == 202, r.text
    relay.sent_to(CUSTOMER)  # the acknowledgement
    return r.json()["conversation_id"], first["Message-ID"]


def test_a_resolved_email_conversation_gets_one_rating_email_in_its_thread(inbox, relay):
    cid, first_id = _email_conversation(inbox, relay)
    rep = rep_headers(inbox)
    assert inbox.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    assert inbox.post(f"/api/v1/queue/{cid}/resolve", headers=rep).status_code == 200
    sent = relay.sent_to(CUSTOMER, count=2)
    [asked] = [m for m in sent if "Califique" in m.get_body(("plain",)).get_content()]
    with Session(inbox.app.state.engine) as session:
        thread = session.exec(select(EmailThread).where(EmailThread.conversation_id == cid)).one()
        assert session.get(Conversation, cid).language == "es"
    assert asked["In-Reply-To"] == first_id and first_id in asked["References"]
    assert asked["Reply-To"] == f"inbox+{thread.token}@smwd.example.com"
    assert asked["Subject"] == "Re: Mi factura" and asked["Auto-Submitted"] == "auto-replied"
    text = asked.get_body(("plain",)).get_content()
    links = re.findall(r"(\d) – [^:]+: (\S+)", text)
    assert [n for n, _ in links] == ["5", "4", "3", "2", "1"]
    assert "Excelente" in text and "No se registra nada hasta que pulse Enviar" in text

    # A scanner (or the customer) opening every link stores nothing.
    for n, url in links:
        parts = urlsplit(url)
        page = inbox.get(f"{parts.path}?{parts.query}")
        assert page.status_code == 200 and f'value="{n}" required checked' in page.text
    with Session(inbox.app.state.engine) as session:
        assert session.exec(select(Rating).where(Rating.conversation_id == cid)).first() is None
    token = re.search(r"token=([^&]+)", links[1][1]).group(1)
    r = inbox.post(urlsplit(links[1][1]).path,
                   data={"token": unquote(token), "score": "4", "comment": "Muy amable"})
    assert r.status_code == 201 and "Gracias" in r.text
    with Session(inbox.app.state.engine) as session:
        rating = session.exec(select(Rating).where(Rating.conversation_id == cid)).one()
    assert (rating.score, rating.channel, rating.language, rating.person_involved,
            rating.trigger) == (4, "email", "es", True, "resolved")
    # Asked once: nothing more is queued for it.
    with Session(inbox.app.state.engine) as session:
        kinds = [o.kind for o in session.exec(select(OutboxEmail).where(
            OutboxEmail.conversation_id == cid)).all()]
    assert kinds.count("rating") == 1


def test_after_a_bot_task_the_rating_email_follows_the_answer(inbox, relay, monkeypatch):
    async def send(*, conversation_id: str, text: str, metadata: dict) -> list[dict]:
        return [{"recipient_id": conversation_id, "text": "Your balance is $0."},
                {"recipient_id": conversation_id, "custom": {"task_done": "action_check_balance"}},
                {"recipient_id": conversation_id,
                 "custom": {"nlu": {"intent": "check_balance", "confidence": 0.97}}}]

    monkeypatch.setattr(inbox.app.state.hub.bridge, "send", send)
    first = mail("How much do I owe?", sender=TASK_CUSTOMER, subject="Balance")
    r = inbox.post("/api/v1/email/inbound", content=first.as_bytes(), headers=AUTH)
    assert r.status_code == 202, r.text
    cid = r.json()["conversation_id"]
    [answer] = relay.sent_to(TASK_CUSTOMER)
    body = answer.get_body(("plain",)).get_content()
    assert "Your balance is $0." in body and "rate" not in body.lower()
    with Session(inbox.app.state.engine) as session:
        [rating_mail] = session.exec(select(OutboxEmail).where(
            OutboxEmail.conversation_id == cid, OutboxEmail.kind == "rating")).all()
    assert rating_mail.status == "pending"
    assert rating_mail.next_attempt_at >= utcnow() + AFTER_BOT_TASK - timedelta(seconds=10)
