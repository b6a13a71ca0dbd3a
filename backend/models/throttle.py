"""Rep sign-in attempts, kept so that failures can be counted per account and per address."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class LoginOutcome(StrEnum):
    # Written before the password is checked, so concurrent attempts count one another.
    pending = "pending"
    failure = "failure"
    success = "success"
    # Turned away by the throttle without a password check; not counted as a failure.
    refused = "refused"


class LoginAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The address as typed, folded to lower case: unknown addresses are throttled the same way.
    email: str = Field(max_length=254, index=True)
    ip: str = Field(max_length=64, index=True)
    outcome: LoginOutcome = Field(default=LoginOutcome.pending, sa_type=String(10))
    at: datetime = Field(default_factory=utcnow, index=True)
