"""The leak scan: every meter whose water ran three nights or more up to its latest night gets
one alert per episode, emailed to the account holder in their language when they have an
email on file and haven't opted out, and recorded either way so it is never tried again."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.core.config import Settings
from backend.core.links import chat_link
from backend.core.optout import opt_out_link
from backend.crud import leak_alerts as crud
from backend.domain.district import District
from backend.domain.leaks import cost_cents, ongoing_leak
from backend.email.leak_alert import LeakFacts, leak_alert
from backend.email.outbox import enqueue
from backend.jobs.scheduler import Job, run_job
from backend.models import JobRun

log = logging.getLogger("waterdesk.jobs.leak_alerts")

JOB = "leak_alerts"
SENT, NO_EMAIL, OPTED_OUT = "sent", "no_email", "opted_out"


@dataclass
class ScanResult:
    scanned: int = 0  # meters with a reading on a recent night
    alerted: int = 0  # episodes recorded by this run
    sent: int = 0
    no_email: int = 0
    opted_out: int = 0
    failed: int = 0  # accounts that raised; the run is failed and tried again

    @property
    def acted(self) -> int:
        return self.alerted


def _status(candidate: crud.Candidate) -> str:
    if not candidate.leak_alerts:
        return OPTED_OUT
    # A bounced address is as good as none: reps follow those customers up another way.
    if not candidate.email or candidate.email_bounced:
        return NO_EMAIL
    return SENT


def _alert_one(*, session: Session, settings: Settings, district: District,
               candidate: crud.Candidate, today: date) -> str | None:
    episode = ongoing_leak(nights=candidate.nights, today=today)
    if episode is None or candidate.already_alerted(episode):
        return None
    rates = district.schedule_for(today).rates_for(candidate.account_type)
    cost = cost_cents(rates=rates, gallons=episode.gallons,
                      gallons_per_unit=district.gallons_per_unit,
                      baseline_units=candidate.baseline_units)
    status = _status(candidate)
    try:
        alert = crud.add_alert(session=session, candidate=candidate, episode=episode,
                               cost_cents=cost, status=status)
    except crud.AlertExists:
        return None  # another run got there first
    if status != SENT:
        session.commit()
        return status
    assert candidate.email is not None
    facts = LeakFacts(
        to=candidate.email, language=candidate.language, name=candidate.name,
        account_number=candidate.account_number, start=episode.start, days=episode.days,
        gallons=episode.gallons, cost_cents=cost,
        chat_url=chat_link(settings=settings, account_number=candidate.account_number,
                           ref=f"leak-alert:{alert.id}"),
        opt_out_url=opt_out_link(settings=settings, account_number=candidate.account_number))
    # enqueue commits: the alert and its email are stored together, or neither is.
    row = enqueue(session=session, msg=leak_alert(settings=settings, facts=facts),
                  kind="leak_alert", conversation_id=None, thread_id=None)
    alert.outbox_id = row.id
    session.add(alert)
    session.commit()
    return status


def scan(*, session: Session, settings: Settings, district: District,
         today: date) -> ScanResult:
    """One pass for the district day `today` (nights before it count). Each account on its own:
    one that fails is rolled back and counted, and the others carry on."""
    result = ScanResult(scanned=crud.meters_reporting(session=session, today=today))
    for candidate in crud.candidates(session=session, today=today):
        try:
            status = _alert_one(session=session, settings=settings, district=district,
                                candidate=candidate, today=today)
        except Exception:
            session.rollback()
            result.failed += 1
            log.exception("leak alert for %s failed", candidate.account_number)
            continue
        if status is not None:
            result.alerted += 1
            setattr(result, status, getattr(result, status) + 1)
    return result



def job(*, settings: Settings, district: District) -> Job:
    """The leak scan as the scheduler runs it: daily from LEAK_ALERT_HOUR, district time."""
    def work(session: Session, day: date) -> tuple[int, int, int]:
        result = scan(session=session, settings=settings, district=district, today=day)
        return result.scanned, result.acted, result.failed

    return Job(name=JOB, hour=settings.LEAK_ALERT_HOUR, work=work)


def run_now(*, engine: Engine, settings: Settings, district: District, today: date) -> JobRun:
    """A run outside the schedule (the supervisor's button, the command line), recorded like any
    other; it alerts nothing already alerted."""
    return run_job(engine=engine, job=job(settings=settings, district=district), run_for=today)
