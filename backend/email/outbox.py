"""The outbox: mail is stored first, then sent to the relay with retries and exponential backoff.

Several backend processes may run this loop against one database: a row is claimed with a
conditional UPDATE (status pending -> sending), so exactly one process sends it.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parseaddr

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from backend.core.config import Settings
from backend.core.db import run_in_session
from backend.models.common import utcnow
from backend.models.email import OutboxEmail, OutboxStatus

log = logging.getLogger("waterdesk.email.outbox")

# A row left in "sending" this long belongs to a process that died mid-send: try it again.
STALE_CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=2)


def enqueue(*, session: Session, msg: EmailMessage, kind: str, conversation_id: str | None,
            thread_id: int | None) -> OutboxEmail:
    row = OutboxEmail(kind=kind, conversation_id=conversation_id, thread_id=thread_id,
                      message_id=str(msg["Message-ID"]), to_address=parseaddr(str(msg["To"]))[1],
                      from_address=parseaddr(str(msg["From"]))[1],
                      subject=str(msg["Subject"] or "")[:300],
                      raw=msg.as_bytes(policy=SMTP))  # CRLF line ends, as SMTP wants
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def backoff(*, attempts: int, base_seconds: float) -> timedelta:
    return min(timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def claim_due(*, session: Session, limit: int = 20) -> list[int]:
    """Ids of due rows this process now owns (status sending, attempts counted)."""
    now = utcnow()
    session.exec(update(OutboxEmail)  # type: ignore[call-overload]
                 .where(col(OutboxEmail.status) == OutboxStatus.sending,
                        col(OutboxEmail.claimed_at) < now - STALE_CLAIM)
                 .values(status=OutboxStatus.pending))
    session.commit()
    due = session.exec(select(OutboxEmail.id).where(
        OutboxEmail.status == OutboxStatus.pending, OutboxEmail.next_attempt_at <= now)
        .order_by(col(OutboxEmail.id)).limit(limit)).all()
    mine = []
    for row_id in due:
        result = session.exec(update(OutboxEmail)  # type: ignore[call-overload]
                               .where(col(OutboxEmail.id) == row_id,
                                      col(OutboxEmail.status) == OutboxStatus.pending)
                               .values(status=OutboxStatus.sending, claimed_at=now,
                                       attempts=OutboxEmail.attempts + 1))
        session.commit()
        if result.rowcount == 1:
            mine.append(row_id)
    return mine


def relay_send(*, settings: Settings, sender: str, to: str, raw: bytes) -> None:
    with smtplib.SMTP(settings.SMTP_HOST, settings.SMTP_PORT, timeout=settings.SMTP_TIMEOUT) as smtp:
        smtp.sendmail(sender, [to], raw)


def settle(*, session: Session, row_id: int, error: str | None, settings: Settings) -> OutboxEmail:
    row = session.get(OutboxEmail, row_id)
    assert row is not None
    if error is None:
        row.status, row.sent_at, row.last_error = OutboxStatus.sent, utcnow(), None
    elif row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        row.status, row.last_error = OutboxStatus.failed, error[:500]
    else:
        row.status, row.last_error = OutboxStatus.pending, error[:500]
        row.next_attempt_at = utcnow() + backoff(attempts=row.attempts,
                                                 base_seconds=settings.OUTBOX_BACKOFF_SECONDS)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def _envelope(*, session: Session, row_id: int) -> tuple[str, str, bytes]:
    row = session.get(OutboxEmail, row_id)
    assert row is not None
    # The envelope sender is the bare inbox: bounces come back to us and are recognised.
    return row.from_address, row.to_address, row.raw


async def send_due(*, engine: Engine, settings: Settings) -> int:
    """Send what is due once; returns how many went out. Relay errors are recorded, not raised."""
    ids = await run_in_session(engine, claim_due)
    sent = 0
    for row_id in ids:
        sender, to, raw = await run_in_session(engine, _envelope, row_id=row_id)
        try:
            await asyncio.to_thread(relay_send, settings=settings, sender=sender, to=to, raw=raw)
            error = None
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{exc.__class__.__name__}: {exc}" or "relay error"
        row = await run_in_session(engine, settle, row_id=row_id, error=error,
                                   settings=settings)
        if error:
            log.warning("outbox %s to %s: attempt %s failed (%s)", row_id, to, row.attempts, error)
        else:
            sent += 1
    return sent


class OutboxSender:
    """The background loop: wakes every OUTBOX_INTERVAL seconds, or at once when mail is queued."""

    def __init__(self, *, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="email-outbox")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        while True:
            try:
                await send_due(engine=self.engine, settings=self.settings)
            except asyncio.CancelledError:
                raise
            except Exception:  # a database hiccup must not end the loop or the process
                log.exception("outbox pass failed")
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=self.settings.OUTBOX_INTERVAL)
            except TimeoutError:
                pass
            self.wake.clear()
