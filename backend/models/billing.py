"""Bills and their lines, payments, arrangements, extensions and fee adjustments.

Money is stored as integer cents so sums are exact on every database.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from backend.models.common import (
    AdjustmentStatus,
    ArrangementStatus,
    ChargeStatus,
    FeeKind,
    LineKind,
    PaymentChannel,
    PaymentMethod,
    ReadType,
    utcnow,
)


class Bill(SQLModel, table=True):
    # An account's bills in date order: its latest bill, read with every account summary, is
    # one probe instead of a walk down the whole table's bill_date index.
    __table_args__ = (Index("ix_bill_account_id_bill_date", "account_id", "bill_date", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id")
    period_start: date
    period_end: date
    bill_date: date = Field(index=True)
    due_date: date
    consumption_hcf: int
    read_type: ReadType = Field(default=ReadType.actual, sa_type=String(12))
    night_flow_gph: float = 0.0
    meter_size: str = Field(max_length=8)
    schedule_name: str = Field(max_length=40)
    total_cents: int


class BillLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True)
    position: int
    kind: LineKind = Field(sa_type=String(20))
    description: str = Field(max_length=200)
    quantity: int | None = None
    unit_price_cents: int | None = None
    tier: int | None = None
    amount_cents: int


class Payment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    bill_id: int | None = Field(default=None, foreign_key="bill.id")
    amount_cents: int
    paid_on: date = Field(index=True)
    method: PaymentMethod = Field(sa_type=String(12))
    channel: PaymentChannel = Field(default=PaymentChannel.mail, sa_type=String(12))
    # The processor's reference: a payment posted twice is recognised by it.
    reference: str | None = Field(default=None, max_length=40, unique=True)
    # Paid after the bill's due date: what the late-fee and deposit policies count.
    late: bool = False


class PaymentArrangement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    total_cents: int
    installments: int
    status: ArrangementStatus = Field(
        default=ArrangementStatus.active, sa_type=String(12)
    )
    created_on: date
    created_at: datetime = Field(default_factory=utcnow)


class Installment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    arrangement_id: int = Field(foreign_key="paymentarrangement.id", index=True)
    number: int
    due_date: date
    amount_cents: int
    paid: bool = False


class DueDateExtension(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    bill_id: int = Field(foreign_key="bill.id", index=True)
    original_due_date: date
    new_due_date: date
    granted_on: date


class FeeAdjustment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    bill_id: int | None = Field(default=None, foreign_key="bill.id")
    fee_kind: FeeKind = Field(sa_type=String(20))
    amount_cents: int
    status: AdjustmentStatus = Field(sa_type=String(16))
    reason: str = Field(max_length=1000)
    policy_rule: str = Field(max_length=60)
    decided_by: str | None = Field(default=None, max_length=100)
    requested_on: date
    # Set once the credit appears on a bill; until then it reduces the balance directly.
    credited_on_bill_id: int | None = Field(default=None, foreign_key="bill.id")
    # What was waived: a charge or a held deposit is credited at most once.
    charge_id: int | None = Field(default=None, foreign_key="pendingcharge.id", unique=True)
    deposit_id: int | None = Field(default=None, foreign_key="deposit.id", unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class PendingCharge(SQLModel, table=True):
    """A fee charged between bills (meter test, reconnection, new-service deposit): part of
    the balance at once, not past due, and printed on the next bill."""

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    fee_kind: FeeKind = Field(sa_type=String(20))
    amount_cents: int
    description: str = Field(max_length=200)
    # What it is for: a work order or service order number.
    source: str | None = Field(default=None, max_length=40)
    status: ChargeStatus = Field(default=ChargeStatus.pending, sa_type=String(12))
    billed_on_bill_id: int | None = Field(default=None, foreign_key="bill.id")
    created_on: date
    created_at: datetime = Field(default_factory=utcnow)


class PaymentCreate(SQLModel):
    """A payment the processor took (POST /accounts/{n}/payments). Never a card number: any other
    field, or a reference with a card-length run of digits, is refused by the route."""

    model_config = {"extra": "allow"}  # refused by name in the route, so no value is echoed

    amount: Decimal = Field(gt=0, le=Decimal("1000000"), decimal_places=2)
    method: PaymentMethod
    channel: PaymentChannel = PaymentChannel.web
    # The processor's own reference: a repeat with it returns the first payment.
    reference: str | None = None


class PaymentPublic(SQLModel):
    id: int
    reference: str | None
    amount: Decimal
    paid_on: date
    method: PaymentMethod
    channel: PaymentChannel
    late: bool


class PaymentPosted(SQLModel):
    payment: PaymentPublic
    # A repeat of a reference already posted: nothing was written.
    duplicate: bool
    balance: Decimal
    past_due: Decimal
    # The turn-on work order a payment in full on a shut-off account made, with its fee.
    turn_on_order: str | None = None
    reconnection_fee: Decimal | None = None
