"""Reading accounts and their ledger: balance, past due and due date."""

from dataclasses import dataclass
from datetime import date

from functools import lru_cache

from sqlalchemy import Date, bindparam, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.models import (
    Account,
    Bill,
    Customer,
    DueDateExtension,
    FeeAdjustment,
    Payment,
    PendingCharge,
    Premise,
)
from backend.models.common import (
    AccountStatus,
    AccountType,
    AdjustmentStatus,
    ChargeStatus,
    Language,
    ReadType,
)

CREDITING = (AdjustmentStatus.granted, AdjustmentStatus.approved)


@dataclass(frozen=True)
class AccountBundle:
    account: Account
    customer: Customer
    premise: Premise


@dataclass(frozen=True)
class Ledger:
    balance_cents: int
    past_due_cents: int
    due_date: date | None
    last_bill: Bill | None


def get_bundle(*, session: Session, account_number: str) -> AccountBundle | None:
    row = session.exec(
        select(Account, Customer, Premise)
        .join(Customer, col(Account.customer_id) == Customer.id)
        .join(Premise, col(Account.premise_id) == Premise.id)
        .where(Account.account_number == account_number)
    ).first()
    return AccountBundle(*row) if row else None


def get_account(*, session: Session, account_number: str) -> Account | None:
    return session.exec(
        select(Account).where(Account.account_number == account_number)
    ).first()


def _ledger_columns(account_id, today: date):  # type: ignore[no-untyped-def]
    """Balance parts as scalar subqueries, so a summary is one round trip.

    What is charged counts the bills and the charges made since the last bill (a meter test, a
    reconnection, a new-service deposit); those are never past due. A credit against one of
    those charges offsets that charge, so it is taken from what is charged, not from the credits
    that settle overdue bills."""
    due = func.coalesce(DueDateExtension.new_due_date, Bill.due_date)
    billed = select(func.coalesce(func.sum(Bill.total_cents), 0)).where(
        Bill.account_id == account_id).scalar_subquery()
    pending = select(func.coalesce(func.sum(PendingCharge.amount_cents), 0)).where(
        PendingCharge.account_id == account_id,
        PendingCharge.status == ChargeStatus.pending).scalar_subquery()
    overdue = (
        select(func.coalesce(func.sum(Bill.total_cents), 0))
        .select_from(Bill)
        .outerjoin(DueDateExtension, col(DueDateExtension.bill_id) == Bill.id)
        .where(Bill.account_id == account_id, due < today)
        .scalar_subquery()
    )
    paid = select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
        Payment.account_id == account_id).scalar_subquery()
    # Credits not yet printed on a bill lower the balance straight away.
    unprinted = (FeeAdjustment.account_id == account_id,
                 col(FeeAdjustment.status).in_(CREDITING),
                 col(FeeAdjustment.credited_on_bill_id).is_(None))
    credits = select(func.coalesce(func.sum(FeeAdjustment.amount_cents), 0)).where(
        *unprinted).scalar_subquery()
    on_pending = (
        select(func.coalesce(func.sum(FeeAdjustment.amount_cents), 0))
        .select_from(FeeAdjustment)
        .join(PendingCharge, col(PendingCharge.id) == FeeAdjustment.charge_id)
        .where(*unprinted, PendingCharge.status == ChargeStatus.pending)
        .scalar_subquery()
    )
    return billed + pending - on_pending, overdue, paid, credits - on_pending


@lru_cache(maxsize=1)
def _latest_bill_statement():  # type: ignore[no-untyped-def]
    return (
        select(Bill, DueDateExtension.new_due_date)
        .outerjoin(DueDateExtension, col(DueDateExtension.bill_id) == Bill.id)
        .where(Bill.account_id == bindparam("account_id"))
        .order_by(col(Bill.bill_date).desc(), col(Bill.id).desc())
        .limit(1)
    )


def _latest_bill(session: Session, account_id: int) -> tuple[Bill | None, date | None]:
    row = session.exec(_latest_bill_statement(), params={"account_id": account_id}).first()
    if row is None:
        return None, None
    bill, extended = row
    return bill, extended or bill.due_date


def _balances(billed: int, overdue: int, paid: int, credits: int) -> tuple[int, int]:
    """The balance and what of it is past due (`billed` includes the charges not yet billed,
    net of their credits; `overdue` is only bills past their due date)."""
    balance = billed - paid - credits
    # Payments settle the oldest bills first, so only what's left of overdue bills is past due.
    return balance, max(0, min(balance, overdue - paid - credits))


def _make_ledger(billed: int, overdue: int, paid: int, credits: int,
                 last_bill: Bill | None, due_date: date | None) -> Ledger:
    balance, past_due = _balances(billed, overdue, paid, credits)
    return Ledger(balance_cents=balance, past_due_cents=past_due, due_date=due_date,
                  last_bill=last_bill)


@dataclass(frozen=True)
class Summary:
    bundle: AccountBundle
    ledger: Ledger


@lru_cache(maxsize=1)
def _summary_statement():  # type: ignore[no-untyped-def]
    # Built once with bound parameters: constructing this select cost more than running it.
    parts = _ledger_columns(Account.id, bindparam("today", type_=Date))
    return (
        select(Account, Customer, Premise, *parts)
        .join(Customer, col(Account.customer_id) == Customer.id)
        .join(Premise, col(Account.premise_id) == Premise.id)
        .where(Account.account_number == bindparam("account_number"))
    )


def summary(*, session: Session, account_number: str, today: date) -> Summary | None:
    """An account with its customer, premise and ledger in two queries (the hottest read)."""
    row = session.exec(
        _summary_statement(), params={"account_number": account_number, "today": today}
    ).first()
    if row is None:
        return None
    account, customer, premise, billed, overdue, paid, credits = row
    last_bill, due_date = _latest_bill(session, account.id)
    return Summary(
        bundle=AccountBundle(account, customer, premise),
        ledger=_make_ledger(int(billed), int(overdue), int(paid), int(credits), last_bill, due_date),
    )


@dataclass(frozen=True)
class LastBill:
    """The columns of an account's latest bill that its summary shows (named as on Bill)."""
    id: int
    bill_date: date
    due_date: date
    period_start: date
    period_end: date
    consumption_hcf: int
    read_type: ReadType
    total_cents: int


@dataclass(frozen=True)
class SummaryFields:
    """An account at a glance as plain values: the account API's summary and the rep console's
    card both show exactly these."""
    account_number: str
    account_type: AccountType
    status: AccountStatus
    autopay: bool
    paperless: bool
    shutoff_scheduled_on: date | None
    returned_mail: bool
    email_bounced: bool
    first_name: str
    last_name: str
    business_name: str | None
    preferred_language: Language
    street: str
    unit: str | None
    city: str
    state: str
    zip: str
    balance_cents: int
    past_due_cents: int
    due_date: date | None
    last_bill: Bill | LastBill | None


# SummaryFields' first columns, in its order.
_FIELD_COLUMNS = (
    Account.account_number, Account.account_type, Account.status, Account.autopay_enabled,
    Account.paperless_enabled, Account.shutoff_scheduled_on, Account.returned_mail,
    Account.email_bounced, Customer.first_name, Customer.last_name, Customer.business_name,
    Customer.preferred_language, Premise.street, Premise.unit, Premise.city, Premise.state, Premise.zip,
)


@lru_cache(maxsize=1)
def _fields_statement():  # type: ignore[no-untyped-def]
    parts = _ledger_columns(Account.id, bindparam("today", type_=Date))
    # The latest bill as _latest_bill picks it, joined by id. Aliases, so that the ledger's
    # subqueries, which read bill and duedateextension too, don't correlate to them.
    other, latest, extension = aliased(Bill), aliased(Bill), aliased(DueDateExtension)
    latest_id = (
        select(other.id).where(other.account_id == Account.id)
        .order_by(col(other.bill_date).desc(), col(other.id).desc()).limit(1)
        .correlate(Account).scalar_subquery()
    )
    return (
        select(*_FIELD_COLUMNS, latest.id, latest.bill_date, latest.due_date,
               latest.period_start, latest.period_end, latest.consumption_hcf,
               latest.read_type, latest.total_cents, extension.new_due_date, *parts)
        .join(Customer, col(Account.customer_id) == Customer.id)
        .join(Premise, col(Account.premise_id) == Premise.id)
        .outerjoin(latest, col(latest.id) == latest_id)
        .outerjoin(extension, col(extension.bill_id) == latest.id)
        .where(Account.account_number == bindparam("account_number"))
    )


def summary_fields(*, session: Session, account_number: str,
                   today: date) -> SummaryFields | None:
    """What summary() gives, in one query of plain columns: the account API's hottest read.
    Loading it as ORM objects (summary()) cost more than the query itself."""
    # One statement sees one snapshot by itself. On PostgreSQL, running it outside a transaction
    # saves the BEGIN and ROLLBACK round trips; on SQLite, switching modes costs more than that.
    options = {"isolation_level": "AUTOCOMMIT"} if not session.in_transaction() \
        and session.get_bind().dialect.name == "postgresql" else None
    row = session.connection(execution_options=options).execute(
        _fields_statement(), {"account_number": account_number, "today": today}
    ).first()
    if row is None:
        return None
    n = len(_FIELD_COLUMNS)
    bill, extended, (billed, overdue, paid, credits) = row[n:n + 8], row[n + 8], row[n + 9:]
    last_bill = LastBill(*bill) if bill[0] is not None else None
    balance, past_due = _balances(int(billed), int(overdue), int(paid), int(credits))
    return SummaryFields(
        *row[:n], balance_cents=balance, past_due_cents=past_due,
        due_date=(extended or last_bill.due_date) if last_bill else None, last_bill=last_bill,
    )


def fields_of(found: Summary) -> SummaryFields:
    account, customer, premise = found.bundle.account, found.bundle.customer, found.bundle.premise
    return SummaryFields(
        account.account_number, account.account_type, account.status, account.autopay_enabled,
        account.paperless_enabled, account.shutoff_scheduled_on, account.returned_mail,
        account.email_bounced, customer.first_name, customer.last_name, customer.business_name,
        customer.preferred_language, premise.street, premise.unit, premise.city, premise.state,
        premise.zip, balance_cents=found.ledger.balance_cents,
        past_due_cents=found.ledger.past_due_cents, due_date=found.ledger.due_date,
        last_bill=found.ledger.last_bill,
    )


def ledger(*, session: Session, account: Account, today: date) -> Ledger:
    billed, overdue, paid, credits = session.exec(
        select(*_ledger_columns(account.id, today))).one()
    last_bill, due_date = _latest_bill(session, account.id)  # type: ignore[arg-type]
    return _make_ledger(int(billed), int(overdue), int(paid), int(credits), last_bill, due_date)


def recent_bills(*, session: Session, account: Account, limit: int = 24) -> list[Bill]:
    return list(
        session.exec(
            select(Bill)
            .where(Bill.account_id == account.id)
            .order_by(col(Bill.bill_date).desc())
            .limit(limit)
        ).all()
    )


def greeting_name(*, session: Session, account_number: str) -> str | None:
    """The name to greet an account holder by: the first name, else the business name."""
    row = session.exec(
        select(Customer.first_name, Customer.business_name)
        .join(Account, col(Account.customer_id) == Customer.id)
        .where(Account.account_number == account_number)
    ).first()
    if row is None:
        return None
    first, business = row
    return " ".join((first or "").split()) or " ".join((business or "").split()) or None
