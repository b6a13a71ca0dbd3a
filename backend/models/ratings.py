"""The customer's voice: a 1-to-5 rating and an optional comment after a conversation."""

from datetime import datetime

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class RatingBase(SQLModel):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)
    # Copied from the conversation when rated, so reports need no joins and a later change
    # to the conversation doesn't rewrite history.
    channel: str = Field(max_length=20)
    language: str = Field(default="en", max_length=2)
    intents: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    person_involved: bool = False
    # resolved (a rep closed it) | bot_task (the bot finished a task)
    trigger: str = Field(default="resolved", sa_type=String(12))


class Rating(RatingBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", unique=True, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class RatingPublic(RatingBase):
    conversation_id: str
    created_at: datetime


class RatingIn(SQLModel):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)
