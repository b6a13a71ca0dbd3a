"""The cashier's day, for supervisors: one district day's payments by channel and method, each
checked against the bill and balance it was applied to, as JSON or as a CSV download."""

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from backend.api.deps import CurrentSupervisor, SessionDep, TodayDep
from backend.crud import cashier as cashier_crud
from backend.domain.cashier import REASONS, CashierDay, Checked, Line
from backend.domain.rates import from_cents
from common.cards import mask_cards

router = APIRouter(prefix="/cashier", tags=["cashier"])

DayQuery = Annotated[date | None, Query(
    alias="date", description="The district day (YYYY-MM-DD); without it, the most recent day "
                              "with payments, up to today")]


class TotalLine(BaseModel):
    key: str
    count: int
    amount: Decimal


class CashierPayment(BaseModel):
    id: int
    account_number: str
    bill_id: int | None
    # The account the named bill belongs to (differs from account_number when misapplied).
    bill_account_number: str | None
    amount: Decimal
    paid_on: date
    channel: str
    method: str
    reference: str | None
    late: bool
    status: str  # applied | unapplied | mismatched
    reasons: list[str]
    why: str
    balance_before: Decimal
    bill_paid_before: Decimal | None


class CashierDayPublic(BaseModel):
    day: date
    by_channel: list[TotalLine]
    by_method: list[TotalLine]
    total: TotalLine
    listed: TotalLine
    applied: TotalLine
    unapplied: TotalLine
    mismatched: TotalLine
    balanced: bool
    problems: list[str]
    payments: list[CashierPayment]


def _line(line: Line) -> TotalLine:
    return TotalLine(key=line.key, count=line.count, amount=from_cents(line.cents))


def _why(checked: Checked) -> str:
    return "; ".join(REASONS.get(r, r) for r in checked.reasons)


def _reference(value: str | None) -> str | None:
    # Processor references only, but never print anything card-shaped a processor may have sent.
    return mask_cards(value) if value else value


def _payment(c: Checked) -> CashierPayment:
    p = c.payment
    return CashierPayment(
        id=p.id, account_number=p.account_number, bill_id=p.bill_id,
        bill_account_number=p.bill_account_number, amount=from_cents(p.amount_cents),
        paid_on=p.paid_on, channel=p.channel, method=p.method, reference=_reference(p.reference),
        late=p.late, status=c.status, reasons=list(c.reasons), why=_why(c),
        balance_before=from_cents(c.balance_before_cents),
        bill_paid_before=None if c.bill_paid_before_cents is None
        else from_cents(c.bill_paid_before_cents))


def _public(report: CashierDay) -> CashierDayPublic:
    return CashierDayPublic(
        day=report.day, by_channel=[_line(x) for x in report.by_channel],
        by_method=[_line(x) for x in report.by_method], total=_line(report.total),
        listed=_line(report.listed), applied=_line(report.applied),
        unapplied=_line(report.unapplied), mismatched=_line(report.mismatched),
        balanced=report.balanced, problems=report.problems,
        payments=[_payment(c) for c in report.payments])


def _report(session: SessionDep, today: date, day: date | None) -> CashierDay:
    chosen = day or cashier_crud.latest_day(session=session, today=today) or today
    return cashier_crud.cashier_day(session=session, day=chosen)


@router.get("/day", response_model=CashierDayPublic)
def read_day(session: SessionDep, today: TodayDep, _supervisor: CurrentSupervisor,
             day: DayQuery = None) -> Any:
    """Payments received on the day: totals by channel and by method, and every payment with its
    status (applied, unapplied or mismatched, and why). `balanced` says whether the totals by
    channel, by method and the listed payments agree."""
    return _public(_report(session, today, day))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet won't run: text starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(report: CashierDay) -> str:
    out = io.StringIO()
    write = csv.writer(out, lineterminator="\r\n").writerow

    def row(*cells: Any) -> None:
        write([_cell(c) for c in cells])

    row("payment_id", "paid_on", "account_number", "bill_id", "bill_account_number", "amount",
        "channel", "method", "reference", "late", "status", "why")
    for c in report.payments:
        p = c.payment
        row(p.id, p.paid_on.isoformat(), p.account_number, p.bill_id, p.bill_account_number,
            from_cents(p.amount_cents), p.channel, p.method, _reference(p.reference),
            "yes" if p.late else "no", c.status, _why(c))
    row()
    row("section", "key", "count", "amount")
    for section, lines in (("channel", report.by_channel), ("method", report.by_method),
                           ("status", (report.applied, report.unapplied, report.mismatched)),
                           ("total", (report.total, report.listed))):
        for line in lines:
            row(section, line.key, line.count, from_cents(line.cents))
    row("balanced", "yes" if report.balanced else "no", "", "")
    return out.getvalue()


@router.get("/day.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The day as CSV"}})
def read_day_csv(session: SessionDep, today: TodayDep, _supervisor: CurrentSupervisor,
                 day: DayQuery = None) -> Response:
    """The same day as a CSV file: one line per payment, then the totals."""
    report = _report(session, today, day)
    return Response(_csv(report), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="cashier-{report.day.isoformat()}.csv"'})
