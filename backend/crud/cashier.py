"""Reading one district day's payments for the cashier's report (backend.domain.cashier does the
figures). Balances come from the ledger in backend.crud.accounts, never recomputed here."""

from datetime import date

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from backend.crud.accounts import ledger
from backend.domain.cashier import (
    AccountNow,
    CashierDay,
    DayPayment,
    DayRows,
    GroupTotal,
    Posting,
    reconcile,
)
from backend.models import Account, Bill, Payment, PendingCharge
from backend.models.common import ChargeStatus


def latest_day(*, session: Session, today: date) -> date | None:
    """The most recent day up to `today` with any payment."""
    return session.exec(select(func.max(Payment.paid_on)).where(Payment.paid_on <= today)).one()


def _payments(session: Session, day: date) -> list[DayPayment]:
    payer, owner = aliased(Account), aliased(Account)
    rows = session.exec(
        select(Payment, payer.account_number, owner.account_number, Bill.total_cents)
        .join(payer, col(payer.id) == Payment.account_id)
        .outerjoin(Bill, col(Bill.id) == Payment.bill_id)
        .outerjoin(owner, col(owner.id) == Bill.account_id)
        .where(Payment.paid_on == day).order_by(col(Payment.id))).all()
    return [DayPayment(id=p.id, account_number=number, amount_cents=p.amount_cents,  # type: ignore[arg-type]
                       paid_on=p.paid_on, channel=str(p.channel), method=str(p.method),
                       reference=p.reference, bill_id=p.bill_id, bill_account_number=bill_number,
                       bill_total_cents=bill_total, late=p.late)
            for p, number, bill_number, bill_total in rows]


def _groups(session: Session, day: date) -> list[GroupTotal]:
    rows = session.exec(
        select(Payment.channel, Payment.method, func.count(), func.sum(Payment.amount_cents))
        .where(Payment.paid_on == day).group_by(Payment.channel, Payment.method)).all()
    return [GroupTotal(str(ch), str(m), int(n), int(cents or 0)) for ch, m, n, cents in rows]


def _postings(session: Session, day: date, bill_ids: set[int],
              account_ids: set[int]) -> list[Posting]:
    """Every payment on the day's bills (to know what was paid on them before), and every
    payment of the paying accounts from the day on (to take them back out of the balance)."""
    rows = session.exec(
        select(Payment.id, Payment.paid_on, Payment.amount_cents, Account.account_number,
               Payment.bill_id)
        .join(Account, col(Account.id) == Payment.account_id)
        .where(or_(col(Payment.bill_id).in_(bill_ids),
                   and_(col(Payment.account_id).in_(account_ids), Payment.paid_on >= day)))
    ).all()
    return [Posting(*row) for row in rows]


def _later_charges(session: Session, day: date, account_ids: set[int]) -> dict[int, int]:
    """Bills dated after the day and charges made after it, per account: not owed on the day."""
    bills = session.exec(
        select(Bill.account_id, func.sum(Bill.total_cents))
        .where(col(Bill.account_id).in_(account_ids), Bill.bill_date > day)
        .group_by(Bill.account_id)).all()
    charges = session.exec(
        select(PendingCharge.account_id, func.sum(PendingCharge.amount_cents))
        .where(col(PendingCharge.account_id).in_(account_ids),
               PendingCharge.status == ChargeStatus.pending, PendingCharge.created_on > day)
        .group_by(PendingCharge.account_id)).all()
    out: dict[int, int] = {}
    for account_id, cents in [*bills, *charges]:
        out[account_id] = out.get(account_id, 0) + int(cents or 0)
    return out


def load_day(*, session: Session, day: date) -> DayRows:
    payments = _payments(session, day)
    numbers = {p.account_number for p in payments}
    accounts = list(session.exec(
        select(Account).where(col(Account.account_number).in_(numbers)))) if numbers else []
    ids = {a.id for a in accounts if a.id is not None}
    bill_ids = {p.bill_id for p in payments if p.bill_id is not None}
    later = _later_charges(session, day, ids) if ids else {}
    now = {a.account_number: AccountNow(
        balance_cents=ledger(session=session, account=a, today=day).balance_cents,
        later_charges_cents=later.get(a.id, 0))  # type: ignore[arg-type]
        for a in accounts}
    return DayRows(day=day, payments=payments, groups=_groups(session, day),
                   postings=_postings(session, day, bill_ids, ids) if payments else [],
                   accounts=now)


def cashier_day(*, session: Session, day: date) -> CashierDay:
    """The day's report: totals by channel and method, each payment checked."""
    return reconcile(load_day(session=session, day=day))
