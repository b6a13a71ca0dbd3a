"""The bot's answer by email: a greeting by name once verified, choices as sentences, plain
paragraphs, and an acknowledgement that says when a person will answer."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import date, datetime
from email.message import EmailMessage
from email.policy import default
from email.utils import make_msgid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from backend.core.config import Settings
from backend.core.db import make_engine
from backend.crud.accounts import greeting_name
from backend.email.outbound import queue_bot_reply
from backend.email.threading import new_token
from backend.models import Account, Customer
from backend.models.common import AccountType, utcnow
from backend.models.conversations import Conversation, MessagePublic, Sender
from backend.models.email import EmailThread, InboundEmail
from tests.utils.mail import INBOX, JAMES

LA = ZoneInfo("America/Los_Angeles")
YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
SI_NO = [{"title": "Sí", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
MENU = [{"title": "Pay my bill", "payload": "/pay"}, {"title": "Start service",
                                                        "payload": "/start"}]


@pytest.fixture(scope="module")
def engine(email_db: Settings) -> Iterator[Engine]:
    eng = make_engine(email_db)
    yield eng
    eng.dispose()


def bot(text: str, buttons: list[dict[str, str]] | None = None) -> MessagePublic:
    return MessagePublic(seq=1, sender=Sender.bot, text=text,
                         payload={"buttons": buttons} if buttons else {}, created_at=utcnow())


def send(engine: Engine, settings: Settings, replies: list[Any], *, language: str = "en",
         verified: str | None = None, acknowledge: bool = False,
         answer_from: datetime | None = None) -> EmailMessage | None:
    """Queue the bot's reply to one new email; the queued message, parsed."""
    with Session(engine) as session:
        conversation = Conversation(channel="email", language=language,
                                    verified_account=verified)
        session.add(conversation)
        session.commit()
        thread = EmailThread(conversation_id=conversation.id, token=new_token(),
                             customer_address=JAMES, our_address=INBOX, subject="My bill",
                             language=language)
        session.add(thread)
        session.commit()
        inbound = InboundEmail(source="smtp", message_id=make_msgid(domain="example.com"),
                               from_address=JAMES, subject="My bill", thread_id=thread.id,
                               conversation_id=conversation.id)
        session.add(inbound)
        session.commit()
        row = queue_bot_reply(session=session, settings=settings, thread=thread, inbound=inbound,
                              replies=replies, language=language, acknowledge=acknowledge,
                              answer_from=answer_from)
        if row is None:
            return None
        return email.message_from_bytes(row.raw, policy=default)  # type: ignore[return-value]


def plain(msg: EmailMessage | None) -> str:
    assert msg is not None
    # Stored as sent: CRLF line ends.
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]


def html(msg: EmailMessage | None) -> str:
    assert msg is not None
    return msg.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_a_verified_customer_is_greeted_by_first_name(engine, email_db):
    msg = send(engine, email_db, [bot("Your balance is $312.40.")], verified="1000002")
    assert plain(msg).startswith("Hello James,\n")
    assert "<p>Hello James,</p>" in html(msg)
    es = send(engine, email_db, [bot("Su saldo es $84.12.")], language="es", verified="1000001")
    assert plain(es).startswith("Hola, Maria:\n")


def test_a_business_account_is_greeted_by_the_first_name_on_file(engine, email_db):
    msg = send(engine, email_db, [bot("Your balance is $0.00.")], verified="2000001")
    assert plain(msg).startswith("Hello Priya,\n")


def test_a_business_name_is_used_when_there_is_no_first_name(engine):
    with Session(engine) as session:
        template = session.exec(select(Account).where(Account.account_number == "2000001")).one()
        customer = Customer(first_name=" ", last_name="-", business_name="Acme Car Wash",
                            phone="9495550999", mailing_street="1 Main St",
                            mailing_city="Mission Viejo", mailing_zip="92691")
        session.add(customer)
        session.commit()
        session.add(Account(account_number="2999991", account_type=AccountType.commercial,
                            opened_on=date(2020, 1, 1), customer_id=customer.id,
                            premise_id=template.premise_id))
        session.commit()
        assert greeting_name(session=session, account_number="2999991") == "Acme Car Wash"
        assert greeting_name(session=session, account_number="0000000") is None


def test_an_unverified_sender_gets_a_plain_greeting(engine, email_db):
    msg = send(engine, email_db, [bot("To look up your bill, what is your ZIP code?")])
    assert plain(msg).startswith("Hello,\n") and "James" not in plain(msg)
    es = send(engine, email_db, [bot("¿Cuál es su código postal?")], language="es")
    assert plain(es).startswith("Hola:\n")


def test_a_question_with_buttons_gets_one_choice_sentence_and_no_list(engine, email_db):
    msg = send(engine, email_db, [bot("Is this for your home?", [
        {"title": "Residential"}, {"title": "Commercial"}, {"title": "Other"}])])
    text = plain(msg)
    assert "Is this for your home?\n\nYou can reply “Residential”, “Commercial” or “Other”.\n" \
        in text
    assert "  - " not in text and "one of these" not in text
    assert "<ul>" not in html(msg) and "<li>" not in html(msg)
    two = send(engine, email_db, [bot("Is the leak inside the house?", YES_NO)])
    assert "You can reply “Yes” or “No”." in plain(two)


def test_a_spanish_question_gets_a_spanish_choice_sentence(engine, email_db):
    msg = send(engine, email_db, [bot("¿Desea pagar ahora con la tarjeta registrada", SI_NO)],
               language="es")
    assert "Puede responder «Sí» o «No»." in plain(msg)
    assert "opciones" not in plain(msg)
    other = send(engine, email_db, [bot("¿Es para su casa?", [
        {"title": "Residencial"}, {"title": "Comercial"}, {"title": "Otro"}])], language="es")
    assert "Puede responder «Residencial», «Comercial» u «Otro»." in plain(other)


def test_menu_buttons_on_a_statement_are_dropped(engine, email_db):
    msg = send(engine, email_db, [bot("Here is what I can help with.", MENU)])
    text = plain(msg)
    assert "Here is what I can help with." in text
    assert "Pay my bill" not in text and "You can reply" not in text
    assert "Pay my bill" not in html(msg)


def test_buttons_alone_send_nothing(engine, email_db):
    assert send(engine, email_db, [bot("", MENU)]) is None


def test_the_same_paragraph_twice_is_sent_once(engine, email_db):
    msg = send(engine, email_db, [bot("I can help with your bill."),
                                  bot("I can help  with your bill."),
                                  bot("Your balance is $312.40.")])
    text = plain(msg)
    assert text.count("I can help with your bill.") == 1
    assert "Your balance is $312.40." in text
    assert html(msg).count("I can help with your bill.") == 1


def test_the_html_part_has_the_same_sentences(engine, email_db):
    msg = send(engine, email_db, [bot("Is the leak inside the house?", YES_NO)],
               verified="1000002")
    markup = html(msg)
    for sentence in ("Hello James,", "Is the leak inside the house?",
                     "You can reply “Yes” or “No”.", "Thank you,",
                     "Santa Margarita Water District customer service"):
        assert sentence in plain(msg) and sentence in markup, sentence


def test_acknowledgement_while_reps_are_working(engine, email_db):
    msg = send(engine, email_db, [bot("Let me get a person for you.")], acknowledge=True)
    assert ("A representative will reply to this email today; you don't need to write again."
            in plain(msg))
    assert "A representative will reply to this email today" in html(msg)
    es = send(engine, email_db, [bot("Le comunico con una persona.")], language="es",
              acknowledge=True)
    assert ("Un representante le responderá a este correo hoy; no necesita escribir de nuevo."
            in plain(es))


def test_acknowledgement_when_the_office_is_closed_says_when(engine, email_db):
    monday = datetime(2026, 12, 7, 7, 30, tzinfo=LA)
    msg = send(engine, email_db, [bot("Let me get a person for you.")], acknowledge=True,
               answer_from=monday)
    assert ("Our office is closed right now; a representative will reply to this email from "
            "Monday, December 7 at 7:30 AM. You don't need to write again.") in plain(msg)
    assert "Monday, December 7 at 7:30 AM" in html(msg)
    es = send(engine, email_db, [bot("Le comunico con una persona.")], language="es",
              acknowledge=True, answer_from=monday)
    assert ("Nuestra oficina está cerrada en este momento; un representante le responderá a este "
            "correo a partir del lunes 7 de diciembre a las 07:30. No necesita escribir de nuevo."
            ) in plain(es)


def test_an_acknowledgement_offers_no_choices(engine, email_db):
    msg = send(engine, email_db, [bot("Would you like to talk to a person?", YES_NO)],
               acknowledge=True)
    assert "You can reply" not in plain(msg)
    assert "A representative will reply to this email today" in plain(msg)


def test_an_answer_time_that_is_not_in_the_future_means_today(engine, email_db):
    # Open but nobody on shift yet: Availability.next_open is the current instant.
    msg = send(engine, email_db, [bot("Let me get a person for you.")], acknowledge=True,
               answer_from=utcnow())
    assert "A representative will reply to this email today" in plain(msg)
    assert "closed" not in plain(msg)
