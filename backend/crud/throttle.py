"""Rep sign-in throttling, per account and per client address. Keyword-only, session passed in.

Every attempt is written (as pending) and committed before anything is counted, and a pending
attempt counts as a failure. So of N concurrent attempts the k-th to commit sees at least k of
them: no more get through than the limit leaves room for, without locks on either database.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, update
from sqlmodel import Session, col, func, select

from backend.models.throttle import LoginAttempt, LoginOutcome

# Attempts are kept this long (for the record), then pruned by later attempts.
KEEP = timedelta(days=1)
_COUNTED = (LoginOutcome.pending, LoginOutcome.failure)


@dataclass(frozen=True)
class Limits:
    per_account: int
    per_ip: int
    window: timedelta


@dataclass(frozen=True)
class Gate:
    """An attempt let through (retry_after 0) or refused for retry_after seconds."""

    attempt_id: int
    retry_after: int = 0

    @property
    def refused(self) -> bool:
        return self.retry_after > 0


def fold_email(email: str) -> str:
    return email.strip().lower()[:254]


def begin(*, session: Session, email: str, ip: str, limits: Limits, now: datetime) -> Gate:
    """Record an attempt, then decide whether its password may be checked at all."""
    email = fold_email(email)
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < now - KEEP))
    attempt = LoginAttempt(email=email, ip=ip[:64], at=now)
    session.add(attempt)
    session.flush()
    attempt_id, ip = attempt.id, attempt.ip
    assert attempt_id is not None
    session.commit()
    # A success forgives the account's earlier failures; an address's failures stay counted.
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email,
                                                LoginAttempt.outcome == LoginOutcome.success)
    ).one()
    since = now - limits.window
    wait = max(
        _wait(session, col(LoginAttempt.email) == email,
              max(since, last_success) if last_success else since,
              attempt_id, limits.per_account, limits.window, now),
        _wait(session, col(LoginAttempt.ip) == ip, since,
              attempt_id, limits.per_ip, limits.window, now),
    )
    if wait:
        _set(session, attempt_id, LoginOutcome.refused)
    return Gate(attempt_id=attempt_id, retry_after=wait)


def finish(*, session: Session, gate: Gate, success: bool) -> None:
    _set(session, gate.attempt_id, LoginOutcome.success if success else LoginOutcome.failure)


def _wait(session: Session, subject: ColumnElement[bool], since: datetime, own_id: int,
          limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until this subject has room for one more attempt; 0 if it has room now."""
    others = session.exec(
        select(LoginAttempt.at)
        .where(subject, col(LoginAttempt.outcome).in_(_COUNTED), LoginAttempt.at > since,
               LoginAttempt.id != own_id)
        .order_by(col(LoginAttempt.at))
    ).all()
    if len(others) < limit:
        return 0
    # Room comes back when all but limit - 1 of them have left the window.
    frees_at = others[len(others) - limit] + window
    return max(1, int((frees_at - now).total_seconds()) + 1)


def _set(session: Session, attempt_id: int, outcome: LoginOutcome) -> None:
    session.execute(update(LoginAttempt).where(col(LoginAttempt.id) == attempt_id)
                    .values(outcome=outcome))
    session.commit()
