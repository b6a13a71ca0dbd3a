"""The scheduler: every tick, each job that is due runs once for the district's day.

A job is due from its local hour (in the district's time zone) until it has an ok run for that
day (JobRun). A run that fails is recorded with its error and tried again on the next tick; no
failure, of a job or of the database, ends the loop. The time comes from common.clock, so tests
set it."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.crud import job_runs
from backend.domain.district import District
from backend.models import JobRun
from common import clock

log = logging.getLogger("waterdesk.jobs")

# A job's work for one day: (session, day) -> (scanned, acted, failed). failed > 0 fails the run
# (after the work that succeeded is kept), so it is tried again.
Work = Callable[[Session, date], tuple[int, int, int]]


@dataclass(frozen=True)
class Job:
    name: str
    hour: int  # the district's local hour from which it runs
    work: Work


def run_job(*, engine: Engine, job: Job, run_for: date) -> JobRun:
    """One run of `job` for the day, recorded start to finish; never raises for the job's own
    failure (the run is recorded failed, with its error)."""
    with Session(engine, expire_on_commit=False) as session:
        run = job_runs.start(session=session, job=job.name, run_for=run_for)
    assert run.id is not None
    started = time.perf_counter()
    scanned = acted = 0
    try:
        with Session(engine, expire_on_commit=False) as session:
            scanned, acted, failed = job.work(session, run_for)
        status, error = job_runs.OK, None
        if failed:
            status, error = job_runs.FAILED, f"{failed} item(s) failed; see the job's log"
    except Exception as exc:
        log.exception("%s for %s failed", job.name, run_for)
        status = job_runs.FAILED
        error = "".join(traceback.format_exception_only(exc)).strip()
    with Session(engine, expire_on_commit=False) as session:
        done = job_runs.finish(session=session, run_id=run.id, status=status, scanned=scanned,
                               acted=acted, error=error, seconds=time.perf_counter() - started)
    log.info("%s for %s: %s (scanned %s, acted %s, %.2fs)", job.name, run_for, done.status,
             done.scanned, done.acted, done.seconds)
    return done


class Scheduler:
    def __init__(self, *, engine: Engine, district: District, jobs: list[Job],
                 interval: float = 60.0) -> None:
        self.engine, self.district, self.jobs, self.interval = engine, district, jobs, interval
        self.stopping = threading.Event()

    def due(self, job: Job) -> date | None:
        """The district day the job is due for now, or None before its hour."""
        local = clock.now().astimezone(self.district.tz)
        return local.date() if local.hour >= job.hour else None

    def tick(self) -> list[JobRun]:
        """Runs every job that is due and hasn't run ok today; the runs it made."""
        runs = []
        for job in self.jobs:
            day = self.due(job)
            if day is None:
                continue
            with Session(self.engine) as session:
                if job_runs.done_for(session=session, job=job.name, run_for=day):
                    continue
            runs.append(run_job(engine=self.engine, job=job, run_for=day))
        return runs

    def run_forever(self) -> None:
        log.info("scheduler started: %s", ", ".join(
            f"{j.name} daily from {j.hour:02d}:00 {self.district.timezone}" for j in self.jobs)
            or "no jobs are turned on")
        while not self.stopping.is_set():
            try:
                self.tick()
            except Exception:  # the database away, say: try again on the next tick
                log.exception("scheduler tick failed")
            self.stopping.wait(self.interval)
        log.info("scheduler stopped")

    def stop(self) -> None:
        self.stopping.set()
