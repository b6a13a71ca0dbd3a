"""Bills as the engines see them: line items and usage periods."""

from sqlmodel import Session, col, select

from backend.domain.rates import BillLineItem, from_cents
from backend.models import Account, Bill, BillLine


def lines_of(*, session: Session, bill: Bill) -> list[BillLineItem]:
    rows = session.exec(
        select(BillLine).where(BillLine.bill_id == bill.id).order_by(col(BillLine.position))
    ).all()
    return [
        BillLineItem(
            kind=row.kind, description=row.description, amount=from_cents(row.amount_cents),
            quantity=row.quantity,
            unit_price=None if row.unit_price_cents is None else from_cents(row.unit_price_cents),
            tier=row.tier,
        )
        for row in rows
    ]


def history(*, session: Session, account: Account, limit: int = 25) -> list[Bill]:
    """Up to `limit` bills, oldest first: what the usage and high-bill engines read."""
    newest_first = session.exec(
        select(Bill).where(Bill.account_id == account.id)
        .order_by(col(Bill.period_end).desc()).limit(limit)
    ).all()
    return list(reversed(newest_first))


def get_bill(*, session: Session, account: Account, bill_id: int) -> Bill | None:
    bill = session.get(Bill, bill_id)
    return bill if bill is not None and bill.account_id == account.id else None
