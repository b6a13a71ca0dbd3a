"""Deterministic demo data: customers, accounts and 24 months of reads, bills and payments.

seed_demo() fills an empty database once. All randomness comes from one
random.Random(seed) and every date from the `today` the caller passes, so the same
inputs give the same rows. Rows are collected in memory with ids assigned here and
inserted in bulk: children reference parents without a flush per row.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import DateTime, insert, select, text

from backend.domain.district import District
from backend.domain.rates import (
    BillLineItem,
    compute_bill,
    credit_line,
    late_fee_line,
    to_cents,
)
from backend.models import (
    Account,
    AccountNote,
    Bill,
    BillLine,
    Customer,
    Deposit,
    FeeAdjustment,
    Installment,
    Meter,
    MeterRead,
    NightFlow,
    Outage,
    Payment,
    PaymentArrangement,
    Premise,
    ServiceOrder,
    WorkOrder,
)
from backend.seed.payments import received

# Parents before children, so foreign keys hold at every batch.
INSERT_ORDER: tuple[type, ...] = (
    Customer, Premise, Account, Meter, NightFlow, MeterRead, Bill, BillLine, Payment,
    FeeAdjustment, PaymentArrangement, Installment, Deposit, AccountNote, ServiceOrder,
    WorkOrder, Outage,
)
BATCH_SIZE = 5000
OUTAGE_ZIP = "92688"
OUTAGE_STREET = "Antonio Pkwy"


@dataclass(frozen=True)
class SeedReport:
    seeded: bool
    message: str
    today: date
    accounts: int = 0
    bills: int = 0
    payments: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0

    def line(self) -> str:
        if not self.seeded:
            return self.message
        extra = f"; warnings: {' | '.join(self.warnings)}" if self.warnings else ""
        return f"{self.message} in {self.seconds:.1f}s{extra}"


class Rows:
    """Rows per table, each with an explicit id (its 1-based position)."""

    def __init__(self) -> None:
        self.data: dict[type, list[dict[str, Any]]] = {m: [] for m in INSERT_ORDER}
        self._defaults = {m: _column_defaults(m) for m in INSERT_ORDER}
        self._width = {m: len(m.model_fields) for m in INSERT_ORDER}

    def add(self, model: type, **values: Any) -> int:
        rows = self.data[model]
        row = dict(self._defaults[model])
        row.update(values)
        row["id"] = len(rows) + 1
        # Bulk inserts need the same keys in every row: catch a forgotten column here.
        if len(row) != self._width[model]:
            missing = set(model.model_fields) - set(row)
            raise ValueError(f"{model.__name__} row lacks {sorted(missing)}")
        rows.append(row)
        return row["id"]

    def count(self, model: type) -> int:
        return len(self.data[model])


def _column_defaults(model: type) -> dict[str, Any]:
    # default_factory fields (timestamps) are left out: the generator sets them so
    # the output does not depend on the wall clock.
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "id" or info.default_factory is not None:
            continue
        if info.default is not PydanticUndefined:
            value = info.default
            out[name] = value.value if isinstance(value, Enum) else value
    return out


@dataclass
class Ctx:
    rng: random.Random
    district: District
    today: date
    rows: Rows = field(default_factory=Rows)
    warnings: list[str] = field(default_factory=list)
    # The seed itself: side choices (payment channels) draw from their own Random seeded by it.
    seed: int = 0

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        # `hour` is Pacific time, stored as naive UTC at a fixed UTC-8: fine for demo data.
        return datetime.combine(day, time(hour, minute)) + timedelta(hours=8)


@dataclass(frozen=True)
class AcctRef:
    account_id: int
    meter_id: int
    account_type: str
    meter_size: str
    customer_id: int
    premise_id: int


@dataclass
class Period:
    start: date
    end: date
    consumption: int
    read_type: str = "actual"
    night_flow: float = 0.0


# (index, bill_id, bill_date, due_date, total_cents) -> [(paid_on, amount_cents, method)]
PayFn = Callable[[int, int, date, date, int], Sequence[tuple[date, int, str]]]
# (index of the bill carrying a late fee, its bill_date) -> waiver requested_on, or None
WaiveFn = Callable[[int, date], "date | None"]


def add_account(ctx: Ctx, *, customer: dict[str, Any], premise: dict[str, Any], number: str,
                account_type: str, meter_size: str, opened_on: date, meter_installed_on: date,
                **account: Any) -> AcctRef:
    """A customer, premise, account and meter; `account` holds flags like autopay_enabled."""
    rows = ctx.rows
    customer_id = rows.add(Customer, created_at=ctx.at(opened_on, 8, 30), **customer)
    premise_id = rows.add(Premise, **premise)
    account_id = rows.add(
        Account, customer_id=customer_id, premise_id=premise_id, account_number=number,
        account_type=account_type, opened_on=opened_on, updated_at=ctx.at(opened_on, 8, 30),
        **account,
    )
    meter_id = rows.add(Meter, premise_id=premise_id, size=meter_size,
                        serial=f"SMW{rows.count(Meter) + 1:07d}", installed_on=meter_installed_on)
    return AcctRef(account_id=account_id, meter_id=meter_id, account_type=account_type,
                   meter_size=meter_size, customer_id=customer_id, premise_id=premise_id)


def period_dates(*, rng: random.Random, last_end: date, n: int,
                 lengths: Sequence[int] = ()) -> list[tuple[date, date]]:
    """n consecutive (start, end) periods ending at last_end, walked backwards.

    `lengths` fixes the newest periods' lengths (newest first); the rest are drawn.
    """
    out: list[tuple[date, date]] = []
    end = last_end
    for k in range(n):
        if k < len(lengths):
            days = lengths[k]
        elif rng.random() < 0.03:
            days = rng.randint(35, 36)  # a skipped read route now and then
        else:
            days = rng.randint(28, 33)
        start = end - timedelta(days=days)
        out.append((start, end))
        end = start
    out.reverse()
    return out


def add_bill(ctx: Ctx, *, acct: AcctRef, period: Period,
             extras: Sequence[BillLineItem]) -> tuple[int, int, date, date]:
    """One Bill with exactly compute_bill's lines; returns (id, total_cents, bill_date, due)."""
    computed = compute_bill(
        district=ctx.district, account_type=acct.account_type, meter_size=acct.meter_size,
        consumption_hcf=period.consumption, period_end=period.end, extra_lines=tuple(extras),
    )
    total = to_cents(computed.total)
    bill_date = period.end + timedelta(days=2)
    due = bill_date + timedelta(days=ctx.district.billing.due_days)
    bill_id = ctx.rows.add(
        Bill, account_id=acct.account_id, period_start=period.start, period_end=period.end,
        bill_date=bill_date, due_date=due, consumption_hcf=period.consumption,
        read_type=period.read_type, night_flow_gph=period.night_flow,
        meter_size=acct.meter_size, schedule_name=computed.schedule_name, total_cents=total,
    )
    line_sum = 0
    for position, item in enumerate(computed.lines, start=1):
        amount = to_cents(item.amount)
        line_sum += amount
        ctx.rows.add(
            BillLine, bill_id=bill_id, position=position, kind=str(item.kind),
            description=item.description,
            quantity=None if item.quantity is None else int(item.quantity),
            unit_price_cents=None if item.unit_price is None else to_cents(item.unit_price),
            tier=item.tier, amount_cents=amount,
        )
    if line_sum != total:
        raise ValueError(f"bill lines sum to {line_sum} but total is {total}")
    return bill_id, total, bill_date, due


def emit_history(ctx: Ctx, *, acct: AcctRef, periods: Sequence[Period], first_reading: int,
                 pay: PayFn, waive: WaiveFn | None = None,
                 waiver_by: str = "bot") -> list[tuple[int, int]]:
    """Reads, bills and payments for consecutive periods; returns [(bill_id, total_cents)].

    A bill not paid in full by its due date puts a late fee on the next bill. A waived
    fee gets a granted FeeAdjustment and a credit line on the bill after it.
    """
    rows = ctx.rows
    reading = first_reading
    rows.add(MeterRead, meter_id=acct.meter_id, read_date=periods[0].start, reading=reading,
             read_type="actual", night_flow_gph=0.0)
    out: list[tuple[int, int]] = []
    late_fee_next = False
    pending_credit: tuple[int, date] | None = None  # (bill with the fee, requested_on)
    for i, period in enumerate(periods):
        reading += period.consumption
        rows.add(MeterRead, meter_id=acct.meter_id, read_date=period.end, reading=reading,
                 read_type=period.read_type, night_flow_gph=period.night_flow)
        extras: list[BillLineItem] = []
        if late_fee_next:
            extras.append(late_fee_line(ctx.district))
        if pending_credit:
            extras.append(credit_line(amount=ctx.district.fees.late_fee,
                                      description="Late fee waived"))
        bill_id, total, bill_date, due = add_bill(ctx, acct=acct, period=period, extras=extras)
        out.append((bill_id, total))
        if pending_credit:
            _add_waiver(ctx, acct=acct, fee_bill_id=pending_credit[0],
                        requested_on=pending_credit[1], credited_on=bill_id, by=waiver_by)
            pending_credit = None
        if late_fee_next and waive is not None:
            requested = waive(i, bill_date)
            if requested is not None and i + 1 < len(periods):
                pending_credit = (bill_id, requested)
            elif requested is not None and requested < ctx.today:
                # Granted after the latest bill: it lowers the balance until credited.
                _add_waiver(ctx, acct=acct, fee_bill_id=bill_id, requested_on=requested,
                            credited_on=None, by=waiver_by)
        paid_by_due = 0
        for paid_on, amount, method in pay(i, bill_id, bill_date, due, total):
            if paid_on >= ctx.today:
                raise ValueError(f"payment dated {paid_on} is not before today")
            rows.add(Payment, account_id=acct.account_id, bill_id=bill_id, amount_cents=amount,
                     paid_on=paid_on, late=paid_on > due,
                     **received(ctx, payment_id=rows.count(Payment) + 1, method=method,
                                paid_on=paid_on))
            if paid_on <= due:
                paid_by_due += amount
        late_fee_next = paid_by_due < total and due < ctx.today
    return out


def _add_waiver(ctx: Ctx, *, acct: AcctRef, fee_bill_id: int, requested_on: date,
                credited_on: int | None, by: str) -> None:
    ctx.rows.add(
        FeeAdjustment, account_id=acct.account_id, bill_id=fee_bill_id, fee_kind="late_fee",
        amount_cents=to_cents(ctx.district.fees.late_fee), status="granted",
        reason="First late fee in 12 months; waived under the late-fee waiver policy.",
        policy_rule="late_fee_waiver", decided_by=by, requested_on=requested_on,
        credited_on_bill_id=credited_on, created_at=ctx.at(requested_on, 10, 15),
    )


def add_outage(ctx: Ctx) -> None:
    start_day = ctx.today + timedelta(days=3)
    # Stored naive UTC; 08:00-14:00 Pacific taken as UTC-8 (winter), close enough for a demo.
    ctx.rows.add(
        Outage, title="Planned water main replacement on Antonio Pkwy",
        description=(
            "Crews will replace an aging water main on Antonio Pkwy in Rancho Santa "
            "Margarita. Homes and businesses nearby will have no water from about 8 AM "
            "to 2 PM. Please store some water for drinking and cooking beforehand. "
            "When service returns the water may look cloudy; run a cold tap for a few "
            "minutes until it is clear."
        ),
        zips=OUTAGE_ZIP, streets=OUTAGE_STREET, planned=True,
        starts_at=datetime.combine(start_day, time(16, 0)),
        expected_restore_at=datetime.combine(start_day, time(22, 0)), restored_at=None,
    )


def _aware_columns(model: type) -> list[str]:
    # sqlmodel 0.0.50 maps `datetime` to a timezone-aware type that refuses naive values;
    # the generator builds naive UTC and attaches UTC where the column wants it.
    out = []
    for col in model.__table__.columns:
        impl = getattr(col.type, "impl_instance", col.type)
        if isinstance(impl, DateTime) and impl.timezone:
            out.append(col.name)
    return out


def _insert_all(session: Any, rows: Rows) -> None:
    for model in INSERT_ORDER:
        data = rows.data[model]
        for name in _aware_columns(model):
            for row in data:
                value = row[name]
                if value is not None and value.tzinfo is None:
                    row[name] = value.replace(tzinfo=UTC)
        for start in range(0, len(data), BATCH_SIZE):
            session.execute(insert(model.__table__), data[start:start + BATCH_SIZE])


def _advance_sequences(session: Any, rows: Rows) -> None:
    # Explicit ids leave PostgreSQL serial sequences at 1; move them past MAX(id).
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in INSERT_ORDER:
        if rows.count(model):
            table = model.__tablename__
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"
            ))


def seed_demo(*, session: Any, today: date, district: District, n_accounts: int = 500,
              seed: int = 20261126) -> SeedReport:
    """Fill an empty database with demo data; does nothing if any account exists."""
    from backend.seed.fixed import add_fixed_accounts
    from backend.seed.flows import add_night_flows
    from backend.seed.history import add_history
    from backend.seed.population import add_population

    if session.execute(select(Account.id).limit(1)).first() is not None:
        return SeedReport(seeded=False, today=today,
                          message="Accounts already exist; demo data not seeded.")
    started = clock.perf_counter()
    ctx = Ctx(rng=random.Random(seed), district=district, today=today, seed=seed)
    add_fixed_accounts(ctx)
    add_population(ctx, n_accounts=n_accounts)
    add_night_flows(ctx, seed=seed, today=today)
    add_outage(ctx)
    _insert_all(session, ctx.rows)
    _advance_sequences(session, ctx.rows)
    add_history(session, today=today, seed=seed)
    session.commit()
    counts = {m.__tablename__: ctx.rows.count(m) for m in INSERT_ORDER}
    accounts, bills = counts["account"], counts["bill"]
    return SeedReport(
        seeded=True, today=today, accounts=accounts, bills=bills, payments=counts["payment"],
        rows=counts, warnings=tuple(ctx.warnings), seconds=clock.perf_counter() - started,
        message=(f"Seeded {accounts} accounts, {bills} bills, {counts['payment']} payments, "
                 f"{counts['meterread']} meter reads as of {today.isoformat()}"),
    )
