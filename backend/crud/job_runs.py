"""The runs of scheduled jobs: one row per attempt, so a day's job runs once however often the
scheduler is started, and a failed attempt is kept with its error and tried again."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from backend.models import JobRun
from backend.models.common import utcnow

OK, FAILED, RUNNING = "ok", "failed", "running"


def done_for(*, session: Session, job: str, run_for: date) -> bool:
    """Whether the job already ran successfully for that district day."""
    return session.exec(select(JobRun.id).where(
        JobRun.job == job, JobRun.run_for == run_for, JobRun.status == OK).limit(1)).first() \
        is not None


def start(*, session: Session, job: str, run_for: date) -> JobRun:
    run = JobRun(job=job, run_for=run_for, status=RUNNING)
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def finish(*, session: Session, run_id: int, status: str, seconds: float, scanned: int = 0,
           acted: int = 0, error: str | None = None) -> JobRun:
    """seconds: measured by the caller on a real timer (the clock may be set by a test)."""
    run = session.get(JobRun, run_id)
    assert run is not None
    run.status, run.scanned, run.acted = status, scanned, acted
    run.finished_at = utcnow()
    run.seconds = round(seconds, 3)
    run.error = error[:2000] if error else None
    session.add(run)
    session.commit()
    session.refresh(run)
    return run


def latest(*, session: Session, job: str | None = None, limit: int = 10) -> list[JobRun]:
    """The latest runs, newest first."""
    stmt = select(JobRun)
    if job is not None:
        stmt = stmt.where(JobRun.job == job)
    return list(session.exec(stmt.order_by(col(JobRun.id).desc()).limit(limit)).all())
