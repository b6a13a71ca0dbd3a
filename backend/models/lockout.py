"""Failure counters behind every lockout: one row per subject ("acct:1000001", "phone:…")."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class LockoutCounter(SQLModel, table=True):
    subject: str = Field(primary_key=True, max_length=120)
    failures: int = 0
    # The first failure of the current window; a window older than the lockout starts afresh.
    window_start: datetime = Field(default_factory=utcnow)
