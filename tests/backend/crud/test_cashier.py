"""backend.crud.cashier: one day's payments read from the database (SQLite and PostgreSQL),
with the balances from the ledger, checked against the bills they name."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from backend.crud import cashier, payments
from backend.crud.accounts import get_bundle, ledger
from backend.crud.audit import Actor
from backend.domain.district import load_district
from backend.models import Payment
from backend.models.common import ActorType

DAY = date(2026, 12, 2)  # the suite's today: the fresh seed has no payment on it yet
NEXT = date(2026, 12, 3)


@pytest.fixture
def day_db(fresh_client):
    """On DAY: Maria pays her latest bill through the processor route's crud, then the same
    again; James's payment names no bill; Shah's names Maria's bill. James pays again on NEXT."""
    engine = fresh_client.app.state.engine
    district = load_district()
    integration = Actor(type=ActorType.integration, id="processor")
    with Session(engine) as session:
        maria, james, shah = (get_bundle(session=session, account_number=n)
                              for n in ("1000001", "1000002", "2000001"))
        for reference in ("PROC-1", "PROC-2"):
            payments.post_payment(session=session, district=district, bundle=maria,
                                  actor=integration, amount_cents=8412, method="card",
                                  channel="web", reference=reference, today=DAY,
                                  at=datetime(2026, 12, 2, 17, tzinfo=UTC))
        maria_bill = ledger(session=session, account=maria.account, today=DAY).last_bill.id
        session.add_all([
            Payment(account_id=james.account.id, bill_id=None, amount_cents=1000, paid_on=DAY,
                    method="check", channel="mail", reference="CHK-9"),
            Payment(account_id=shah.account.id, bill_id=maria_bill, amount_cents=64000,
                    paid_on=DAY, method="cash", channel="office", reference="=CSH-1"),
            Payment(account_id=james.account.id, bill_id=None, amount_cents=5000, paid_on=NEXT,
                    method="ach", channel="web", reference="ACH-NEXT")])
        session.commit()
    return engine


def test_a_day_from_the_database(day_db):
    with Session(day_db) as session:
        report = cashier.cashier_day(session=session, day=DAY)
    got = [(c.payment.account_number, c.payment.amount_cents, c.status, c.reasons,
            c.balance_before_cents) for c in report.payments]
    assert got == [
        ("1000001", 8412, "applied", (), 8412),
        ("1000001", 8412, "mismatched", ("bill_paid", "over_balance"), 0),
        # The ledger now is 31240 - 1000 - 5000; the day's and the next day's go back in.
        ("1000002", 1000, "unapplied", ("no_bill",), 31240),
        # Maria's bill, already paid twice over by then.
        ("2000001", 64000, "mismatched", ("other_account", "bill_paid"), 64000),
    ]
    assert report.payments[3].payment.bill_account_number == "1000001"
    assert [c.bill_paid_before_cents for c in report.payments] == [0, 8412, None, 16824]
    assert (report.total.count, report.total.cents) == (4, 81824)
    assert {x.key: (x.count, x.cents) for x in report.by_channel} == {
        "web": (2, 16824), "phone": (0, 0), "office": (1, 64000), "mail": (1, 1000),
        "autopay": (0, 0)}
    assert {x.key: (x.count, x.cents) for x in report.by_method} == {
        "card": (2, 16824), "ach": (0, 0), "autopay": (0, 0), "check": (1, 1000),
        "cash": (1, 64000)}
    assert report.balanced
    assert (report.applied.cents, report.unapplied.cents, report.mismatched.cents) == (
        8412, 1000, 72412)


def test_latest_day_with_payments(day_db):
    with Session(day_db) as session:
        assert cashier.latest_day(session=session, today=NEXT) == NEXT
        assert cashier.latest_day(session=session, today=DAY) == DAY
        before = cashier.latest_day(session=session, today=date(2026, 12, 1))
        assert before is not None and before <= date(2026, 12, 1)
        assert cashier.latest_day(session=session, today=date(2000, 1, 1)) is None
        empty = cashier.cashier_day(session=session, day=date(2000, 1, 1))
    assert empty.payments == [] and empty.total.cents == 0 and empty.balanced
