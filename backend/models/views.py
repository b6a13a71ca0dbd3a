"""What the API reads and writes: request bodies and composite views over the tables."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import EmailStr, StringConstraints, model_validator
from sqlmodel import Field, SQLModel

from backend.models.common import (
    AccountStatus,
    AccountType,
    FeeKind,
    Language,
    OrderStatus,
    Priority,
    ReadType,
    ServiceOrderKind,
    WorkOrderKind,
    WorkOrderStatus,
)

ZIP = r"^\d{5}(-\d{4})?$"
# SQLModel's Field(regex=...) is not enforced under pydantic 2, so patterns live in the types.
Zip = Annotated[str, StringConstraints(pattern=ZIP)]
State = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]


class ReasonPublic(SQLModel):
    code: str
    en: str
    es: str


class VerifyRequest(SQLModel):
    """Account number + service ZIP, or the phone on file + last name; on the email channel,
    account number + the authenticated sender's address when it is the one on file."""

    account_number: Annotated[str, StringConstraints(pattern=r"^\s*\d{7}\s*$")] | None = None
    zip: Zip | None = None
    phone: str | None = Field(default=None, min_length=7, max_length=25)
    last_name: str | None = Field(default=None, min_length=1, max_length=100)
    channel_token: str | None = Field(
        default=None, max_length=4000,
        description="The channel facts the hub signed for this conversation (the bot passes "
                    "them on). On email they carry the sender when the receiving relay "
                    "authenticated it; that address, when it is the one on file, is the second "
                    "factor")
    conversation_id: str | None = Field(default=None, max_length=100)
    method: Literal["signed_link"] | None = Field(
        default=None,
        description="signed_link: the channel_token says a signed chat link (a leak alert's) "
                    "opened this conversation for account_number; nothing else is asked")

    @model_validator(mode="after")
    def _one_method(self) -> "VerifyRequest":
        if self.method == "signed_link" and not (self.account_number and self.channel_token):
            raise ValueError("signed_link needs account_number and channel_token")
        if not ((self.account_number and (self.zip or self.channel_token))
                or (self.phone and self.last_name)):
            raise ValueError("give account_number and zip (or channel_token), "
                             "or phone and last_name")
        return self


class VerifyResult(SQLModel):
    verified: bool
    locked: bool = False
    attempts_left: int | None = None
    account_number: str | None = None
    first_name: str | None = None
    preferred_language: Language | None = None
    verification_token: str | None = None
    expires_in: int | None = None
    message: ReasonPublic


class BillSummary(SQLModel):
    id: int
    bill_date: date
    due_date: date
    period_start: date
    period_end: date
    consumption_hcf: int
    read_type: ReadType
    total: Decimal


class AccountSummary(SQLModel):
    account_number: str
    account_type: AccountType
    status: AccountStatus
    customer_name: str
    business_name: str | None
    service_address: str
    preferred_language: Language
    balance: Decimal
    past_due: Decimal
    due_date: date | None
    last_bill: BillSummary | None
    autopay: bool
    paperless: bool
    shutoff_scheduled_on: date | None
    returned_mail: bool
    email_bounced: bool = False


class BillLinePublic(SQLModel):
    kind: str
    description: str
    quantity: int | None
    unit_price: Decimal | None
    tier: int | None
    amount: Decimal
    explanation: ReasonPublic


class BillExplanation(SQLModel):
    bill: BillSummary
    schedule_name: str
    lines: list[BillLinePublic]
    gallons: int


class ToggleRequest(SQLModel):
    enabled: bool
    # Autopay draws from a bank account or card set up on the payment portal; only its last 4 are kept.
    last4: Annotated[str, StringConstraints(pattern=r"^\d{4}$")] | None = None


class ContactUpdate(SQLModel):
    phone: str | None = Field(default=None, min_length=10, max_length=25)
    email: EmailStr | None = None
    mailing_street: str | None = Field(default=None, min_length=3, max_length=200)
    mailing_city: str | None = Field(default=None, min_length=2, max_length=100)
    mailing_state: State | None = None
    mailing_zip: Zip | None = None
    preferred_language: Language | None = None
    returned_mail_resolved: bool = False

    @model_validator(mode="after")
    def _something(self) -> "ContactUpdate":
        if not self.model_fields_set - {"returned_mail_resolved"} and not self.returned_mail_resolved:
            raise ValueError("nothing to update")
        return self


class NoteCreate(SQLModel):
    body: str = Field(min_length=1, max_length=4000)


class Identity(SQLModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    business_name: str | None = Field(default=None, max_length=200)
    phone: str = Field(min_length=10, max_length=25)
    email: EmailStr | None = None
    preferred_language: Language = Language.en


class Address(SQLModel):
    street: str = Field(min_length=3, max_length=200)
    unit: str | None = Field(default=None, max_length=20)
    city: str = Field(min_length=2, max_length=100)
    state: State = "CA"
    zip: Zip

    def one_line(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city} {self.state.upper()} {self.zip}"


class ServiceOrderCreate(SQLModel):
    kind: ServiceOrderKind
    requested_date: date
    account_type: AccountType = AccountType.residential
    # start: identity (or a verification token) + service address + mailing address.
    identity: Identity | None = None
    service_address: Address | None = None
    mailing_address: Address | None = None
    # stop: where the final bill goes.
    forwarding_address: Address | None = None
    meter_size: str = "3/4"
    notes: str | None = Field(default=None, max_length=2000)


class ServiceOrderPublic(SQLModel):
    order_number: str
    kind: ServiceOrderKind
    status: OrderStatus
    requested_date: date
    account_number: str | None
    new_account_number: str | None
    service_address: str | None
    deposit: Decimal
    deposit_reason: ReasonPublic | None = None
    created_at: datetime


class WorkOrderCreate(SQLModel):
    kind: WorkOrderKind
    priority: Priority = Priority.normal
    location: str | None = Field(default=None, min_length=3, max_length=300)
    zip: Zip | None = None
    description: str = Field(min_length=3, max_length=2000)
    contact_phone: str | None = Field(default=None, min_length=10, max_length=25)


class WorkOrderPublic(SQLModel):
    order_number: str
    kind: WorkOrderKind
    priority: Priority
    status: WorkOrderStatus
    location: str
    description: str
    fee: Decimal
    created_at: datetime


class OutagePublic(SQLModel):
    title: str
    description: str
    planned: bool
    zips: list[str]
    starts_at: datetime
    expected_restore_at: datetime | None
    active: bool


class DecisionPublic(SQLModel):
    eligible: bool
    rule: str
    rule_text: ReasonPublic
    reasons: list[ReasonPublic]
    details: dict[str, Any]


class ExtensionRequest(SQLModel):
    days: int = Field(ge=1, le=60)


class ArrangementRequest(SQLModel):
    installments: int = Field(ge=2, le=24)


class FeeWaiverRequest(SQLModel):
    fee_kind: FeeKind = FeeKind.late_fee
    reason: str = Field(default="Customer asked for a waiver", min_length=3, max_length=1000)


class PolicyOutcome(SQLModel):
    """A policy request's result: done by the bot, or recorded for a representative."""

    outcome: Literal["granted", "referred", "nothing_to_grant"]
    decision: DecisionPublic
    reference: str | None = None
    message: ReasonPublic
