"""The audit log, idempotency records and verification attempts."""

from datetime import datetime

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.models.common import ActorType, utcnow


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_type: ActorType = Field(sa_type=String(12))
    actor_id: str | None = Field(default=None, max_length=100, index=True)
    action: str = Field(max_length=60, index=True)
    entity: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=40)
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    reason: str | None = Field(default=None, max_length=1000)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON))


class AuditLogPublic(SQLModel):
    at: datetime
    actor_type: ActorType
    actor_id: str | None
    action: str
    entity: str
    entity_id: str | None
    reason: str | None
    detail: dict


class AuditLogEntry(AuditLogPublic):
    """A row of GET /audit: the entry, its id (the paging cursor) and the account it touched."""
    id: int
    account_number: str | None = None


class IdempotencyRecord(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("key", "scope"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    # Caller + method + path: the same key may be reused for another endpoint.
    scope: str = Field(max_length=300)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: dict = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)


class VerificationAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # "acct:1000001", "phone:9495550101" or "session:<conversation id>".
    subject: str = Field(max_length=120, index=True)
    success: bool
    at: datetime = Field(default_factory=utcnow, index=True)
