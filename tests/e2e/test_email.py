"""Email end to end: real SMTP into the backend's inbox, the real bot, the reply on a real relay."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import httpx
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from backend.models.email import InboundEmail
from tests.utils.mail import JAMES, Relay, authenticated, mail
from tests.utils.stack import Stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


@pytest.fixture(scope="module")
def mail_stack(stack: Stack, relay: Relay) -> tuple:
    return stack, relay, stack.smtp_port, stack.logs


def send(mail_stack: tuple, text: str, *, sender: str = JAMES, subject: str = "Question",
         **headers: str) -> EmailMessage:
    _, _, listen, _ = mail_stack
    msg = mail(text, sender=sender, subject=subject, **headers)
    with smtplib.SMTP("127.0.0.1", listen, timeout=90) as smtp:
        smtp.send_message(msg)
    return msg


def body(reply: EmailMessage) -> str:
    return reply.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def conversation_of(mail_stack: tuple, message_id: str) -> str | None:
    engine = create_engine(f"sqlite:///{mail_stack[3] / 'waterdesk.sqlite3'}")
    try:
        with Session(engine) as session:
            row = session.exec(select(InboundEmail).where(
                InboundEmail.message_id == message_id)).first()
            return row.conversation_id if row else None
    finally:
        engine.dispose()


def test_sender_on_file_with_the_account_number_gets_the_balance_in_one_email(mail_stack):
    msg = send(mail_stack, "how much do I owe? my account is 1000002", subject="My bill",
               Authentication_Results=authenticated())
    [reply] = mail_stack[1].replies_to(msg["Message-ID"])
    assert "$312.40" in body(reply), body(reply)
    assert reply["Subject"] == "Re: My bill" and reply["Reply-To"].startswith("inbox+")
    assert reply.get_body(("html",)) is not None


def test_an_unknown_sender_is_asked_to_verify_and_learns_nothing(mail_stack):
    msg = send(mail_stack, "how much do I owe? my account is 1000002",
               sender="stranger@example.net")
    [reply] = mail_stack[1].replies_to(msg["Message-ID"])
    text = body(reply)
    assert "$312.40" not in text and "ZIP" in text, text


def test_an_auto_reply_is_not_answered(mail_stack):
    msg = send(mail_stack, "I am out of the office.", subject="Automatic reply: Re: My bill",
               Auto_Submitted="auto-replied")
    assert mail_stack[1].replies_to(msg["Message-ID"], wait=8) == []


def test_a_reply_in_the_thread_joins_the_same_conversation(mail_stack):
    first = send(mail_stack, "What are your office hours?", subject="Office")
    [reply] = mail_stack[1].replies_to(first["Message-ID"])
    again = send(mail_stack, "Thanks. Where is your office?", subject="Re: Office",
                 In_Reply_To=reply["Message-ID"],
                 References=f"{first['Message-ID']} {reply['Message-ID']}")
    [second] = mail_stack[1].replies_to(again["Message-ID"])
    assert conversation_of(mail_stack, again["Message-ID"]) == conversation_of(
        mail_stack, first["Message-ID"])
    assert second["References"].split()[:1] == [first["Message-ID"]]


def test_a_spanish_email_gets_a_spanish_reply(mail_stack):
    msg = send(mail_stack, "Hola, ¿cuál es el horario de atención de la oficina?",
               sender="jose.pena@example.com", subject="Horario")
    [reply] = mail_stack[1].replies_to(msg["Message-ID"])
    assert body(reply).startswith("Hola:"), body(reply)
    assert "Gracias," in body(reply)


def test_an_escalated_email_gets_a_reps_answer_by_email(mail_stack):
    stack, relay = mail_stack[0], mail_stack[1]
    msg = send(mail_stack, "I need to speak with a person about my account please",
               sender="ana.rivera@example.org", subject="Help")
    [ack] = relay.replies_to(msg["Message-ID"])
    assert "representative" in body(ack).lower(), body(ack)
    cid = conversation_of(mail_stack, msg["Message-ID"])
    login = httpx.post(f"{stack.backend}/api/v1/login/access-token",
                       data={"username": "rep@smwd.example.com", "password": "rep-demo-password"})
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    entry = httpx.get(f"{stack.backend}/api/v1/queue/{cid}", headers=auth).json()
    assert entry["channel"] == "email" and entry["status"] == "queued"
    assert httpx.post(f"{stack.backend}/api/v1/queue/{cid}/claim", headers=auth).status_code == 200
    r = httpx.post(f"{stack.backend}/api/v1/queue/{cid}/messages", headers=auth,
                   json={"text": "Hello Ana, this is Maria. What can I do for you?"})
    assert r.status_code == 201
    mails = relay.sent_to("ana.rivera@example.org", count=2)
    assert len(mails) == 2 and "this is Maria" in body(mails[-1])
    assert mails[-1]["In-Reply-To"] == ack["Message-ID"] or mails[-1]["References"]
