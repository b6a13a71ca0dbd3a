"""The audit log, read by supervisors: who changed what, when and why."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from backend.api.deps import CurrentSupervisor, DistrictDep, SessionDep
from backend.api.errors import unprocessable
from backend.crud import audit as audit_crud
from backend.models.audit import AuditLogEntry
from backend.models.common import ActorType

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditLogEntry])
def read_audit_log(
    session: SessionDep, district: DistrictDep, _supervisor: CurrentSupervisor,
    account_number: Annotated[str | None, Query(pattern=r"^\d{7}$")] = None,
    actor_type: ActorType | None = None,
    actor_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    action: Annotated[str | None, Query(
        pattern=r"^[a-z_]{1,60}\*?$",
        description='An action such as "approval_approved", or a prefix ending in "*" '
                    '("approval_*")')] = None,
    from_date: Annotated[date | None, Query(
        alias="from", description="First day, in the district's time zone")] = None,
    to_date: Annotated[date | None, Query(
        alias="to", description="Last day (included), in the district's time zone")] = None,
    before_id: Annotated[int | None, Query(ge=1, description="Entries older than this id")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Any:
    """Audit entries, newest first, filtered by account, actor, action and the district's days."""
    if from_date and to_date and from_date > to_date:
        raise unprocessable("to", "The last day comes before the first day", where="query")
    query = audit_crud.AuditQuery(
        account_number=account_number, actor_type=actor_type, actor_id=actor_id, action=action,
        since=_start_of(from_date, district.tz) if from_date else None,
        until=_start_of(to_date + timedelta(days=1), district.tz) if to_date else None,
        before_id=before_id)
    rows = audit_crud.entries(session=session, query=query, limit=limit, offset=offset)
    return [AuditLogEntry.model_validate(entry, from_attributes=True)
            .model_copy(update={"account_number": number}) for entry, number in rows]


def _start_of(day: date, tz: ZoneInfo) -> datetime:
    """Midnight of `day` in the district, in UTC (what the log stores)."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
