"""Service orders (start/stop/transfer), field work orders and outages."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import StringConstraints
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from backend.models.common import (
    AccountType,
    OrderStatus,
    OutageReportKind,
    Priority,
    ServiceOrderKind,
    WorkOrderKind,
    WorkOrderStatus,
    utcnow,
)


class ServiceOrder(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_number: str = Field(unique=True, index=True, max_length=20)
    kind: ServiceOrderKind = Field(sa_type=String(10))
    status: OrderStatus = Field(default=OrderStatus.pending, sa_type=String(12))
    customer_id: int | None = Field(default=None, foreign_key="customer.id")
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    # The account a start or transfer opens.
    new_account_id: int | None = Field(default=None, foreign_key="account.id")
    premise_id: int | None = Field(default=None, foreign_key="premise.id")
    account_type: AccountType | None = Field(default=None, sa_type=String(32))
    requested_date: date
    forwarding_address: str | None = Field(default=None, max_length=300)
    deposit_cents: int = 0
    notes: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class WorkOrder(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    order_number: str = Field(unique=True, index=True, max_length=20)
    kind: WorkOrderKind = Field(sa_type=String(24))
    priority: Priority = Field(default=Priority.normal, sa_type=String(10))
    status: WorkOrderStatus = Field(default=WorkOrderStatus.open, sa_type=String(12))
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    location: str = Field(max_length=300)
    zip: str | None = Field(default=None, max_length=10)
    description: str = Field(max_length=2000)
    fee_cents: int = 0
    contact_phone: str | None = Field(default=None, max_length=15)
    created_at: datetime = Field(default_factory=utcnow)


class Outage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(max_length=2000)
    # Space-separated ZIPs and street names it covers, matched case-insensitively.
    zips: str = Field(max_length=200)
    streets: str = Field(default="", max_length=1000)
    planned: bool = False
    starts_at: datetime
    expected_restore_at: datetime | None = None
    restored_at: datetime | None = None


class OutageReport(SQLModel, table=True):
    """A customer's report of no water or low pressure, matched to a known outage if one covers
    the address."""

    id: int | None = Field(default=None, primary_key=True)
    report_number: str = Field(unique=True, index=True, max_length=20)
    kind: OutageReportKind = Field(sa_type=String(16))
    account_id: int | None = Field(default=None, foreign_key="account.id", index=True)
    location: str = Field(max_length=300)
    zip: str | None = Field(default=None, max_length=10)
    description: str = Field(default="", max_length=2000)
    outage_id: int | None = Field(default=None, foreign_key="outage.id")
    # The field work order made when no known outage explains it.
    work_order_id: int | None = Field(default=None, foreign_key="workorder.id")
    conversation_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)


class OutageReportCreate(SQLModel):
    """A customer's report. The account comes only from a verification token, never the body."""

    kind: OutageReportKind
    location: str | None = Field(default=None, min_length=3, max_length=300)
    zip: Annotated[str, StringConstraints(pattern=r"^\d{5}(-\d{4})?$")] | None = None
    description: str = Field(default="", max_length=2000)


class OutageReportPublic(SQLModel):
    report_number: str
    kind: OutageReportKind
    location: str
    zip: str | None
    # The known outage that covers the place, if one does.
    outage: dict[str, Any] | None
    work_order_number: str | None
    created_at: datetime


class AccountOrderPublic(SQLModel):
    """One of an account's service or work orders, as its customer may see it."""

    order_number: str
    order_type: Literal["service", "work"]
    kind: str
    status: str
    # A service order's requested date; a work order has none until it is scheduled.
    scheduled_date: date | None
    created_at: datetime
