"""Email end to end: real SMTP into the backend's inbox, the real bot, the reply on a real relay."""

from __future__ import annotations

import email
import smtplib
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from email.utils import make_msgid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine
from sqlmodel import Session, select

from backend.models.email import InboundEmail
from tests.utils.stack import free_port, start_stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
INBOX = "inbox@smwd.example.com"
JAMES = "james.carter@example.com"  # on file for account 1000002 (backend/seed/fixed.py)


class Relay:
    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.received.append(email.message_from_bytes(envelope.original_content,
                                                      policy=default))  # type: ignore[arg-type]
        return "250 OK"

    def replies_to(self, message_id: str, *, wait: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            found = [m for m in self.received if m["In-Reply-To"] == message_id]
            if found:
                time.sleep(1.5)  # anything more would come right behind it
                return [m for m in self.received if m["In-Reply-To"] == message_id]
            time.sleep(0.1)
        return []


@pytest.fixture(scope="module")
def mail_stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    tmp = tmp_path_factory.mktemp("email-stack")
    listen = free_port()
    env = {"SMTP_LISTEN_PORT": str(listen), "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(controller.port), "OUTBOX_INTERVAL": "0.5"}
    try:
        with start_stack(tmp, model=model, extra_env=env) as stack:
            yield stack, relay, listen, tmp
    finally:
        controller.stop()


def send(mail_stack: tuple, text: str, *, sender: str = JAMES, subject: str = "Question",
         **headers: str) -> EmailMessage:
    _, _, listen, _ = mail_stack
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, INBOX, subject
    msg["Message-ID"] = make_msgid(domain="example.com")
    for k, v in headers.items():
        msg[k.replace("_", "-")] = v
    msg.set_content(text)
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
    msg = send(mail_stack, "how much do I owe? my account is 1000002", subject="My bill")
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
