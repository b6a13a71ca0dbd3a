"""backend.crud.leak_alerts: which accounts a scan reads (in few queries), one alert per
episode whatever the database, and the audited opt-out. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, event
from sqlmodel import Session, select

from backend.crud import leak_alerts as crud
from backend.crud.audit import SYSTEM
from backend.domain.leaks import Episode
from backend.models import Account, AuditLog, LeakAlert, Meter, NightFlow

TODAY = date(2026, 12, 2)


def _meter(session: Session, number: str) -> int:
    account = session.exec(select(Account).where(Account.account_number == number)).one()
    return session.exec(select(Meter.id).where(Meter.premise_id == account.premise_id)).one()


def set_nights(session: Session, number: str, flows: list[float], *,
               end: date = TODAY - timedelta(days=1)) -> None:
    """The account's meter's nights: `flows` up to `end`, oldest first; nothing else."""
    meter_id = _meter(session, number)
    session.exec(delete(NightFlow)  # type: ignore[call-overload]
                 .where(NightFlow.meter_id == meter_id))
    start = end - timedelta(days=len(flows) - 1)
    for i, gph in enumerate(flows):
        session.add(NightFlow(meter_id=meter_id, day=start + timedelta(days=i), min_gph=gph,
                              gallons=300))
    session.commit()


@pytest.fixture
def session(fresh_client):
    with Session(fresh_client.app.state.engine) as s:
        yield s


def _by_number(found: list[crud.Candidate]) -> dict[str, crud.Candidate]:
    return {c.account_number: c for c in found}


def test_the_seeded_leak_is_a_candidate_and_dry_meters_are_not(session):
    found = _by_number(crud.candidates(session=session, today=TODAY))
    james = found["1000002"]
    assert james.email == "james.carter@example.com" and james.language == "en"
    assert james.name == "James" and james.leak_alerts and not james.email_bounced
    assert james.baseline_units == 51  # the latest bill, the one that caught the leak
    assert len(james.nights) == 14 and all(n.min_gph > 0 for n in james.nights)
    assert james.alerted == []
    assert "1000001" not in found and "2000001" not in found


def test_a_meter_with_flow_last_night_becomes_a_candidate_with_its_language(session):
    set_nights(session, "1000001", [0, 0, 2.0])
    maria = _by_number(crud.candidates(session=session, today=TODAY))["1000001"]
    assert maria.language == "es" and [n.min_gph for n in maria.nights] == [0, 0, 2.0]
    # Nights on or after the scan's day don't count, nor stale flow.
    assert "1000001" in _by_number(crud.candidates(session=session, today=TODAY))
    set_nights(session, "1000001", [2.0] * 5, end=TODAY - timedelta(days=4))
    assert "1000001" not in _by_number(crud.candidates(session=session, today=TODAY))


def test_a_closed_account_is_not_scanned(session):
    james = session.exec(select(Account).where(Account.account_number == "1000002")).one()
    james.status = "closed"
    session.add(james)
    session.commit()
    assert "1000002" not in _by_number(crud.candidates(session=session, today=TODAY))


def test_candidates_take_the_same_few_queries_however_many_meters_leak(session):
    statements: list[str] = []
    engine = session.get_bind()

    def count(*_args):  # type: ignore[no-untyped-def]
        statements.append("x")

    crud.candidates(session=session, today=TODAY)  # the connection's own setup, out of the count
    # Both counts start from a clean session, so nothing an earlier test left pending is flushed
    # inside one of them.
    session.commit()
    session.expire_all()
    event.listen(engine, "before_cursor_execute", count)
    try:
        crud.candidates(session=session, today=TODAY)
        one = len(statements)
        for number in ("1000001", "2000001", "1000003", "1000004"):
            set_nights(session, number, [1.0] * 4)
        session.commit()
        session.expire_all()
        statements.clear()
        assert len(crud.candidates(session=session, today=TODAY)) >= 5
        assert len(statements) == one <= 4
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _episode(start: date, days: int = 3) -> Episode:
    return Episode(start=start, last_day=start + timedelta(days=days - 1), days=days,
                   gallons=100)


def test_one_alert_per_episode_on_either_database(session):
    james = _by_number(crud.candidates(session=session, today=TODAY))["1000002"]
    episode = _episode(TODAY - timedelta(days=14), days=14)
    alert = crud.add_alert(session=session, candidate=james, episode=episode, cost_cents=1613,
                           status="sent")
    session.commit()
    assert alert.id and alert.email == "james.carter@example.com" and alert.days == 14
    with pytest.raises(crud.AlertExists):
        crud.add_alert(session=session, candidate=james, episode=episode, cost_cents=1613,
                       status="sent")
    assert len(session.exec(select(LeakAlert)).all()) == 1
    again = _by_number(crud.candidates(session=session, today=TODAY))["1000002"]
    assert again.alerted == [episode.start] and again.already_alerted(episode)
    assert not again.already_alerted(_episode(TODAY - timedelta(days=3)))


def test_an_alert_nobody_could_be_told_keeps_no_address(session):
    james = _by_number(crud.candidates(session=session, today=TODAY))["1000002"]
    alert = crud.add_alert(session=session, candidate=james, episode=_episode(TODAY),
                           cost_cents=0, status="opted_out")
    session.commit()
    assert alert.status == "opted_out" and alert.email is None


def test_an_episode_older_than_the_window_is_the_one_already_alerted(session):
    james = _by_number(crud.candidates(session=session, today=TODAY))["1000002"]
    first_night = james.nights[0].day
    james.alerted = [first_night - timedelta(days=30)]  # keyed before the window began
    assert james.already_alerted(_episode(first_night, days=14))
    assert not james.already_alerted(_episode(first_night + timedelta(days=5)))


def test_opt_out_is_audited_once_and_kept(session):
    assert crud.opt_out(session=session, account_number="1000002", actor=SYSTEM) is True
    assert crud.opt_out(session=session, account_number="1000002", actor=SYSTEM) is False
    assert crud.opt_out(session=session, account_number="9999999", actor=SYSTEM) is None
    james = session.exec(select(Account).where(Account.account_number == "1000002")).one()
    session.refresh(james)
    assert james.leak_alerts is False
    entries = session.exec(select(AuditLog).where(
        AuditLog.action == "leak_alerts_opt_out")).all()
    assert [(e.entity_id, e.account_id) for e in entries] == [("1000002", james.id)]
    assert _by_number(crud.candidates(session=session, today=TODAY))["1000002"].leak_alerts \
        is False


def test_recent_alerts_name_their_accounts_newest_first(session):
    found = _by_number(crud.candidates(session=session, today=TODAY))
    set_nights(session, "1000001", [1.0] * 3)
    found = _by_number(crud.candidates(session=session, today=TODAY))
    crud.add_alert(session=session, candidate=found["1000002"], episode=_episode(TODAY),
                   cost_cents=5, status="sent")
    crud.add_alert(session=session, candidate=found["1000001"], episode=_episode(TODAY),
                   cost_cents=7, status="no_email")
    session.commit()
    assert [(a.account_number, a.status) for a in crud.recent(session=session)] == [
        ("1000001", "no_email"), ("1000002", "sent")]
    assert crud.recent(session=session, limit=1)[0].account_number == "1000001"


def test_meters_reporting_counts_meters_with_recent_nights(session):
    total = session.exec(select(Meter.id)).all()
    assert crud.meters_reporting(session=session, today=TODAY) == len(total)
    assert crud.meters_reporting(session=session, today=TODAY + timedelta(days=30)) == 0
