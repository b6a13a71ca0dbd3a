from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from backend.api.deps import CallerDep, DistrictDep, OptionalAccountDep, SessionDep
from backend.api.errors import unprocessable
from backend.crud import outages as outages_crud
from backend.models import Outage
from backend.models.common import utcnow
from backend.models.orders import OutageReportCreate, OutageReportPublic
from backend.models.views import OutagePublic
from common.dates import format_weekday_time

# No prefix: the outage list and customers' outage reports are two resources.
router = APIRouter(tags=["outages"])


def _public(outage: Outage, now: Any) -> OutagePublic:
    return OutagePublic(
        title=outage.title, description=outage.description, planned=outage.planned,
        zips=outage.zips.split(), starts_at=outage.starts_at,
        expected_restore_at=outage.expected_restore_at, active=outage.starts_at <= now,
    )


@router.get("/outages", response_model=list[OutagePublic])
def list_outages(
    session: SessionDep, _caller: CallerDep,
    zip: Annotated[str | None, Query(pattern=r"^\d{5}(-\d{4})?$")] = None,
    address: Annotated[str | None, Query(min_length=3, max_length=200)] = None,
) -> list[OutagePublic]:
    """Current and upcoming outages by ZIP code or street address."""
    if not zip and not address:
        raise unprocessable("zip", "Give a ZIP code or an address", where="query")
    now = utcnow()
    return [_public(o, now) for o in
            outages_crud.covering(session=session, now=now, zip_code=zip, address=address)]


@router.post("/outage-reports", status_code=status.HTTP_201_CREATED,
             response_model=OutageReportPublic)
def report_outage(
    body: OutageReportCreate, session: SessionDep, caller: CallerDep, district: DistrictDep,
    verified: OptionalAccountDep,
) -> Any:
    """Report no water or low pressure at an address or ZIP; no verification needed.

    A known outage that has begun and covers the place is returned with the report; otherwise a
    field work order is opened to investigate. A verification token links the report to its
    account (and its premise stands in for a missing location).
    """
    location, zip_code = body.location, body.zip
    if verified is not None and not location and not zip_code:
        p = verified.premise
        location, zip_code = f"{p.street}, {p.city} {p.zip}", p.zip
    if not location and zip_code:
        location = f"ZIP {zip_code[:5]}"
    if not location:
        raise unprocessable("location", "Where is it? Give an address or a ZIP code")

    now = utcnow()
    filed = outages_crud.file_report(
        session=session, actor=caller, kind=body.kind, location=location,
        zip_code=zip_code, description=body.description,
        account=verified.account if verified else None, now=now,
    )
    r = filed.report
    return OutageReportPublic(
        report_number=r.report_number, kind=r.kind, location=r.location, zip=r.zip,
        outage=_with_restore_time(_public(filed.outage, now), district) if filed.outage
        else None,
        work_order_number=filed.work_order.order_number if filed.work_order else None,
        created_at=r.created_at,
    )


def _with_restore_time(outage: OutagePublic, district: Any) -> dict[str, Any]:
    """The outage, with when water is expected back in the district's local time, in words."""
    found = outage.model_dump(mode="json")
    back = outage.expected_restore_at
    if back is not None:
        local = back.astimezone(district.tz)
        found["expected_back"] = {"code": "expected_back",
                                  "en": format_weekday_time(at=local, lang="en"),
                                  "es": format_weekday_time(at=local, lang="es")}
    return found
