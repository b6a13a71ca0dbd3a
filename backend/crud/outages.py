"""Known outages by place, and customers' reports of no water or low pressure."""

import re
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from sqlmodel import Session, col, select

from backend.crud import audit
from backend.crud import orders as orders_crud
from backend.crud.audit import Actor
from backend.models import Account, Outage, OutageReport, WorkOrder
from backend.models.common import OutageReportKind, Priority, WorkOrderKind

# Street-type words that customers and the outage list spell differently.
_STREET_TYPES = {"pkwy", "parkway", "rd", "road", "st", "street", "ave", "avenue", "dr", "drive",
                 "ca"}
_TRAILING_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\b\s*$")


def street_key(text: str) -> str:
    # "Antonio Pkwy" matches "27 antonio parkway, rsm": compare letters of the street name only.
    words = re.sub(r"[^a-z ]", " ", text.lower()).split()
    return " ".join(w for w in words if w not in _STREET_TYPES)


def zip_of(address: str | None) -> str | None:
    """The ZIP an address ends with, if it ends with one."""
    found = _TRAILING_ZIP.search(address.strip()) if address else None
    return found.group(1) if found else None


def covering(*, session: Session, now: datetime, zip_code: str | None = None,
             address: str | None = None) -> list[Outage]:
    """Current and upcoming outages that cover a ZIP or a street address, soonest first."""
    wanted_zip = zip_code[:5] if zip_code else zip_of(address)
    street_words = street_key(address) if address else ""
    outages = session.exec(
        select(Outage).where(col(Outage.restored_at).is_(None)).order_by(col(Outage.starts_at))
    ).all()
    found = []
    for outage in outages:
        if outage.expected_restore_at and outage.expected_restore_at < now:
            continue  # past its restore time: no longer what the customer is living through
        by_zip = wanted_zip is not None and wanted_zip in outage.zips.split()
        by_street = bool(street_words) and any(
            street_key(s) and street_key(s) in street_words for s in outage.streets.split(";"))
        if by_zip or by_street:
            found.append(outage)
    return found


@dataclass(frozen=True)
class FiledReport:
    report: OutageReport
    outage: Outage | None
    work_order: WorkOrder | None


def file_report(
    *, session: Session, actor: Actor, kind: OutageReportKind, location: str,
    zip_code: str | None, description: str, account: Account | None, now: datetime,
) -> FiledReport:
    """Record the report; a known outage that covers the place explains it, otherwise a crew
    investigates (high priority without water, normal for low pressure)."""
    zip_code = zip_code[:5] if zip_code else zip_of(location)
    active = [o for o in covering(session=session, now=now, zip_code=zip_code, address=location)
              if o.starts_at <= now]
    # An outage that has begun explains the report; a planned one still days away does not.
    outage = active[0] if active else None
    report = OutageReport(
        report_number=f"tmp-{uuid4().hex[:12]}", kind=kind,
        account_id=account.id if account else None, location=location, zip=zip_code,
        description=description, outage_id=outage.id if outage else None,
        conversation_id=actor.conversation_id[:32] if actor.conversation_id else None,
    )
    session.add(report)
    session.flush()
    # Human-friendly numbers come from the row id, known only after insert (as orders do).
    report.report_number = f"OR-{report.id:06d}"
    order = None
    if outage is None:
        what = "No water" if kind == OutageReportKind.no_water else "Low water pressure"
        # create_work_order commits the report with it; the link follows below.
        order = orders_crud.create_work_order(
            session=session, actor=actor, kind=WorkOrderKind.leak_investigation,
            priority=Priority.high if kind == OutageReportKind.no_water else Priority.normal,
            location=location, zip_code=zip_code,
            description=f"{what} reported ({report.report_number}): {description}"[:2000],
            fee_cents=0, contact_phone=None, account=account,
        )
        report.work_order_id = order.id
    session.add(report)
    audit.record(
        session=session, actor=actor, action="outage_reported", entity="outage_report",
        entity_id=report.report_number, account_id=account.id if account else None,
        reason=description[:1000] or None,
        detail={"kind": kind, "location": location, "outage_id": report.outage_id,
                "work_order": order.order_number if order else None},
    )
    session.commit()
    session.refresh(report)
    return FiledReport(report, outage, order)
