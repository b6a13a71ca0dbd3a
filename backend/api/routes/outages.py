import re
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import col, select

from backend.api.deps import CallerDep, SessionDep
from backend.api.errors import unprocessable
from backend.models import Outage
from backend.models.common import utcnow
from backend.models.views import OutagePublic

router = APIRouter(prefix="/outages", tags=["outages"])


@router.get("", response_model=list[OutagePublic])
def list_outages(
    session: SessionDep, _caller: CallerDep,
    zip: Annotated[str | None, Query(pattern=r"^\d{5}(-\d{4})?$")] = None,
    address: Annotated[str | None, Query(min_length=3, max_length=200)] = None,
) -> list[OutagePublic]:
    """Current and upcoming outages by ZIP code or street address."""
    if not zip and not address:
        raise unprocessable("zip", "Give a ZIP code or an address", where="query")
    wanted_zip = zip[:5] if zip else None
    if address and not wanted_zip:
        found = re.search(r"\b(\d{5})(?:-\d{4})?\b\s*$", address.strip())
        wanted_zip = found.group(1) if found else None
    now = utcnow()
    outages = session.exec(
        select(Outage).where(col(Outage.restored_at).is_(None)).order_by(col(Outage.starts_at))
    ).all()
    street_words = _street_key(address) if address else ""
    matches = []
    for outage in outages:
        if outage.expected_restore_at and outage.expected_restore_at < now:
            continue
        zips = outage.zips.split()
        by_zip = wanted_zip is not None and wanted_zip in zips
        by_street = bool(street_words) and any(
            _street_key(s) and _street_key(s) in street_words
            for s in outage.streets.split(";")
        )
        if by_zip or by_street:
            matches.append(OutagePublic(
                title=outage.title, description=outage.description, planned=outage.planned,
                zips=zips, starts_at=outage.starts_at,
                expected_restore_at=outage.expected_restore_at, active=outage.starts_at <= now,
            ))
    return matches


def _street_key(text: str) -> str:
    # "Antonio Pkwy" matches "27 antonio parkway, rsm": compare letters of the street name only.
    words = re.sub(r"[^a-z ]", " ", text.lower()).split()
    skip = {"pkwy", "parkway", "rd", "road", "st", "street", "ave", "avenue", "dr", "drive", "ca"}
    return " ".join(w for w in words if w not in skip)
