"""backend.seed.flows: every meter's last 14 nights, a realistic few ongoing leaks (the demo's
James Carter among them), leaks that stopped, single nights, the same every time, and drawn
from a random stream of its own so nothing else the generator makes changes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel, select

from backend.domain.district import load_district
from backend.domain.leaks import Night, episodes, ongoing_leak
from backend.models import Account, Bill, Meter, NightFlow, Payment
from backend.seed import flows, seed_demo

TODAY = date(2026, 12, 2)


def _seed(**kwargs):  # type: ignore[no-untyped-def]
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        seed_demo(session=session, today=TODAY, district=load_district(), **kwargs)
    return engine


@pytest.fixture(scope="module")
def nights_by_account():
    engine = _seed()
    with Session(engine) as session:
        rows = session.exec(select(NightFlow, Account.account_number).join(
            Meter, Meter.id == NightFlow.meter_id).join(
            Account, Account.premise_id == Meter.premise_id)).all()
        accounts = len(session.exec(select(Account.id)).all())
    engine.dispose()
    out: dict[str, list[Night]] = defaultdict(list)
    for nf, number in rows:
        out[number].append(Night(day=nf.day, min_gph=nf.min_gph, gallons=nf.gallons))
    return out, accounts


def test_every_meter_has_the_14_nights_before_today(nights_by_account):
    by_account, accounts = nights_by_account
    assert len(by_account) == accounts
    days = [TODAY - timedelta(days=k) for k in range(14, 0, -1)]
    for number, nights in by_account.items():
        assert sorted(n.day for n in nights) == days, number
        assert all(n.gallons >= 0 and n.min_gph >= 0 for n in nights)


def test_a_realistic_few_leaks_are_still_running(nights_by_account):
    by_account, accounts = nights_by_account
    ongoing = {n for n, nights in by_account.items() if ongoing_leak(nights=nights, today=TODAY)}
    assert 0.02 * accounts <= len(ongoing) <= 0.03 * accounts
    assert "1000002" in ongoing
    james = ongoing_leak(nights=by_account["1000002"], today=TODAY)
    assert james is not None and james.days == 14
    for dry in ("1000001", "2000001"):
        assert episodes(by_account[dry]) == [], dry


def test_some_leaks_stopped_and_some_nights_were_single(nights_by_account):
    by_account, accounts = nights_by_account
    found = {n: episodes(nights) for n, nights in by_account.items()}
    stopped = [n for n, eps in found.items()
               if eps and eps[-1].last_day < TODAY - timedelta(days=1) and eps[-1].days > 1]
    singles = [n for n, eps in found.items() if eps and all(e.days == 1 for e in eps)]
    starting = [n for n, eps in found.items()
                if eps and eps[-1].last_day == TODAY - timedelta(days=1) and eps[-1].days < 3]
    assert len(stopped) >= 0.01 * accounts and len(singles) >= 0.05 * accounts
    assert starting  # a leak one or two nights old: no alert yet


def test_the_population_leaks_on_the_latest_bill_are_still_running():
    engine = _seed()
    with Session(engine) as session:
        latest: dict[int, Bill] = {}
        for bill in session.exec(select(Bill).order_by(Bill.bill_date)):
            latest[bill.account_id] = bill
        leaking = {a for a, b in latest.items() if b.night_flow_gph >= flows.BILLED_LEAK_GPH}
        by_account: dict[int, list[Night]] = defaultdict(list)
        for nf, account_id in session.exec(select(NightFlow, Account.id).join(
                Meter, Meter.id == NightFlow.meter_id).join(
                Account, Account.premise_id == Meter.premise_id)):
            by_account[account_id].append(Night(nf.day, nf.min_gph, nf.gallons))
    engine.dispose()
    assert leaking
    assert all(ongoing_leak(nights=by_account[a], today=TODAY) for a in leaking)


def test_deterministic_and_no_draw_from_the_generators_stream(monkeypatch):
    def snapshot(engine):  # type: ignore[no-untyped-def]
        with Session(engine) as session:
            return (session.exec(select(NightFlow.meter_id, NightFlow.day, NightFlow.min_gph,
                                        NightFlow.gallons).order_by(NightFlow.id)).all(),
                    session.exec(select(Payment.account_id, Payment.paid_on,
                                        Payment.amount_cents).order_by(Payment.id)).all())

    first, second = _seed(n_accounts=40), _seed(n_accounts=40)
    assert snapshot(first) == snapshot(second)
    monkeypatch.setattr(flows, "add_night_flows", lambda ctx, **_: None)
    without = _seed(n_accounts=40)
    # The rest of the district is row for row what it is without night flow.
    assert snapshot(without)[1] == snapshot(first)[1] and snapshot(without)[0] == []
    for engine in (first, second, without):
        engine.dispose()
