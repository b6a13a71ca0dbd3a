"""Reading accounts and their ledger: balance, past due and due date."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.models import (
    Account,
    Bill,
    Customer,
    DueDateExtension,
    FeeAdjustment,
    Payment,
    Premise,
)
from backend.models.common import AdjustmentStatus

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


def _sum(session: Session, stmt) -> int:  # type: ignore[no-untyped-def]
    return int(session.exec(stmt).one() or 0)


def ledger(*, session: Session, account: Account, today: date) -> Ledger:
    bills = session.exec(
        select(Bill.id, Bill.due_date, Bill.total_cents)
        .where(Bill.account_id == account.id)
        .order_by(col(Bill.bill_date))
    ).all()
    paid = _sum(
        session,
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.account_id == account.id
        ),
    )
    # Credits not yet printed on a bill lower the balance straight away.
    credits = _sum(
        session,
        select(func.coalesce(func.sum(FeeAdjustment.amount_cents), 0)).where(
            FeeAdjustment.account_id == account.id,
            col(FeeAdjustment.status).in_(CREDITING),
            col(FeeAdjustment.credited_on_bill_id).is_(None),
        ),
    )
    extended = dict(
        session.exec(
            select(DueDateExtension.bill_id, DueDateExtension.new_due_date).where(
                DueDateExtension.account_id == account.id
            )
        ).all()
    )
    billed = sum(total for _, _, total in bills)
    balance = billed - paid - credits
    overdue = sum(
        total for bill_id, due, total in bills if extended.get(bill_id, due) < today
    )
    # Payments settle the oldest bills first, so only what's left of overdue bills is past due.
    past_due = max(0, min(balance, overdue - paid - credits))
    last_bill = None
    due_date = None
    if bills:
        last_bill = session.get(Bill, bills[-1][0])
        assert last_bill is not None
        due_date = extended.get(last_bill.id, last_bill.due_date)
    return Ledger(
        balance_cents=balance, past_due_cents=past_due, due_date=due_date, last_bill=last_bill
    )


def recent_bills(*, session: Session, account: Account, limit: int = 24) -> list[Bill]:
    return list(
        session.exec(
            select(Bill)
            .where(Bill.account_id == account.id)
            .order_by(col(Bill.bill_date).desc())
            .limit(limit)
        ).all()
    )
