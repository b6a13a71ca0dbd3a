"""Conversations on every channel and their messages, stored before anything is passed on."""

from datetime import datetime
from enum import StrEnum
from uuid import uuid4

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class ConversationStatus(StrEnum):
    bot = "bot"
    queued = "queued"
    assigned = "assigned"
    closed = "closed"


class Sender(StrEnum):
    customer = "customer"
    bot = "bot"
    rep = "rep"
    system = "system"


def new_id() -> str:
    return uuid4().hex


class ConversationBase(SQLModel):
    channel: str = Field(default="rest", max_length=20)
    language: str = Field(default="en", max_length=2)
    status: ConversationStatus = Field(default=ConversationStatus.bot, sa_type=String(10))
    verified_account: str | None = Field(default=None, max_length=12)
    handoff_reason: str | None = Field(default=None, max_length=300)
    handoff_priority: str | None = Field(default=None, max_length=12)
    assigned_rep_id: int | None = Field(default=None, foreign_key="rep.id")
    # Skills the handoff needs (spanish, billing, field); routing offers it to reps who have them.
    skills: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    queued_at: datetime | None = None
    closed_at: datetime | None = None
    # Where to follow up when nobody could answer live (after hours, no rep on shift).
    followup_email: str | None = Field(default=None, max_length=254)
    # The account a leak alert's signed link opened it for: every bot turn's signed channel
    # facts carry it, so the bot verifies without questions (backend/hub/links.py).
    link_account: str | None = Field(default=None, max_length=12)
    # When a rep first claimed it: the wait to claim is claimed_at - queued_at.
    claimed_at: datetime | None = None
    # When the customer was asked to rate it (once per conversation).
    rating_requested_at: datetime | None = None


class Conversation(ConversationBase, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    # SHA-256 of the reconnect secret the widget got at session start; rejoining needs the secret.
    # Never in ConversationPublic: the id alone must not be enough.
    reconnect_secret_hash: str | None = Field(default=None, max_length=64)
    # What the bot learnt, as handed off: summary, collected details, emotion readings.
    handoff: dict = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("conversation_id", "seq"),
                      UniqueConstraint("conversation_id", "client_id"))
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True, max_length=32)
    # Order within the conversation, unique, so no message is lost or reordered.
    seq: int
    sender: Sender = Field(sa_type=String(10))
    text: str = Field(default="", max_length=10_000)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON))
    # The client's own id for a customer message, so a resend after a reconnect is stored once.
    client_id: str | None = Field(default=None, max_length=64)
    rep_id: int | None = Field(default=None, foreign_key="rep.id")
    # Internal notes are for reps only and never reach the customer.
    internal: bool = False
    # The bot's reading of a customer message (nlu_fallback when it had none), for reports.
    intent: str | None = Field(default=None, max_length=60)
    created_at: datetime = Field(default_factory=utcnow)


class MessagePublic(SQLModel):
    seq: int
    sender: Sender
    text: str
    payload: dict
    client_id: str | None = None
    internal: bool = False
    created_at: datetime


class ConversationPublic(ConversationBase):
    id: str
    handoff: dict
    created_at: datetime
    messages: list[MessagePublic] = []


class MessageIn(SQLModel):
    text: str = Field(min_length=1, max_length=5_000)


class ReplyOut(SQLModel):
    conversation_id: str
    status: ConversationStatus
    replies: list[MessagePublic]
