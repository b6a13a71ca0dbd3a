"""Approvals: what the written policy leaves to a person (a fee waiver, extension, payment
arrangement or deposit waiver outside the rules), with the rule and the reasons the engine gave."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from backend.models.common import ApprovalKind, ApprovalStatus, utcnow


class ApprovalBase(SQLModel):
    kind: ApprovalKind = Field(sa_type=String(24))
    status: ApprovalStatus = Field(default=ApprovalStatus.pending, sa_type=String(12), index=True)
    # The policy engine's rule and reasons: [{"code", "en", "es"}, ...].
    rule: str = Field(max_length=60)
    reasons: list = Field(default_factory=list, sa_column=Column(JSON))
    # What was asked: {"fee_kind", "amount_cents", "days", "installments", "charge_id", ...}.
    request: dict = Field(default_factory=dict, sa_column=Column(JSON))
    customer_reason: str = Field(default="", max_length=1000)
    requested_by: str = Field(max_length=100)
    requested_on: date
    # Where the customer hears the outcome, and in which language.
    conversation_id: str | None = Field(default=None, max_length=32, index=True)
    language: str = Field(default="en", max_length=2)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=1000)
    # What the approval made: "FA-12", "EXT-3", "PA-4".
    result_reference: str | None = Field(default=None, max_length=40)


class Approval(ApprovalBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ApprovalPublic(SQLModel):
    """An approval as supervisors see it (GET /api/v1/approvals)."""

    id: int
    reference: str  # "AP-<id>"
    kind: ApprovalKind
    status: ApprovalStatus
    account_number: str
    customer_name: str
    rule: str
    rule_text: dict | None  # {"code", "en", "es"}
    reasons: list
    request: dict
    amount: str | None  # what a fee waiver credits, as a decimal string
    customer_reason: str
    requested_by: str
    requested_on: date
    conversation_id: str | None
    language: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    result_reference: str | None
