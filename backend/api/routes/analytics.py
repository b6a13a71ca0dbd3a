"""Supervisor analytics over a period of the district's days: JSON for the console, and CSV."""

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from backend.api.deps import CurrentSupervisor, DistrictDep, SessionDep, TodayDep
from backend.api.errors import unprocessable
from backend.crud import analytics as analytics_crud
from backend.domain import analytics

router = APIRouter(tags=["analytics"])

DEFAULT_DAYS = 30
Start = Annotated[date | None, Query(
    description="First day (YYYY-MM-DD) in the district's time zone; "
                f"by default the {DEFAULT_DAYS} days that end on `end`")]
End = Annotated[date | None, Query(
    description=f"Last day, included, at most {analytics.MAX_DAYS} days after the first; "
                "by default the district's today")]


def _report(session: SessionDep, district: DistrictDep, today: date, start: date | None,
            end: date | None) -> analytics.Report:
    # Without a period the console learns the district's today from the answer (report.end):
    # the browser's own date is not the district's, and tests run on a set clock.
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    try:
        analytics.check_period(start=start, end=end)
    except ValueError as exc:
        raise unprocessable("end", str(exc), where="query") from None
    return analytics_crud.report(session=session, start=start, end=end, tz=district.tz)


# The domain's dataclasses are the response model: FastAPI validates and documents them as is.
@router.get("/analytics", response_model=analytics.Report)
def read_analytics(session: SessionDep, district: DistrictDep, today: TodayDep,
                   _supervisor: CurrentSupervisor, start: Start = None, end: End = None) -> Any:
    """Containment, handoff reasons and priorities, top intents and the fallback rate, the wait
    to claim (p50/p90, nearest rank), CSAT by channel and by bot or person: for the period, by
    language, and by day (every day present)."""
    return _report(session, district, today, start, end)


@router.get("/analytics.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def read_analytics_csv(session: SessionDep, district: DistrictDep, today: TodayDep,
                       _supervisor: CurrentSupervisor, start: Start = None,
                       end: End = None) -> Response:
    """The same numbers as CSV: one row per day with every metric (all, en_, es_), then the
    totals row. Cells that a spreadsheet would run as a formula start with a quote."""
    report = _report(session, district, today, start, end)
    name = f"waterdesk-analytics-{report.start.isoformat()}-{report.end.isoformat()}.csv"
    return Response(content=analytics.csv_text(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
