"""Leak alerts in the database: the accounts a scan must look at, the alerts recorded (one per
episode, whether or not anyone could be told), and the customer's opt-out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from backend.crud.audit import Actor, record
from backend.domain.leaks import MAX_STALE_DAYS, Episode, Night
from backend.models import Account, Bill, Customer, LeakAlert, Meter, NightFlow
from backend.models.leaks import LeakAlertPublic
from backend.models.common import AccountStatus

# How far back a scan reads a meter's nights: far longer than any episode the daily job could
# leave unalerted, so an episode's first night (its key) stays inside the window.
LOOKBACK_DAYS = 60


@dataclass
class Candidate:
    """A meter with flow on a recent night, the account at its premise, and what the alert
    needs to know about the account holder."""

    account_id: int
    account_number: str
    account_type: str
    meter_id: int
    email: str | None
    language: str
    name: str | None
    leak_alerts: bool
    email_bounced: bool
    window_start: date  # the first day the scan read
    baseline_units: int = 0  # the latest bill's consumption
    nights: list[Night] = field(default_factory=list)
    # Episode starts already recorded for the account, newest first.
    alerted: list[date] = field(default_factory=list)

    def already_alerted(self, episode: Episode) -> bool:
        """Recorded before: the same first night, or an episode reaching back past the window
        whose alert (keyed by a night before the window) the scan can no longer see starting."""
        if episode.start in self.alerted:
            return True
        first_night = min((n.day for n in self.nights), default=None)
        return episode.start == first_night and any(d < episode.start for d in self.alerted)


def candidates(*, session: Session, today: date,
               lookback_days: int = LOOKBACK_DAYS) -> list[Candidate]:
    """Every account whose meter had flow on a recent enough night to be still leaking, with
    its nights in the window, its latest bill's use and its earlier alerts: four queries,
    whatever the number of meters (a dry meter is never read past the first)."""
    recent = today - timedelta(days=MAX_STALE_DAYS)
    window = today - timedelta(days=lookback_days)
    flowing = select(NightFlow.meter_id).where(
        col(NightFlow.day) >= recent, col(NightFlow.day) < today,
        col(NightFlow.min_gph) > 0).distinct()
    rows = session.exec(
        select(Meter.id, Account, Customer)
        .join(Account, col(Account.premise_id) == Meter.premise_id)
        .join(Customer, col(Customer.id) == Account.customer_id)
        .where(col(Meter.id).in_(flowing), Account.status != AccountStatus.closed)
        .order_by(col(Account.account_number))
    ).all()
    found: dict[int, Candidate] = {}
    for meter_id, account, customer in rows:
        if meter_id in found:
            continue  # a premise with two open accounts: the first one's holder is told
        name = " ".join((customer.first_name or "").split()) or \
            " ".join((customer.business_name or "").split()) or None
        language = str(customer.preferred_language)
        found[meter_id] = Candidate(
            account_id=account.id, account_number=account.account_number,
            account_type=str(account.account_type), meter_id=meter_id,
            email=(customer.email or "").strip() or None,
            language=language if language in ("en", "es") else "en", name=name,
            leak_alerts=account.leak_alerts, email_bounced=account.email_bounced,
            window_start=window)
    if not found:
        return []
    for nf in session.exec(select(NightFlow).where(
            col(NightFlow.meter_id).in_(list(found)), col(NightFlow.day) >= window,
            col(NightFlow.day) < today).order_by(col(NightFlow.day))):
        found[nf.meter_id].nights.append(Night(day=nf.day, min_gph=nf.min_gph,
                                               gallons=nf.gallons))
    by_account = {c.account_id: c for c in found.values()}
    latest = select(Bill.account_id, func.max(Bill.bill_date).label("day")).where(
        col(Bill.account_id).in_(list(by_account))).group_by(col(Bill.account_id)).subquery()
    for account_id, units in session.exec(
            select(Bill.account_id, Bill.consumption_hcf).join(
                latest, (col(Bill.account_id) == latest.c.account_id)
                & (col(Bill.bill_date) == latest.c.day))):
        by_account[account_id].baseline_units = units
    for account_id, start in session.exec(
            select(LeakAlert.account_id, LeakAlert.episode_start)
            .where(col(LeakAlert.account_id).in_(list(by_account)))
            .order_by(col(LeakAlert.episode_start).desc())):
        by_account[account_id].alerted.append(start)
    return list(found.values())


def meters_reporting(*, session: Session, today: date) -> int:
    """Meters with a reading on a recent night: what a scan looked at."""
    since = today - timedelta(days=MAX_STALE_DAYS)
    return int(session.exec(select(func.count(func.distinct(NightFlow.meter_id))).where(
        col(NightFlow.day) >= since, col(NightFlow.day) < today)).one())


class AlertExists(Exception):
    """Another run recorded this episode first."""


def add_alert(*, session: Session, candidate: Candidate, episode: Episode, cost_cents: int,
              status: str) -> LeakAlert:
    """The episode's alert, flushed but not committed: the caller commits it together with the
    email it queues, so an alert is never recorded without its email nor sent twice.
    Raises AlertExists (after a rollback) when the episode is already recorded."""
    alert = LeakAlert(
        account_id=candidate.account_id, meter_id=candidate.meter_id,
        episode_start=episode.start, last_flow_day=episode.last_day, days=episode.days,
        gallons=episode.gallons, cost_cents=cost_cents, language=candidate.language,
        status=status, email=candidate.email if status == "sent" else None)
    session.add(alert)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise AlertExists(f"{candidate.account_number} {episode.start}") from None
    return alert


def opt_out(*, session: Session, account_number: str, actor: Actor) -> bool | None:
    """Turns the account's leak alerts off: True when it did, False when they were off already,
    None when there is no such account. Audited."""
    account = session.exec(select(Account).where(Account.account_number == account_number)).first()
    if account is None:
        return None
    if not account.leak_alerts:
        return False
    account.leak_alerts = False
    session.add(account)
    record(session=session, actor=actor, action="leak_alerts_opt_out", entity="account",
           entity_id=account.account_number, account_id=account.id,
           reason="The customer turned leak alerts off from the link in a leak alert email.",
           detail={"leak_alerts": False})
    session.commit()
    return True


def recent(*, session: Session, limit: int = 50) -> list[LeakAlertPublic]:
    """The latest alerts recorded, newest first, with their account numbers."""
    rows = session.exec(
        select(LeakAlert, Account.account_number)
        .join(Account, col(Account.id) == LeakAlert.account_id)
        .order_by(col(LeakAlert.id).desc()).limit(limit)).all()
    return [LeakAlertPublic(**alert.model_dump(), account_number=number)
            for alert, number in rows]
