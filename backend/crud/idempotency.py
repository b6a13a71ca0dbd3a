"""Idempotency records: a write's key is claimed before it runs and holds its answer after.

A record with status_code 0 is a write still in flight; a retry that finds one waits for it
rather than writing again. Only 2xx answers are kept: anything else frees the key."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from backend.models import IdempotencyRecord

IN_FLIGHT = 0


@dataclass(frozen=True)
class Stored:
    request_hash: str
    status_code: int
    response: dict

    @property
    def in_flight(self) -> bool:
        return self.status_code == IN_FLIGHT


def claim(*, session: Session, key: str, scope: str, request_hash: str, now: datetime,
          stale_after: timedelta) -> Stored | None:
    """None when this request now owns the key; else what holds it (done or in flight).

    A claim left in flight longer than `stale_after` (its process died mid-write) is taken
    over: the route's own checks keep that rare retry from doing harm twice."""
    session.add(IdempotencyRecord(key=key, scope=scope, request_hash=request_hash,
                                  status_code=IN_FLIGHT, response={}, created_at=now))
    try:
        session.commit()
        return None
    except IntegrityError:
        # The unique (key, scope) constraint: someone holds it.
        session.rollback()
    found = _find(session, key, scope)
    if found is None:  # freed between our insert and our read: try once more
        return claim(session=session, key=key, scope=scope, request_hash=request_hash, now=now,
                     stale_after=stale_after)
    if found.status_code == IN_FLIGHT and found.created_at and \
            _aware(found.created_at) < now - stale_after:
        found.request_hash, found.created_at = request_hash, now
        session.add(found)
        session.commit()
        return None
    return Stored(found.request_hash, found.status_code, dict(found.response or {}))


def peek(*, session: Session, key: str, scope: str) -> Stored | None:
    found = _find(session, key, scope)
    return None if found is None else Stored(found.request_hash, found.status_code,
                                             dict(found.response or {}))


def finish(*, session: Session, key: str, scope: str, status_code: int,
           response: dict) -> None:
    """Keeps the answer for retries."""
    found = _find(session, key, scope)
    if found is None:
        return
    found.status_code, found.response = status_code, response
    session.add(found)
    session.commit()


def release(*, session: Session, key: str, scope: str) -> None:
    """Frees the key after a failed write, so the client may try again with it."""
    session.exec(delete(IdempotencyRecord).where(  # type: ignore[call-overload]
        col(IdempotencyRecord.key) == key, col(IdempotencyRecord.scope) == scope,
        col(IdempotencyRecord.status_code) == IN_FLIGHT))
    session.commit()


def _find(session: Session, key: str, scope: str) -> IdempotencyRecord | None:
    return session.exec(select(IdempotencyRecord).where(
        IdempotencyRecord.key == key, IdempotencyRecord.scope == scope)).first()


def _aware(at: datetime) -> datetime:
    # SQLite hands datetimes back naive; they were written as UTC.
    return at if at.tzinfo else at.replace(tzinfo=UTC)
