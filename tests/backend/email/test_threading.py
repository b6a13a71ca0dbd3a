"""A reply whose mail client kept neither the reply address nor In-Reply-To/References joins its
thread by subject: same sender, a reply prefix, mail on the thread in the last 30 days."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.core.config import Settings
from backend.core.db import make_engine
from backend.email.threading import find_thread, new_token, strip_reply_prefixes
from backend.models.common import utcnow
from backend.models.conversations import Conversation
from backend.models.email import EmailThread, InboundEmail, OutboxEmail
from tests.utils.mail import INBOX


@pytest.fixture(scope="module")
def engine(email_db: Settings) -> Iterator[Engine]:
    eng = make_engine(email_db)
    yield eng
    eng.dispose()


@pytest.fixture
def sender() -> str:
    # Each test its own customer: the module's database is shared.
    return f"customer-{uuid.uuid4().hex[:8]}@example.com"


def thread_with_mail(engine: Engine, *, address: str, subject: str, inbound_at: datetime,
                     outbound_at: datetime | None = None) -> int:
    """A thread whose customer wrote at inbound_at (and we answered at outbound_at)."""
    with Session(engine) as session:
        conversation = Conversation(channel="email", created_at=inbound_at)
        session.add(conversation)
        session.commit()
        thread = EmailThread(conversation_id=conversation.id, token=new_token(),
                             customer_address=address, our_address=INBOX, subject=subject,
                             created_at=inbound_at)
        session.add(thread)
        session.commit()
        session.add(InboundEmail(source="smtp", status="answered", message_id=f"<{uuid.uuid4()}@x>",
                                 from_address=address, subject=subject, thread_id=thread.id,
                                 conversation_id=conversation.id, received_at=inbound_at))
        if outbound_at is not None:
            session.add(OutboxEmail(kind="reply", conversation_id=conversation.id,
                                    thread_id=thread.id, message_id=f"<{uuid.uuid4()}@y>",
                                    to_address=address, from_address=INBOX,
                                    subject=f"Re: {subject}", raw=b"x", created_at=outbound_at))
        session.commit()
        assert thread.id is not None
        return thread.id


def found(engine: Engine, *, sender: str, subject: str) -> int | None:
    with Session(engine) as session:
        thread = find_thread(session=session, sender=sender, token=None, message_ids=[],
                             subject=subject)
        return thread.id if thread else None


def days_ago(n: float) -> datetime:
    return utcnow() - timedelta(days=n)


def test_reply_prefixes_are_stripped_but_forwards_are_not():
    assert strip_reply_prefixes("RE: RE: My bill") == ("My bill", True)
    assert strip_reply_prefixes("AW: R: Re[2]: SV: My bill") == ("My bill", True)
    assert strip_reply_prefixes("Fwd: My bill") == ("Fwd: My bill", False)
    assert strip_reply_prefixes("RV: Factura") == ("RV: Factura", False)
    assert strip_reply_prefixes("Reading my meter") == ("Reading my meter", False)


def test_a_reply_by_subject_within_30_days_joins_the_thread(engine, sender):
    tid = thread_with_mail(engine, address=sender, subject="My  bill", inbound_at=days_ago(29))
    assert found(engine, sender=sender, subject="RE: my bill") == tid
    assert found(engine, sender=sender.upper(), subject="Re:  RE: MY BILL ") == tid
    assert found(engine, sender=sender, subject="AW: My bill") == tid


def test_our_own_recent_reply_keeps_an_old_thread_open(engine, sender):
    tid = thread_with_mail(engine, address=sender, subject="Leak", inbound_at=days_ago(45),
                           outbound_at=days_ago(2))
    assert found(engine, sender=sender, subject="Re: Leak") == tid


def test_no_join_after_30_days_without_mail(engine, sender):
    thread_with_mail(engine, address=sender, subject="My bill", inbound_at=days_ago(31),
                     outbound_at=days_ago(30.5))
    assert found(engine, sender=sender, subject="RE: My bill") is None


def test_no_join_from_another_sender(engine, sender):
    thread_with_mail(engine, address=sender, subject="My bill", inbound_at=days_ago(1))
    assert found(engine, sender=f"other-{sender}", subject="RE: My bill") is None


def test_no_join_without_a_reply_prefix(engine, sender):
    thread_with_mail(engine, address=sender, subject="My bill", inbound_at=days_ago(1))
    assert found(engine, sender=sender, subject="My bill") is None
    assert found(engine, sender=sender, subject="Fwd: My bill") is None
    assert found(engine, sender=sender, subject="RE: ") is None
    assert found(engine, sender=sender, subject="RE: Another bill") is None


def test_the_newest_thread_wins(engine, sender):
    thread_with_mail(engine, address=sender, subject="My bill", inbound_at=days_ago(20),
                     outbound_at=days_ago(20))
    newest = thread_with_mail(engine, address=sender, subject="My bill", inbound_at=days_ago(3),
                              outbound_at=days_ago(3))
    thread_with_mail(engine, address=sender, subject="Other", inbound_at=days_ago(1))
    assert found(engine, sender=sender, subject="RE: My bill") == newest


def test_the_thread_with_the_latest_mail_wins_over_a_later_quiet_one(engine, sender):
    older = thread_with_mail(engine, address=sender, subject="My bill", inbound_at=days_ago(25),
                             outbound_at=days_ago(1))
    thread_with_mail(engine, address=sender, subject="My bill", inbound_at=days_ago(10))
    assert found(engine, sender=sender, subject="RE: My bill") == older


def test_headers_still_come_first(engine, sender):
    by_subject = thread_with_mail(engine, address=sender, subject="My bill",
                                  inbound_at=days_ago(1))
    with Session(engine) as session:
        other = session.get(EmailThread, thread_with_mail(
            engine, address=sender, subject="Something else", inbound_at=days_ago(5)))
        assert other is not None
        thread = find_thread(session=session, sender=sender, token=other.token, message_ids=[],
                             subject="RE: My bill")
        assert thread is not None and thread.id == other.id != by_subject
