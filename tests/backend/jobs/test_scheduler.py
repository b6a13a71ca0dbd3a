"""backend.jobs.scheduler: each job runs once per district day from its local hour, on the
clock the test sets; a failed run is recorded and tried again on the next tick, and nothing
ends the loop. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel, select

from backend.domain.district import load_district
from backend.jobs.scheduler import Job, Scheduler, run_job
from backend.models import JobRun
from common import clock
from tests.utils.db import throwaway_database

# 7 AM in Los Angeles in December is 15:00 UTC.
BEFORE_SEVEN = "2026-12-02T14:59:00Z"
AT_SEVEN = "2026-12-02T15:00:00Z"
LATE_EVENING = "2026-12-03T07:30:00Z"  # 11:30 PM on December 2 in the district
NEXT_MORNING = "2026-12-03T15:05:00Z"


@pytest.fixture
def engine(db_kind, tmp_path):
    with throwaway_database(db_kind, tmp_path) as url:
        url = url.replace("postgresql://", "postgresql+psycopg://")
        eng = create_engine(url)
        SQLModel.metadata.create_all(eng)
        yield eng
        eng.dispose()


class Work:
    """A job's work that records the days it ran for, and fails while `failures` lasts."""

    def __init__(self, failures: int = 0, failed_items: int = 0) -> None:
        self.days: list[date] = []
        self.failures, self.failed_items = failures, failed_items

    def __call__(self, session, day):  # type: ignore[no-untyped-def]
        self.days.append(day)
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the relay is down")
        return 12, 3, self.failed_items


def _runs(engine) -> list[JobRun]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return list(session.exec(select(JobRun).order_by(JobRun.id)).all())


def _scheduler(engine, work, hour: int = 7) -> Scheduler:  # type: ignore[no-untyped-def]
    return Scheduler(engine=engine, district=load_district(),
                     jobs=[Job(name="leak_alerts", hour=hour, work=work)], interval=0.01)


def test_nothing_runs_before_the_local_hour_then_once_for_the_day(engine):
    work = Work()
    scheduler = _scheduler(engine, work)
    with clock.frozen(BEFORE_SEVEN):
        assert scheduler.tick() == [] and work.days == []
    with clock.frozen(AT_SEVEN):
        [run] = scheduler.tick()
        assert scheduler.tick() == []
    with clock.frozen(LATE_EVENING):  # still December 2 in the district, whatever UTC says
        assert scheduler.tick() == []
    assert work.days == [date(2026, 12, 2)]
    assert (run.job, run.run_for, run.status, run.scanned, run.acted) == (
        "leak_alerts", date(2026, 12, 2), "ok", 12, 3)
    assert run.finished_at is not None and run.seconds >= 0 and run.error is None
    with clock.frozen(NEXT_MORNING):
        [second] = scheduler.tick()
    assert second.run_for == date(2026, 12, 3) and work.days[-1] == date(2026, 12, 3)


def test_a_failed_run_is_recorded_and_tried_again_on_the_next_tick(engine):
    work = Work(failures=2)
    scheduler = _scheduler(engine, work)
    with clock.frozen(AT_SEVEN):
        [first] = scheduler.tick()
        [second] = scheduler.tick()
        [third] = scheduler.tick()
        assert scheduler.tick() == []
    assert [r.status for r in (first, second, third)] == ["failed", "failed", "ok"]
    assert "RuntimeError: the relay is down" in first.error
    assert [r.status for r in _runs(engine)] == ["failed", "failed", "ok"]


def test_items_that_failed_fail_the_run_so_it_is_tried_again(engine):
    work = Work(failed_items=1)
    with clock.frozen(AT_SEVEN):
        run = run_job(engine=engine, job=Job(name="leak_alerts", hour=7, work=work),
                      run_for=date(2026, 12, 2))
        assert run.status == "failed" and "1 item(s) failed" in run.error
        assert run.scanned == 12 and run.acted == 3
        assert len(_scheduler(engine, work).tick()) == 1  # tried again


def test_the_loop_survives_a_failing_tick_and_stops_when_asked(engine, monkeypatch):
    work = Work()
    scheduler = _scheduler(engine, work)
    ticks = []
    real_tick = scheduler.tick

    def tick():  # type: ignore[no-untyped-def]
        ticks.append(1)
        if len(ticks) == 1:
            raise ConnectionError("database away")
        runs = real_tick()
        if len(ticks) >= 3:
            scheduler.stop()
        return runs

    monkeypatch.setattr(scheduler, "tick", tick)
    with clock.frozen(AT_SEVEN):
        thread = threading.Thread(target=scheduler.run_forever)
        thread.start()
        thread.join(timeout=10)
    assert not thread.is_alive() and len(ticks) == 3
    assert work.days == [date(2026, 12, 2)] and [r.status for r in _runs(engine)] == ["ok"]


def test_the_hour_is_the_districts(engine):
    scheduler = _scheduler(engine, Work(), hour=0)
    with clock.frozen("2026-12-02T07:59:00Z"):  # 11:59 PM on December 1 in the district
        assert scheduler.due(scheduler.jobs[0]) == date(2026, 12, 1)
    with clock.frozen("2026-12-02T08:00:00Z"):
        assert scheduler.due(scheduler.jobs[0]) == date(2026, 12, 2)


def test_the_leak_scan_is_scheduled_unless_the_settings_turn_it_off(tmp_path):
    from backend.domain.district import load_district
    from backend.jobs.__main__ import scheduled
    from tests.utils.db import make_test_settings

    settings = make_test_settings(database_url="sqlite://", data_dir=tmp_path)
    district = load_district(settings.DISTRICT_FILE)
    assert [j.name for j in scheduled(settings=settings, district=district)] == ["leak_alerts"]
    off = settings.model_copy(update={"LEAK_ALERTS": False})
    assert scheduled(settings=off, district=district) == []
