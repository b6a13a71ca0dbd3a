"""Mail in through the real SMTP listener and the webhook, replies out through a real relay.

The bot is down here (nothing listens at RASA_URL), so the hub hands every new conversation to
a person: the customer gets the acknowledgement email. tests/e2e/test_email.py has the bot.
"""

from __future__ import annotations

import email
import smtplib
import time
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from sqlmodel import Session, select

from backend.core.security import ChannelFacts, create_channel_token
from backend.email.outbound import queue_rep_reply, queue_transcript
from backend.models.conversations import Conversation
from backend.models.email import EmailAttachment, EmailThread, InboundEmail, OutboxEmail
from tests.backend.email.conftest import SAMPLES
from tests.utils.db import TEST_SERVICE_TOKEN
from tests.utils.mail import INBOX, mail

AUTH = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}


def smtp_send(client, msg: EmailMessage | bytes, *, sender: str = "james.carter@example.com",
              to: str = INBOX) -> None:
    s = client.app.state.settings
    with smtplib.SMTP(s.SMTP_LISTEN_HOST, s.SMTP_LISTEN_PORT, timeout=30) as smtp:
        raw = msg.as_bytes(policy=SMTP) if isinstance(msg, EmailMessage) else msg
        smtp.sendmail(sender, [to], raw)


def post(client, raw: bytes):
    return client.post("/api/v1/email/inbound", content=raw,
                       headers={**AUTH, "Content-Type": "message/rfc822"})


def rows(client, model, **where):
    with Session(client.app.state.engine) as session:
        q = select(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return list(session.exec(q).all())


def test_smtp_message_gets_one_threaded_acknowledgement(inbox, relay):
    msg = mail("How much do I owe? My account is 1000002.")
    smtp_send(inbox, msg)
    [reply] = relay.wait_for(1)
    [stored] = rows(inbox, InboundEmail, message_id=msg["Message-ID"])
    assert stored.status == "answered" and stored.source == "smtp" and stored.raw
    [thread] = rows(inbox, EmailThread, conversation_id=stored.conversation_id)
    assert reply["To"] == "james.carter@example.com"
    assert reply["Subject"] == "Re: My bill"
    assert reply["In-Reply-To"] == msg["Message-ID"]
    assert msg["Message-ID"] in reply["References"]
    assert reply["Reply-To"] == f"inbox+{thread.token}@smwd.example.com"
    assert reply["Auto-Submitted"] == "auto-replied" and reply["X-WaterDesk-Loop"]
    assert reply["Message-ID"].endswith("@smwd.example.com>")
    plain = reply.get_body(("plain",)).get_content()
    html = reply.get_body(("html",)).get_content()
    assert "A representative will reply to this email" in plain and "representative" in html
    assert plain.startswith("Hello,")
    [conversation] = rows(inbox, Conversation, id=stored.conversation_id)
    assert conversation.channel == "email" and conversation.status == "queued"
    assert relay.received[0][0] == INBOX  # the envelope sender: bounces come back to us


def test_spanish_mail_gets_a_spanish_acknowledgement(inbox, relay):
    smtp_send(inbox, mail("Hola, ¿cuánto debo de mi factura de agua?", sender="jose@example.com",
                          subject="Factura"), sender="jose@example.com")
    [reply] = relay.wait_for(1)
    plain = reply.get_body(("plain",)).get_content()
    assert plain.startswith("Hola:") and "Un representante le responderá" in plain


def test_replies_thread_by_token_and_by_message_id_for_the_same_sender_only(inbox, relay):
    first = mail("Is there an outage on my street?")
    r1 = post(inbox, first.as_bytes())
    assert r1.status_code == 202, r1.text
    conversation_id = r1.json()["conversation_id"]
    [reply] = relay.wait_for(1)
    by_token = mail("Also, my meter is leaking.", to=reply["Reply-To"], subject="Re: My bill")
    assert post(inbox, by_token.as_bytes()).json()["conversation_id"] == conversation_id
    by_reference = mail("Any news?", In_Reply_To=reply["Message-ID"],
                        References=f"{first['Message-ID']} {reply['Message-ID']}")
    assert post(inbox, by_reference.as_bytes()).json()["conversation_id"] == conversation_id
    # Someone the customer forwarded our mail to starts a conversation of their own.
    stranger = mail("What's their balance?", sender="someone@else.example.com",
                    In_Reply_To=reply["Message-ID"], to=reply["Reply-To"])
    assert post(inbox, stranger.as_bytes()).json()["conversation_id"] != conversation_id


@pytest.mark.parametrize("name", ["autoreply.eml", "bounce.eml"])
def test_auto_replies_and_bounces_are_stored_and_never_answered(inbox, relay, name):
    raw = (SAMPLES / name).read_bytes()
    message_id = email.message_from_bytes(raw)["Message-ID"]
    # The database is the module's: an earlier test's acknowledgement may still be on its way,
    # so only what answers this message counts.
    before = {row.id for row in rows(inbox, OutboxEmail)}
    r = post(inbox, raw)
    assert r.status_code == 202 and r.json()["status"] == "auto" and r.json()["reason"]
    time.sleep(0.5)
    answers = [m for _, _, m in relay.received
               if email.message_from_bytes(m)["In-Reply-To"] == message_id]
    assert answers == [] and [row for row in rows(inbox, OutboxEmail)
                              if row.id not in before] == []


def test_our_own_mail_coming_back_is_not_answered(inbox, relay):
    smtp_send(inbox, mail("hello"))
    [reply] = relay.wait_for(1)
    looped = reply.as_bytes().replace(b"To: james.carter@example.com", b"To: " + INBOX.encode())
    assert post(inbox, looped).json()["status"] == "auto"
    time.sleep(0.5)
    assert len(relay.received) == 1


def test_a_repeated_message_id_is_answered_once(inbox, relay):
    msg = mail("Please call me.")
    assert post(inbox, msg.as_bytes()).json()["status"] == "answered"
    assert post(inbox, msg.as_bytes()).json()["status"] == "duplicate"
    relay.wait_for(1)
    time.sleep(0.5)
    assert len(relay.received) == 1


def test_too_large_missing_from_and_garbage_get_clear_errors(inbox, relay):
    big = mail("x" * 300_000).as_bytes()
    with pytest.raises(smtplib.SMTPException) as err:
        smtp_send(inbox, big)
    assert "552" in str(err.value)
    assert post(inbox, big).status_code == 413
    no_from = (SAMPLES / "no_from.eml").read_bytes()
    with pytest.raises(smtplib.SMTPDataError) as err:
        smtp_send(inbox, no_from)
    assert err.value.smtp_code == 550 and b"From" in err.value.smtp_error
    r = post(inbox, no_from)
    assert r.status_code == 422 and "From" in r.json()["detail"]
    assert post(inbox, b"not a mail").status_code == 422
    assert inbox.post("/api/v1/email/inbound", content=b"x", headers={
        **AUTH, "Content-Type": "application/json"}).status_code == 415
    assert inbox.post("/api/v1/email/inbound", content=b"x").status_code == 401
    # Rejected mail is still stored, and the listener keeps serving.
    assert rows(inbox, InboundEmail, status="rejected")
    smtp_send(inbox, mail("still there?"))
    relay.wait_for(1)


def test_attachments_are_kept_and_card_numbers_never_stored(inbox, relay):
    r = post(inbox, (SAMPLES / "attachment.eml").read_bytes())
    [att] = rows(inbox, EmailAttachment, inbound_id=r.json()["id"])
    assert att.filename == "lectura medidorñ.pdf" and att.size == len(att.data) == 1033
    msg = mail("Charge my card 4111 1111 1111 1111 please")
    r = post(inbox, msg.as_bytes())
    [stored] = rows(inbox, InboundEmail, id=r.json()["id"])
    assert "4111 1111 1111 1111" not in stored.text and "1111" in stored.text
    assert stored.raw is None or b"4111 1111 1111 1111" not in stored.raw
    with Session(inbox.app.state.engine) as session:
        from backend.hub.conversations import transcript

        texts = [m.text for m in transcript(session=session, conversation_id=stored.conversation_id)]
    assert not any("4111 1111 1111 1111" in t for t in texts)


def test_rep_reply_and_transcript_go_out_by_email(inbox, relay):
    msg = mail("I need a person.")
    conversation_id = post(inbox, msg.as_bytes()).json()["conversation_id"]
    [ack] = relay.wait_for(1)
    settings = inbox.app.state.settings
    with Session(inbox.app.state.engine) as session:
        conversation = session.get(Conversation, conversation_id)
        queue_rep_reply(session=session, conversation=conversation, text="Hi James, done.",
                        rep_name="Dana", settings=settings)
        queue_transcript(session=session, conversation=conversation,
                         to_address="james.carter@example.com", settings=settings)
    inbox.app.state.email_outbox.wake.set()
    _, rep, transcript = relay.wait_for(3)
    assert rep["In-Reply-To"] == msg["Message-ID"] and rep["Subject"] == "Re: My bill"
    assert rep["Reply-To"] == ack["Reply-To"] and rep["Auto-Submitted"] is None
    assert "Hi James, done." in rep.get_body(("plain",)).get_content()
    assert "Dana" in rep.get_body(("plain",)).get_content()
    assert "I need a person." in transcript.get_body(("plain",)).get_content()


def test_verify_accepts_the_sender_the_hub_vouches_for_as_a_factor(inbox):
    settings = inbox.app.state.settings

    def token(email: str | None, conversation: str = "c-email-1") -> str:
        return create_channel_token(settings=settings, facts=ChannelFacts(
            conversation_id=conversation, channel="email", email=email))

    def verify(channel_token: str, conversation: str = "c-email-1"):
        return inbox.post("/api/v1/verify", headers=AUTH, json={
            "account_number": "1000002", "channel_token": channel_token,
            "conversation_id": conversation})

    ok = verify(token("James.Carter@example.com"))
    assert ok.status_code == 200 and ok.json()["verified"] is True
    wrong = verify(token("someone@else.example.com"))
    assert wrong.status_code == 200 and wrong.json()["verified"] is False
    # Facts signed for another conversation, unsigned claims, or no sender: refused.
    assert verify(token("james.carter@example.com", "c-other")).status_code == 422
    assert verify(token("james.carter@example.com") + "x").status_code == 422
    assert verify(token(None)).status_code == 422
    assert inbox.post("/api/v1/verify", headers=AUTH, json={
        "account_number": "1000002", "email": "james.carter@example.com"}).status_code == 422


def test_the_webhook_takes_email_larger_than_the_api_body_limit(email_db, relay):
    from fastapi.testclient import TestClient

    from backend.main import create_app
    from tests.backend.email.conftest import email_settings

    settings = email_settings(email_db, relay_port=relay.port, MAX_BODY_BYTES=50_000,
                              SMTP_LISTEN_PORT=0)
    with TestClient(create_app(settings)) as client:
        # 120 KB of mail passes on the email path; the same size elsewhere is refused.
        assert post(client, mail("y" * 120_000).as_bytes()).status_code == 202
        r = client.post("/api/v1/verify", headers=AUTH, content=b"{" + b" " * 120_000 + b"}")
        assert r.status_code == 413
