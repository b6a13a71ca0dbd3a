"""Request bodies for the rep queue and supervisor approvals."""

from sqlmodel import Field, SQLModel

from common.handoff import Skill


class RepMessageIn(SQLModel):
    text: str = Field(min_length=1, max_length=5_000)
    # A note for reps only; the customer never sees it.
    internal: bool = False


class TransferIn(SQLModel):
    rep_id: int | None = None
    skill: Skill | None = None


class ApprovalIn(SQLModel):
    approve: bool
    note: str = Field(default="", max_length=1000)
