"""Accounts, their meters and reads, deposits and notes."""

from datetime import date, datetime
from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy import String
from sqlmodel import Field, SQLModel

from backend.models.common import (
    AccountStatus,
    AccountType,
    DepositStatus,
    ReadType,
    utcnow,
)


class AccountBase(SQLModel):
    account_number: str = Field(unique=True, index=True, max_length=12)
    account_type: AccountType = Field(sa_type=String(32))
    status: AccountStatus = Field(default=AccountStatus.active, sa_type=String(20))
    opened_on: date
    closed_on: date | None = None
    autopay_enabled: bool = False
    paperless_enabled: bool = False
    # Bills mailed to the address on file came back: reps follow up.
    returned_mail: bool = False
    # An e-bill to the email on file bounced: reps follow up by another channel.
    email_bounced: bool = False
    shutoff_scheduled_on: date | None = None
    # Proactive leak alerts by email: on unless the customer opts out.
    leak_alerts: bool = True


class Account(AccountBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    premise_id: int = Field(foreign_key="premise.id", index=True)
    autopay_last4: str | None = Field(default=None, max_length=4)
    updated_at: datetime = Field(default_factory=utcnow)


class MeterBase(SQLModel):
    serial: str = Field(unique=True, max_length=20)
    size: str = Field(max_length=8)
    installed_on: date


class Meter(MeterBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    premise_id: int = Field(foreign_key="premise.id", index=True)


class MeterReadBase(SQLModel):
    read_date: date = Field(index=True)
    reading: int  # cumulative register, HCF
    read_type: ReadType = Field(default=ReadType.actual, sa_type=String(12))
    # Lowest overnight hourly flow over the period (AMI): above zero, water never stopped.
    night_flow_gph: float = 0.0


class MeterRead(MeterReadBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    meter_id: int = Field(foreign_key="meter.id", index=True)


class Deposit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    amount_cents: int
    status: DepositStatus = Field(default=DepositStatus.held, sa_type=String(12))
    reason: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class AccountNote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    author: str = Field(max_length=100)
    body: str = Field(max_length=4000)
    created_at: datetime = Field(default_factory=utcnow)


class ReturnedMailIn(SQLModel):
    """A rep marks mail to the account's mailing address (a bill) as returned."""

    # In the type: SQLModel's Field(regex=...) is not enforced under pydantic 2.
    account_number: Annotated[str, StringConstraints(pattern=r"^\d{7}$")]
    bill_id: int | None = Field(default=None, gt=0)
    note: str | None = Field(default=None, max_length=1000)


class ReturnedMailPublic(SQLModel):
    account_number: str
    returned_mail: bool
    note_id: int
    # The customer was asked by email to confirm their mailing address (first mark only).
    emailed: bool
