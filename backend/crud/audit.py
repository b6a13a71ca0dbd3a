"""Writes to the audit log: every change says who made it and why."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from backend.models import AuditLog
from backend.models.common import ActorType


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: str | None = None
    conversation_id: str | None = None


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
