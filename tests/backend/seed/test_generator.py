"""The demo-data generator: fixed accounts exact, every bill priced by the rate engine."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select

from backend.domain.district import load_district
from backend.domain.rates import BillLineItem, compute_bill, from_cents, to_cents
from backend.models import (
    Account,
    Bill,
    BillLine,
    Customer,
    FeeAdjustment,
    Meter,
    MeterRead,
    Outage,
    Payment,
    PaymentArrangement,
    Premise,
    ServiceOrder,
    WorkOrder,
)
from backend.seed import seed_demo

TODAY = date(2026, 11, 26)
FIXED = ("1000001", "1000002", "2000001")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _seed(url: str, **kwargs):
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        report = seed_demo(session=session, today=TODAY, district=load_district(), **kwargs)
    return engine, report


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    engine, report = _seed(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'seed.db'}")
    yield engine, report
    engine.dispose()


@pytest.fixture
def session(seeded):
    with Session(seeded[0]) as s:
        yield s


def _account(session, number: str) -> Account:
    return session.exec(select(Account).where(Account.account_number == number)).one()


def _bills(session, account_id: int) -> list[Bill]:
    return list(session.exec(select(Bill).where(Bill.account_id == account_id)
                             .order_by(Bill.bill_date)))


def _payments(session, account_id: int) -> list[Payment]:
    return list(session.exec(select(Payment).where(Payment.account_id == account_id)))


def _balance(session, account_id: int) -> int:
    billed = sum(b.total_cents for b in _bills(session, account_id))
    paid = sum(p.amount_cents for p in _payments(session, account_id))
    waived = sum(a.amount_cents for a in session.exec(select(FeeAdjustment).where(
        FeeAdjustment.account_id == account_id, FeeAdjustment.status == "granted",
        FeeAdjustment.credited_on_bill_id.is_(None))))
    return billed - paid - waived


def _lines(session, bill_id: int) -> list[BillLine]:
    return list(session.exec(select(BillLine).where(BillLine.bill_id == bill_id)
                             .order_by(BillLine.position)))


def _credits(session, bill_id: int) -> list[int]:
    return [line.amount_cents for line in _lines(session, bill_id) if line.kind == "credit"]


def _kinds(session, bill_id: int) -> list[str]:
    return [line.kind for line in _lines(session, bill_id)]


def test_report_and_population(seeded, session):
    _, report = seeded
    assert report.seeded and not report.warnings
    numbers = session.exec(select(Account.account_number)).all()
    generated = [n for n in numbers if n not in FIXED]
    assert set(FIXED) <= set(numbers)
    assert len(generated) >= 500
    assert report.accounts == len(numbers)
    res = sum(n.startswith("1") for n in generated) / len(generated)
    com = sum(n.startswith("2") for n in generated) / len(generated)
    tmp = sum(n.startswith("3") for n in generated) / len(generated)
    assert 0.8 <= res <= 0.9 and 0.09 <= com <= 0.15 and 0.01 <= tmp <= 0.05
    assert min(n for n in generated if n.startswith("1")) == "1000003"
    assert min(n for n in generated if n.startswith("2")) == "2000002"
    assert min(n for n in generated if n.startswith("3")) == "3000001"


def test_normal_accounts_have_24_monthly_bills(session):
    per_account = select(Bill.account_id, func.count()).group_by(Bill.account_id)
    counts = dict(session.exec(per_account).all())
    types = dict(session.exec(select(Account.id, Account.account_type)).all())
    for account_id, kind in types.items():
        if kind == "temporary_construction":
            assert 1 <= counts[account_id] <= 24
        else:
            assert counts[account_id] == 24, account_id
    bills = _bills(session, _account(session, "1000003").id)
    for prev, bill in zip(bills, bills[1:]):
        assert bill.period_start == prev.period_end
        assert 28 <= (bill.period_end - bill.period_start).days <= 37
    assert TODAY - timedelta(days=31) <= bills[-1].bill_date < TODAY


def test_every_bill_is_priced_by_the_rate_engine(session):
    district = load_district()
    kinds = dict(session.exec(select(Account.id, Account.account_type)).all())
    lines: dict[int, list[BillLine]] = defaultdict(list)
    for line in session.exec(select(BillLine).order_by(BillLine.bill_id, BillLine.position)):
        lines[line.bill_id].append(line)
    bills = session.exec(select(Bill)).all()
    assert len(bills) >= 500 * 20
    for bill in bills:
        stored = lines[bill.id]
        extras = [BillLineItem(kind=l.kind, description=l.description,
                               amount=from_cents(l.amount_cents))
                  for l in stored if l.kind in ("late_fee", "credit")]
        computed = compute_bill(
            district=district, account_type=kinds[bill.account_id], meter_size=bill.meter_size,
            consumption_hcf=bill.consumption_hcf, period_end=bill.period_end, extra_lines=extras)
        want = [(i, l.kind, l.description, l.quantity,
                 None if l.unit_price is None else to_cents(l.unit_price), l.tier,
                 to_cents(l.amount)) for i, l in enumerate(computed.lines, start=1)]
        got = [(l.position, l.kind, l.description, l.quantity, l.unit_price_cents, l.tier,
                l.amount_cents) for l in stored]
        assert got == want, bill.id
        assert bill.total_cents == to_cents(computed.total) == sum(l.amount_cents for l in stored)
        assert bill.schedule_name == computed.schedule_name
        assert bill.bill_date == bill.period_end + timedelta(days=2)
        assert bill.due_date == bill.bill_date + timedelta(days=district.billing.due_days)
        assert bill.read_type and bill.meter_size and bill.night_flow_gph is not None


def test_reads_are_cumulative_and_match_bills(session):
    meters = dict(session.exec(select(Meter.id, Meter.premise_id)).all())
    premise_account = dict(session.exec(select(Account.premise_id, Account.id)).all())
    reads: dict[int, list[MeterRead]] = defaultdict(list)
    for read in session.exec(select(MeterRead).order_by(MeterRead.meter_id, MeterRead.read_date)):
        reads[read.meter_id].append(read)
    bills_by_account: dict[int, list[Bill]] = defaultdict(list)
    for bill in session.exec(select(Bill).order_by(Bill.account_id, Bill.period_end)):
        bills_by_account[bill.account_id].append(bill)
    estimated = total = 0
    for meter_id, premise_id in meters.items():
        bills = bills_by_account[premise_account[premise_id]]
        series = reads[meter_id]
        assert len(series) == len(bills) + 1
        for before, after, bill in zip(series, series[1:], bills):
            assert after.read_date == bill.period_end
            assert after.reading - before.reading == bill.consumption_hcf
            assert after.read_type == bill.read_type
            total += 1
            estimated += bill.read_type == "estimated"
        for a, b in zip(bills, bills[1:]):
            if a.read_type == "estimated":
                assert b.read_type == "actual"  # the next read corrects the estimate
    assert 0.01 <= estimated / total <= 0.05


def test_late_fee_exactly_when_previous_bill_not_paid_by_due_date(session):
    paid_by_due: dict[int, int] = defaultdict(int)
    for p in session.exec(select(Payment)):
        if p.bill_id is None:
            continue  # the cashier's day's unapplied payment (test_recent_cashier_days)
        if not p.late:
            paid_by_due[p.bill_id] += p.amount_cents
        assert p.late == (p.paid_on > session.get(Bill, p.bill_id).due_date)
        assert p.paid_on < TODAY
    fees = defaultdict(int)
    for line in session.exec(select(BillLine).where(BillLine.kind == "late_fee")):
        assert line.amount_cents == 1500
        fees[line.bill_id] += 1
    by_account: dict[int, list[Bill]] = defaultdict(list)
    for bill in session.exec(select(Bill).order_by(Bill.account_id, Bill.bill_date)):
        by_account[bill.account_id].append(bill)
    for bills in by_account.values():
        for prev, bill in zip(bills, bills[1:]):
            assert fees[bill.id] == int(paid_by_due[prev.id] < prev.total_cents), bill.id


def test_waivers_are_credited_on_the_next_bill(session):
    waivers = session.exec(select(FeeAdjustment)).all()
    assert len(waivers) >= 3
    for fa in waivers:
        assert (fa.fee_kind, fa.status, fa.amount_cents) == ("late_fee", "granted", 1500)
        assert "late_fee" in _kinds(session, fa.bill_id)
        fee_bill = session.get(Bill, fa.bill_id)
        assert fa.requested_on >= fee_bill.bill_date
        if fa.credited_on_bill_id is not None:
            credit_bill = session.get(Bill, fa.credited_on_bill_id)
            later = [b for b in _bills(session, fa.account_id) if b.bill_date > fee_bill.bill_date]
            assert credit_bill.id == later[0].id and fa.requested_on < credit_bill.bill_date
            assert _credits(session, credit_bill.id) == [-1500]


def test_population_mix(session):
    accounts = session.exec(select(Account)).all()
    n = len(accounts)
    late_accounts = set(session.exec(select(Payment.account_id).where(Payment.late)).all())
    assert 0.05 <= len(late_accounts) / n <= 0.14
    autopay = [a for a in accounts if a.autopay_enabled]
    assert 0.25 <= len(autopay) / n <= 0.35
    assert all(a.autopay_last4 and len(a.autopay_last4) == 4 for a in autopay)
    for a in autopay[:20]:
        assert {p.method for p in _payments(session, a.id)} == {"autopay"}
    assert 0.3 <= sum(a.paperless_enabled for a in accounts) / n <= 0.5
    assert sum(a.returned_mail for a in accounts) >= 2
    assert sum(a.shutoff_scheduled_on is not None for a in accounts) >= 2
    leaks = set(session.exec(select(Bill.account_id).where(Bill.night_flow_gph >= 3)).all())
    assert 5 <= len(leaks) <= 0.04 * n
    assert session.exec(select(func.max(Bill.night_flow_gph))).one() <= 10
    arrangements = session.exec(select(PaymentArrangement.status)).all()
    assert {"completed", "broken"} <= set(arrangements)
    pending = ServiceOrder.status.in_(("pending", "scheduled"))
    assert session.exec(select(ServiceOrder).where(pending)).first()
    open_work = WorkOrder.status.in_(("open", "dispatched"))
    assert session.exec(select(WorkOrder).where(open_work)).first()
    customers = session.exec(select(Customer)).all()
    phones = [c.phone for c in customers]
    assert len(set(phones)) == len(phones)
    assert all(len(p) == 10 and p.startswith("949555") and p.isdigit() for p in phones)
    assert all(c.email is None or c.email.endswith("example.com") for c in customers)
    spanish = sum(c.preferred_language == "es" for c in customers) / len(customers)
    assert 0.18 <= spanish <= 0.32
    zips = set(load_district().service_area.zips)
    for premise in session.exec(select(Premise)):
        assert premise.zip in zips and premise.city


def test_one_planned_outage_on_antonio(session):
    outages = session.exec(select(Outage)).all()
    assert len(outages) == 1
    (outage,) = outages
    assert outage.planned and outage.zips == "92688" and "Antonio Pkwy" in outage.streets
    start = outage.starts_at.replace(tzinfo=None)
    restore = outage.expected_restore_at.replace(tzinfo=None)
    assert start.date() == TODAY + timedelta(days=3) and start.hour == 16
    assert restore.date() == start.date() and restore.hour == 22
    assert outage.restored_at is None and outage.title and outage.description


def test_maria_lopez(session):
    acct = _account(session, "1000001")
    cust, prem = session.get(Customer, acct.customer_id), session.get(Premise, acct.premise_id)
    assert (cust.first_name, cust.last_name, cust.phone, cust.email, cust.preferred_language) == (
        "Maria", "Lopez", "9495550101", "maria.lopez@example.com", "es")
    assert (prem.street, prem.city, prem.state, prem.zip) == (
        "22 Alondra", "Rancho Santa Margarita", "CA", "92688")
    assert (cust.mailing_street, cust.mailing_city, cust.mailing_zip) == (
        "22 Alondra", "Rancho Santa Margarita", "92688")
    meter = session.exec(select(Meter).where(Meter.premise_id == prem.id)).one()
    assert (acct.account_type, meter.size) == ("residential", "3/4")
    assert not acct.autopay_enabled and not acct.paperless_enabled
    bills, payments = _bills(session, acct.id), _payments(session, acct.id)
    assert len(bills) == 24 and not any(p.late for p in payments)
    paid = defaultdict(int)
    for p in payments:
        paid[p.bill_id] += p.amount_cents
    assert all(paid[b.id] == b.total_cents for b in bills[:-1]) and paid[bills[-1].id] == 0
    latest = bills[-1]
    assert latest.bill_date == TODAY - timedelta(days=7)
    assert latest.due_date == TODAY + timedelta(days=14)
    assert (latest.consumption_hcf, latest.total_cents) == (9, 8412)
    assert latest.schedule_name == "FY2026-27"
    assert all("late_fee" not in _kinds(session, b.id) for b in bills)
    assert _balance(session, acct.id) == 8412
    assert not session.exec(select(FeeAdjustment).where(FeeAdjustment.account_id == acct.id)).all()
    assert not session.exec(select(PaymentArrangement).where(
        PaymentArrangement.account_id == acct.id)).all()


def test_james_carter(session):
    acct = _account(session, "1000002")
    cust, prem = session.get(Customer, acct.customer_id), session.get(Premise, acct.premise_id)
    assert (cust.first_name, cust.last_name, cust.phone, cust.email, cust.preferred_language) == (
        "James", "Carter", "9495550102", "james.carter@example.com", "en")
    assert (prem.street, prem.city, prem.zip) == ("14 Vista Ridge", "Ladera Ranch", "92694")
    assert session.exec(select(Meter.size).where(Meter.premise_id == prem.id)).one() == "3/4"
    bills = _bills(session, acct.id)
    latest, before = bills[-1], bills[-2]
    assert len(bills) == 24
    assert latest.bill_date == TODAY - timedelta(days=7)
    assert latest.due_date == TODAY + timedelta(days=14)
    assert (latest.consumption_hcf, latest.night_flow_gph, latest.read_type) == (51, 6.5, "actual")
    assert latest.total_cents == 31240
    assert _kinds(session, latest.id).count("late_fee") == 1
    assert all(b.night_flow_gph == 0.0 for b in bills[:-1])
    assert all(11 <= b.consumption_hcf <= 14 for b in bills[:-1])
    last_year = bills[-13]
    assert abs((latest.period_end - last_year.period_end).days - 365) <= 10
    assert 13 <= last_year.consumption_hcf <= 15
    assert all(8500 <= b.total_cents <= 10500 for b in bills[:-2])  # "about $95"
    late = [p for p in _payments(session, acct.id) if p.late]
    assert len(late) == 1 and late[0].bill_id == before.id
    assert 1 <= (late[0].paid_on - before.due_date).days <= 7
    assert not [p for p in _payments(session, acct.id) if p.bill_id == latest.id]
    assert _balance(session, acct.id) == 31240
    assert not session.exec(select(FeeAdjustment).where(FeeAdjustment.account_id == acct.id)).all()


def test_shah_dental_group(session):
    acct = _account(session, "2000001")
    cust, prem = session.get(Customer, acct.customer_id), session.get(Premise, acct.premise_id)
    assert cust.business_name == "Shah Dental Group"
    assert (cust.first_name, cust.last_name) == ("Priya", "Shah")
    assert (cust.phone, cust.email, cust.preferred_language) == (
        "9495550201", "office@shahdental.example.com", "en")
    assert (prem.street, prem.city, prem.zip) == ("27001 La Paz Rd", "Mission Viejo", "92691")
    assert acct.account_type == "commercial"
    assert session.exec(select(Meter.size).where(Meter.premise_id == prem.id)).one() == "1.5"
    assert acct.shutoff_scheduled_on == TODAY + timedelta(days=7)
    bills = _bills(session, acct.id)
    latest, before = bills[-1], bills[-2]
    assert latest.bill_date == TODAY - timedelta(days=35)
    assert latest.due_date == TODAY - timedelta(days=14)
    assert "late_fee" in _kinds(session, latest.id)
    payments = _payments(session, acct.id)
    assert not [p for p in payments if p.bill_id == latest.id]
    partial = sum(p.amount_cents for p in payments if p.bill_id == before.id)
    assert 0 < partial < before.total_cents
    assert before.total_cents - partial + latest.total_cents == 64000
    assert _balance(session, acct.id) == 64000
    late = [p for p in payments if p.late and p.paid_on >= TODAY - timedelta(days=365)]
    assert len(late) >= 3
    (waiver,) = session.exec(select(FeeAdjustment).where(FeeAdjustment.account_id == acct.id)).all()
    assert (waiver.fee_kind, waiver.amount_cents, waiver.status) == ("late_fee", 1500, "granted")
    assert waiver.requested_on == TODAY - timedelta(days=90)
    assert (waiver.policy_rule, waiver.decided_by) == ("late_fee_waiver", "bot")
    credit_bill = session.get(Bill, waiver.credited_on_bill_id)
    assert credit_bill.bill_date > waiver.requested_on > session.get(Bill, waiver.bill_id).bill_date
    assert _credits(session, credit_bill.id) == [-1500]


def test_deterministic(seeded, session):
    def totals(engine_or_session):
        with Session(engine_or_session) as s:
            return s.exec(select(Account.account_number, Bill.bill_date, Bill.total_cents)
                          .join(Bill, Bill.account_id == Account.id)
                          .order_by(Account.account_number, Bill.bill_date)).all()

    first = totals(seeded[0])
    engine, _ = _seed("sqlite://")
    assert totals(engine) == first
    other, _ = _seed("sqlite://", seed=7)
    assert totals(other) != first
    engine.dispose()
    other.dispose()


def test_idempotent(seeded, session):
    before = {m.__tablename__: session.exec(select(func.count()).select_from(m)).one()
              for m in (Account, Bill, Payment, Customer)}
    report = seed_demo(session=session, today=TODAY, district=load_district())
    assert not report.seeded and "already" in report.message
    after = {m.__tablename__: session.exec(select(func.count()).select_from(m)).one()
             for m in (Account, Bill, Payment, Customer)}
    assert after == before


def test_postgres_sequences_advance():
    schema = f"wd_seed_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:  # no server here: nothing to test against
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable: {exc.orig}")
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        SQLModel.metadata.create_all(engine)
        with Session(engine) as session:
            report = seed_demo(session=session, today=TODAY, district=load_district(),
                               n_accounts=40)
            assert report.seeded and report.accounts == 43
            assert _balance(session, _account(session, "1000001").id) == 8412
            assert _balance(session, _account(session, "1000002").id) == 31240
            assert _balance(session, _account(session, "2000001").id) == 64000
            top = {m: session.exec(select(func.max(m.id))).one()
                   for m in (Customer, Premise, Outage)}
            # Explicit aware timestamps: sqlmodel 0.0.50 refuses the models' naive utcnow().
            stamp = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
            customer = Customer(first_name="New", last_name="Person", phone="9495559999",
                                mailing_street="1 Main", mailing_city="Mission Viejo",
                                mailing_zip="92691", created_at=stamp)
            premise = Premise(street="2 Main", city="Mission Viejo", zip="92691")
            outage = Outage(title="t", description="d", zips="92691", starts_at=stamp)
            session.add_all([customer, premise, outage])
            session.commit()
            assert customer.id == top[Customer] + 1
            assert premise.id == top[Premise] + 1
            assert outage.id == top[Outage] + 1
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_payment_channels_fit_their_methods(session):
    from backend.seed.payments import CHANNELS

    payments = session.exec(select(Payment)).all()
    pairs = {(p.method, p.channel) for p in payments}
    assert all(channel in dict(CHANNELS[method]) for method, channel in pairs), pairs
    # Every channel and method is seen, cash only at the office and the office only on weekdays.
    assert {m for m, _ in pairs} == {"card", "ach", "autopay", "check", "cash"}
    assert {c for _, c in pairs} == {"web", "phone", "office", "mail", "autopay"}
    assert all(p.paid_on.weekday() < 5 for p in payments if p.channel == "office")
    cash = [p for p in payments if p.method == "cash"]
    assert 0.005 <= len(cash) / len(payments) <= 0.05
    references = [p.reference for p in payments]
    assert all(references) and len(set(references)) == len(references)
    assert all(len(r) <= 40 and not any(run.isdigit() and len(run) >= 13
                                        for run in r.split("-")) for r in references)


def _channels(engine):
    with Session(engine) as s:
        return s.exec(select(Payment.id, Payment.paid_on, Payment.amount_cents, Payment.method,
                             Payment.channel, Payment.reference).order_by(Payment.id)).all()


def test_channels_are_deterministic_and_leave_the_rest_of_the_seed_alone(seeded, monkeypatch):
    first = _channels(seeded[0])
    engine, _ = _seed("sqlite://")
    assert _channels(engine) == first
    other, _ = _seed("sqlite://", seed=7)
    assert {(m, c) for *_, m, c, _r in _channels(other)} == {(m, c) for *_, m, c, _r in first}
    assert _channels(other) != first
    engine.dispose()
    other.dispose()
    # Without the channel choices, cash and the cashier's days, every other payment is the same:
    # they never draw from the generator's shared random numbers.
    import backend.seed.generator as generator
    import backend.seed.population as population

    monkeypatch.setattr(generator, "received", lambda ctx, *, payment_id, method, paid_on:
                        dict(method=method, channel="mail", reference=None))
    monkeypatch.setattr(population, "cash_or", lambda ctx, *, number, index, method, paid_on:
                        method)
    monkeypatch.setattr(population, "add_cashier_days", lambda ctx, members: None)
    plain, _ = _seed("sqlite://")
    plain_rows = [(i, d, a) for i, d, a, *_ in _channels(plain)]
    plain.dispose()
    assert len(first) - len(plain_rows) == 6  # the cashier's days' payments come last
    assert [(i, d, a) for i, d, a, *_ in first[:len(plain_rows)]] == plain_rows


def test_recent_cashier_days(seeded, session):
    """The last three weekdays before today hold office payments and one of each exception,
    on population accounts only, and the cashier's day finds exactly those."""
    from backend.crud.cashier import cashier_day

    day1, day2, day3 = date(2026, 11, 25), date(2026, 11, 24), date(2026, 11, 23)
    found = {}
    for day in (day1, day2, day3):
        report = cashier_day(session=session, day=day)
        assert report.balanced and report.total.count == len(report.payments) > 0
        assert report.total.cents == sum(c.payment.amount_cents for c in report.payments)
        found[day] = [(c.status, c.reasons) for c in report.exceptions]
        assert not {c.payment.account_number for c in report.exceptions} & set(FIXED)
    assert found[day1] == [("unapplied", ("no_bill",)), ("mismatched", ("other_account",)),
                           ("mismatched", ("bill_paid", "over_balance"))]
    assert found[day2] == []
    assert found[day3] == [("mismatched", ("over_balance",))]
    office = session.exec(select(Payment.method).where(
        Payment.paid_on.in_((day1, day2)), Payment.channel == "office")).all()
    assert {"cash", "card"} <= set(office)
