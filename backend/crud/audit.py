"""The audit log: every change says who made it and why (record), and supervisors read it back
(entries)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from backend.models import Account, AuditLog
from backend.models.common import ActorType


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: str | None = None
    conversation_id: str | None = None

    @classmethod
    def rep(cls, rep_id: int | None, conversation_id: str | None = None) -> "Actor":
        """A signed-in rep (or supervisor) acting, in a conversation or not."""
        return cls(type=ActorType.rep, id=str(rep_id), conversation_id=conversation_id)

    @property
    def label(self) -> str:
        """Who, as notes and decisions record it: "rep:3", "bot:", "system:system"."""
        return f"{self.type}:{self.id or ''}"


SYSTEM = Actor(type=ActorType.system, id="system")


def record(
    *,
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: Any = None,
    account_id: int | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    detail = dict(detail or {})
    if actor.conversation_id:
        detail.setdefault("conversation_id", actor.conversation_id)
    entry = AuditLog(
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        account_id=account_id,
        reason=reason,
        detail=detail,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditQuery:
    """What a supervisor filters the log by; None means any. `action` ending in "*" is a prefix."""
    account_number: str | None = None
    actor_type: ActorType | None = None
    actor_id: str | None = None
    action: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    before_id: int | None = None  # cursor: entries older than this one


def entries(*, session: Session, query: AuditQuery, limit: int = 50,
            offset: int = 0) -> list[tuple[AuditLog, str | None]]:
    """Matching entries, newest first (by id: the order they were written), each with the
    number of the account it touched, if any."""
    stmt = select(AuditLog, Account.account_number).outerjoin(
        Account, col(Account.id) == col(AuditLog.account_id))
    if query.account_number is not None:
        stmt = stmt.where(Account.account_number == query.account_number)
    if query.actor_type is not None:
        stmt = stmt.where(AuditLog.actor_type == query.actor_type)
    if query.actor_id is not None:
        stmt = stmt.where(AuditLog.actor_id == query.actor_id)
    if query.action is not None:
        if query.action.endswith("*"):
            # Actions are [a-z_] only; "_" is a LIKE wildcard, so it is escaped.
            prefix = query.action[:-1].replace("_", "\\_")
            stmt = stmt.where(col(AuditLog.action).like(f"{prefix}%", escape="\\"))
        else:
            stmt = stmt.where(AuditLog.action == query.action)
    if query.since is not None:
        stmt = stmt.where(col(AuditLog.at) >= query.since)
    if query.until is not None:
        stmt = stmt.where(col(AuditLog.at) < query.until)
    if query.before_id is not None:
        stmt = stmt.where(col(AuditLog.id) < query.before_id)
    stmt = stmt.order_by(col(AuditLog.id).desc()).offset(offset).limit(limit)
    return [(entry, number) for entry, number in session.exec(stmt).all()]
