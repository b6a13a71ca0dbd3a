"""backend.jobs.leak_alerts: the scan alerts each ongoing episode once, emails it through the
outbox when it can, records it when it can't (no email, opted out), starts a new episode after
a dry night, and keeps going when one account fails. On SQLite and PostgreSQL."""

from __future__ import annotations

import email
from datetime import date, timedelta
from email.policy import default

import pytest
from sqlmodel import Session, select

from backend.domain.district import load_district
from backend.jobs import leak_alerts as job
from backend.models import Account, Customer, LeakAlert, OutboxEmail
from tests.backend.crud.test_leak_alerts import set_nights

TODAY = date(2026, 12, 2)


@pytest.fixture
def session(fresh_client):
    with Session(fresh_client.app.state.engine) as s:
        yield s


def scan(client, session, today: date = TODAY) -> job.ScanResult:  # type: ignore[no-untyped-def]
    return job.scan(session=session, settings=client.app.state.settings,
                    district=load_district(), today=today)


def _alerts(session, number: str) -> list[LeakAlert]:  # type: ignore[no-untyped-def]
    return list(session.exec(select(LeakAlert).join(
        Account, Account.id == LeakAlert.account_id).where(
        Account.account_number == number).order_by(LeakAlert.episode_start)).all())


def _mail(session, row_id: int):  # type: ignore[no-untyped-def]
    row = session.get(OutboxEmail, row_id)
    return row, email.message_from_bytes(row.raw, policy=default)


def test_an_ongoing_leak_is_emailed_once_with_its_estimate(fresh_client, session):
    first = scan(fresh_client, session)
    assert first.scanned == 8 and first.sent >= 1 and first.failed == 0
    [alert] = _alerts(session, "1000002")
    assert (alert.status, alert.days, alert.episode_start) == ("sent", 14, TODAY - timedelta(14))
    assert alert.gallons > 0 and alert.cost_cents > 0 and alert.email == "james.carter@example.com"
    row, msg = _mail(session, alert.outbox_id)
    assert row.kind == "leak_alert" and row.status == "pending"
    assert row.to_address == "james.carter@example.com"
    text = msg.get_body(("plain",)).get_content()
    assert f"about {alert.gallons:,} gallons" in text
    assert "/?chat=" in text and "/api/v1/leak-alerts/opt-out?token=" in text
    again = scan(fresh_client, session)
    assert again.alerted == 0 and len(_alerts(session, "1000002")) == 1
    assert len(session.exec(select(OutboxEmail).where(
        OutboxEmail.to_address == "james.carter@example.com")).all()) == 1


def test_no_email_and_opted_out_are_recorded_and_never_retried(fresh_client, session):
    for number in ("1000001", "2000001"):
        set_nights(session, number, [0, 2.0, 2.0, 2.0])
    maria = session.exec(select(Customer).join(Account, Account.customer_id == Customer.id)
                         .where(Account.account_number == "1000001")).one()
    maria.email = None
    shah = session.exec(select(Account).where(Account.account_number == "2000001")).one()
    shah.leak_alerts = False
    session.add_all([maria, shah])
    session.commit()
    result = scan(fresh_client, session)
    assert result.no_email >= 1 and result.opted_out >= 1
    [m] = _alerts(session, "1000001")
    [s] = _alerts(session, "2000001")
    assert (m.status, m.email, m.outbox_id, m.language) == ("no_email", None, None, "es")
    assert (s.status, s.email, s.outbox_id) == ("opted_out", None, None)
    assert scan(fresh_client, session).alerted == 0


def test_a_new_episode_after_a_dry_night_is_alerted_again(fresh_client, session):
    set_nights(session, "1000001", [2.0, 2.0, 2.0])
    scan(fresh_client, session)
    set_nights(session, "1000001", [2.0, 2.0, 2.0, 0, 1.0, 1.0, 1.0],
               end=TODAY + timedelta(days=3))
    scan(fresh_client, session, today=TODAY + timedelta(days=4))
    alerts = _alerts(session, "1000001")
    assert [(a.episode_start, a.days, a.status) for a in alerts] == [
        (TODAY - timedelta(days=3), 3, "sent"), (TODAY + timedelta(days=1), 3, "sent")]
    _, msg = _mail(session, alerts[-1].outbox_id)
    assert msg["Subject"].startswith("Posible fuga") and "3 noches seguidas" in \
        msg.get_body(("plain",)).get_content()


def test_two_nights_are_not_enough(fresh_client, session):
    set_nights(session, "1000001", [0, 0, 5.0, 5.0])
    scan(fresh_client, session)
    assert _alerts(session, "1000001") == []


def test_one_failing_account_is_rolled_back_and_the_others_carry_on(fresh_client, session,
                                                                     monkeypatch):
    set_nights(session, "1000001", [2.0, 2.0, 2.0])
    real = job.leak_alert

    def broken(*, settings, facts):  # type: ignore[no-untyped-def]
        if facts.account_number == "1000002":
            raise RuntimeError("template broke")
        return real(settings=settings, facts=facts)

    monkeypatch.setattr(job, "leak_alert", broken)
    result = scan(fresh_client, session)
    assert result.failed == 1 and _alerts(session, "1000002") == []
    assert [a.status for a in _alerts(session, "1000001")] == ["sent"]
    monkeypatch.setattr(job, "leak_alert", real)
    retry = scan(fresh_client, session)
    assert retry.failed == 0 and [a.status for a in _alerts(session, "1000002")] == ["sent"]
