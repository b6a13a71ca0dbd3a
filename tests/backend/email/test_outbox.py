"""The outbox keeps mail while the relay is down, backs off, and sends once it is up again."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from aiosmtpd.controller import Controller
from sqlmodel import Session

from backend.core.db import make_engine
from backend.email.outbox import backoff, claim_due, enqueue, send_due
from backend.models.common import utcnow
from backend.models.email import OutboxEmail
from tests.backend.email.conftest import email_settings
from tests.utils.mail import Relay
from tests.utils.stack import free_port


def queue_one(engine) -> int:  # type: ignore[no-untyped-def]
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "inbox@smwd.example.com", "a@example.com", "Hi"
    msg["Message-ID"] = make_msgid(domain="smwd.example.com")
    msg.set_content("hello")
    with Session(engine) as session:
        return enqueue(session=session, msg=msg, kind="reply", conversation_id=None,
                       thread_id=None).id  # type: ignore[return-value]


def make_due(engine, row_id: int) -> OutboxEmail:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        row = session.get(OutboxEmail, row_id)
        row.next_attempt_at = utcnow()
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def get(engine, row_id: int) -> OutboxEmail:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return session.get(OutboxEmail, row_id)


def test_relay_down_then_up(email_db):
    port = free_port()  # nothing listens here yet
    settings = email_settings(email_db, relay_port=port, OUTBOX_BACKOFF_SECONDS=60,
                              OUTBOX_MAX_ATTEMPTS=5)
    engine = make_engine(settings)
    try:
        row_id = queue_one(engine)
        assert asyncio.run(send_due(engine=engine, settings=settings)) == 0
        row = get(engine, row_id)
        assert (row.status, row.attempts) == ("pending", 1) and "Connection" in row.last_error
        wait = row.next_attempt_at - utcnow()
        assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
        # Not due yet: nothing is tried.
        assert asyncio.run(send_due(engine=engine, settings=settings)) == 0
        assert get(engine, row_id).attempts == 1
        make_due(engine, row_id)
        asyncio.run(send_due(engine=engine, settings=settings))
        row = get(engine, row_id)
        assert row.attempts == 2 and timedelta(seconds=110) < row.next_attempt_at - utcnow()

        capture = Relay()
        controller = Controller(capture, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            make_due(engine, row_id)
            assert asyncio.run(send_due(engine=engine, settings=settings)) == 1
        finally:
            controller.stop()
        row = get(engine, row_id)
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
        [(_, rcpt, raw)] = capture.received
        assert rcpt == ["a@example.com"] and b"hello" in raw
    finally:
        engine.dispose()


def test_gives_up_after_the_last_attempt(email_db):
    settings = email_settings(email_db, relay_port=free_port(), OUTBOX_MAX_ATTEMPTS=2)
    engine = make_engine(settings)
    try:
        row_id = queue_one(engine)
        for _ in range(2):
            make_due(engine, row_id)
            asyncio.run(send_due(engine=engine, settings=settings))
        row = get(engine, row_id)
        assert (row.status, row.attempts) == ("failed", 2) and row.last_error
    finally:
        engine.dispose()


def test_a_row_is_claimed_by_one_sender_only(email_db):
    settings = email_settings(email_db, relay_port=free_port())
    engines = [make_engine(settings), make_engine(settings)]
    try:
        row_id = queue_one(engines[0])
        with Session(engines[0]) as a, Session(engines[1]) as b:
            first = claim_due(session=a, limit=1000)
            second = claim_due(session=b, limit=1000)
        assert row_id in first and row_id not in second
        assert get(engines[0], row_id).status == "sending"
    finally:
        for e in engines:
            e.dispose()


def test_backoff_doubles_and_is_capped():
    assert [backoff(attempts=n, base_seconds=30).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(attempts=30, base_seconds=30) == timedelta(hours=2)
