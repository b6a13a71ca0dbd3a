"""Atomic failure counting for every lockout (customer verification, rep sign-in): an attempt
takes its place in every counter before anything is checked, so concurrent attempts can never exceed a limit (one conditional UPDATE per subject:
a row lock on PostgreSQL, the write lock on SQLite)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, or_, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from backend.models.lockout import LockoutCounter


@dataclass(frozen=True)
class Taken:
    """The attempt was counted (ok) with this many left, or refused until retry_after seconds."""

    ok: bool
    left: int = 0
    retry_after: int = 0


def _retry_after(row: LockoutCounter | None, window: timedelta, now: datetime) -> int:
    if row is None:
        return int(window.total_seconds())
    return max(1, int((row.window_start + window - now).total_seconds()) + 1)


def take(*, session: Session, limits: dict[str, int], window: timedelta, now: datetime,
         require: dict[str, int] | None = None) -> Taken:
    """Count one attempt against each subject in `limits`, all or none. `require` subjects are
    checked but not counted (another route's counter that also locks this one)."""
    cutoff = now - window
    table = LockoutCounter.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stamp = type_coerce(now, table.c.window_start.type)
    left = None
    # A fixed order: two attempts locking the same rows can't deadlock.
    for subject in sorted(limits):
        limit = limits[subject]
        session.execute(insert(table).values(subject=subject, failures=0, window_start=now)
                        .on_conflict_do_nothing(index_elements=["subject"]))
        stale = col(LockoutCounter.window_start) <= cutoff
        counted = session.execute(
            update(LockoutCounter)
            .where(col(LockoutCounter.subject) == subject,
                   or_(stale, col(LockoutCounter.failures) < limit))
            .values(failures=case((stale, 1), else_=col(LockoutCounter.failures) + 1),
                    window_start=case((stale, stamp), else_=col(LockoutCounter.window_start)))
            .returning(col(LockoutCounter.failures))
        ).first()
        if counted is None:
            row = session.get(LockoutCounter, subject)
            retry = _retry_after(row, window, now)
            session.rollback()
            return Taken(ok=False, retry_after=retry)
        left = min(limit - counted[0], left if left is not None else limit)
    for subject, limit in sorted((require or {}).items()):
        row = session.get(LockoutCounter, subject)
        if row is not None and row.window_start > cutoff and row.failures >= limit:
            retry = _retry_after(row, window, now)
            session.rollback()
            return Taken(ok=False, retry_after=retry)
    session.commit()
    return Taken(ok=True, left=left if left is not None else 0)


def refund(*, session: Session, subjects: list[str]) -> None:
    """Give back one attempt's place: a success was counted before it was checked, and only
    failures may use up a limit (a busy office signs in from one address)."""
    session.execute(update(LockoutCounter).where(col(LockoutCounter.subject).in_(subjects),
                                                 col(LockoutCounter.failures) > 0)
                    .values(failures=col(LockoutCounter.failures) - 1))
    session.commit()


def clear(*, session: Session, subjects: list[str], now: datetime) -> None:
    """A success forgives the failures before it; the next failure starts a new window."""
    session.execute(update(LockoutCounter).where(col(LockoutCounter.subject).in_(subjects))
                    .values(failures=0, window_start=type_coerce(
                        now, LockoutCounter.__table__.c.window_start.type)))  # type: ignore[attr-defined]
    session.commit()

