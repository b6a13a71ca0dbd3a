from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from backend.api.deps import CallerDep, DistrictDep, TodayDep
from backend.api.errors import unprocessable
from backend.domain import calendar, rates
from backend.domain.district import normalize_meter_size
from backend.models.common import AccountType
from common import clock

router = APIRouter(prefix="/district", tags=["district"])


@router.get("")
def read_district(district: DistrictDep, _caller: CallerDep) -> dict[str, Any]:
    """Who the district is, how to reach it, and whether representatives are on shift now."""
    now = clock.now()
    return {
        "name": district.name,
        "phone": district.phone,
        "emergency_phone": district.emergency_phone,
        "website": district.website,
        "payment_url": district.payment_url,
        "service_area": {"zips": list(district.service_area.zips),
                         "cities": list(district.service_area.cities)},
        "office_hours": calendar.office_hours(district).to_dict(),
        "open_now": calendar.is_open(district=district, at=now),
        "next_opening": calendar.next_opening(district=district, at=now),
        "fees": {
            "late_fee": district.fees.late_fee,
            "reconnection_fee": district.fees.reconnection_fee,
            "after_hours_reconnection_fee": district.fees.after_hours_reconnection_fee,
            "meter_test_fee": district.fees.meter_test_fee,
            "deposit": dict(district.fees.deposit),
        },
    }


@router.get("/rates")
def read_rates(
    district: DistrictDep, today: TodayDep, _caller: CallerDep,
    account_type: AccountType = AccountType.residential,
    meter_size: str = "3/4",
    hcf: Annotated[int, Query(ge=0, le=10_000, description="Consumption for the worked example")] = 12,
) -> dict[str, Any]:
    """The rates in force today with a worked example bill, explained line by line."""
    try:
        return rates.worked_example(
            district=district, account_type=account_type,
            meter_size=normalize_meter_size(meter_size), consumption_hcf=hcf, day=today,
        )
    except (KeyError, ValueError) as exc:
        raise unprocessable("meter_size", f"Unknown meter size {meter_size!r}", where="query") from exc


@router.get("/service-area/{zip_code}")
def check_service_area(zip_code: str, district: DistrictDep, _caller: CallerDep) -> dict[str, Any]:
    """Whether a ZIP code is inside the district's service area."""
    return {"zip": zip_code, "in_service_area": district.in_service_area(zip_code)}


@router.get("/service-dates/{day}")
def check_service_date(
    day: date, district: DistrictDep, today: TodayDep, _caller: CallerDep
) -> dict[str, Any]:
    """Whether service can be scheduled on a day: a business day within the allowed window."""
    problems = calendar.validate_requested_date(district=district, requested=day, today=today)
    return {"date": day, "ok": not problems, "problems": [p.to_dict() for p in problems]}
