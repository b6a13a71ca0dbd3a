"""The email channel: threads tied to conversations, every inbound message as received, the outbox."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, LargeBinary, String
from sqlmodel import Field, SQLModel

from backend.models.common import utcnow


class InboundStatus(StrEnum):
    received = "received"  # raw stored, not yet processed
    answered = "answered"  # the bot answered (or a person holds the conversation)
    auto = "auto"  # an auto-reply, bounce or loop: stored, never answered
    duplicate = "duplicate"  # the same Message-ID again
    rejected = "rejected"  # malformed or no sender
    error = "error"  # processing failed; the raw message is kept for a retry


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class EmailThread(SQLModel, table=True):
    """One email conversation: the reply-address token and the customer's address."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: str = Field(foreign_key="conversation.id", index=True, max_length=32)
    token: str = Field(unique=True, max_length=32)
    customer_address: str = Field(max_length=320)
    our_address: str = Field(max_length=320)
    subject: str = Field(default="", max_length=300)
    language: str = Field(default="en", max_length=2)
    created_at: datetime = Field(default_factory=utcnow)


class InboundEmail(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=10)  # smtp or http
    status: InboundStatus = Field(default=InboundStatus.received, sa_type=String(10), index=True)
    size: int = 0
    # The message as received (card numbers masked where readable); None once purged.
    raw: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    envelope_from: str | None = Field(default=None, max_length=320)
    message_id: str | None = Field(default=None, max_length=500, index=True)
    from_address: str | None = Field(default=None, max_length=320)
    subject: str = Field(default="", max_length=300)
    text: str = Field(default="", max_length=10_000)
    auto_reason: str | None = Field(default=None, max_length=100)
    error: str | None = Field(default=None, max_length=500)
    thread_id: int | None = Field(default=None, foreign_key="emailthread.id", index=True)
    conversation_id: str | None = Field(default=None, max_length=32)
    received_at: datetime = Field(default_factory=utcnow)


class EmailAttachment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    inbound_id: int = Field(foreign_key="inboundemail.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=127)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class OutboxEmail(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: OutboxStatus = Field(default=OutboxStatus.pending, sa_type=String(10), index=True)
    kind: str = Field(default="reply", max_length=20)  # reply, ack, rep, transcript
    conversation_id: str | None = Field(default=None, max_length=32, index=True)
    thread_id: int | None = Field(default=None, foreign_key="emailthread.id", index=True)
    message_id: str = Field(max_length=500, index=True)
    to_address: str = Field(max_length=320, index=True)
    from_address: str = Field(max_length=320)
    subject: str = Field(default="", max_length=300)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
