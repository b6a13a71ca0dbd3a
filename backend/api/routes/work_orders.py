from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlmodel import select

from backend.api.deps import CallerDep, DistrictDep, OptionalAccountDep, SessionDep, TodayDep
from backend.api.errors import unprocessable
from backend.crud import orders as orders_crud
from backend.domain.rates import from_cents
from backend.models import WorkOrder
from backend.models.common import Priority, WorkOrderKind
from backend.models.views import WorkOrderCreate, WorkOrderPublic

router = APIRouter(prefix="/work-orders", tags=["work-orders"])

# These touch a customer's meter or service, so they need a verified account.
ACCOUNT_KINDS = {
    WorkOrderKind.meter_reread, WorkOrderKind.meter_test, WorkOrderKind.meter_repair,
    WorkOrderKind.turn_on, WorkOrderKind.turn_off,
}
# Anyone may report a leak or bad water: public safety doesn't wait for verification.
EMERGENCY_KINDS = {WorkOrderKind.leak_investigation, WorkOrderKind.water_quality,
                   WorkOrderKind.meter_repair}


def _public(order: WorkOrder) -> WorkOrderPublic:
    return WorkOrderPublic(
        order_number=order.order_number, kind=order.kind, priority=order.priority,
        status=order.status, location=order.location, description=order.description,
        fee=from_cents(order.fee_cents), created_at=order.created_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WorkOrderPublic)
def create_work_order(
    body: WorkOrderCreate, session: SessionDep, district: DistrictDep, caller: CallerDep,
    verified: OptionalAccountDep, today: TodayDep,
) -> Any:
    """Create a field work order: leak investigation, meter reread or test, water quality, …

    A meter test carries the district's meter test fee, which is disclosed in the response and
    charged to the account at once (a pending charge, printed on the next bill).
    """
    if body.kind in ACCOUNT_KINDS and verified is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"A {body.kind.replace('_', ' ')} needs a verified customer (X-Verification-Token)",
        )
    if body.priority == Priority.emergency and body.kind not in EMERGENCY_KINDS:
        raise unprocessable("priority", f"A {body.kind.replace('_', ' ')} can't be an emergency")
    location = body.location
    zip_code = body.zip
    if verified is not None and not location:
        p = verified.premise
        location, zip_code = f"{p.street}, {p.city} {p.zip}", p.zip
    if not location:
        raise unprocessable("location", "Where is it? Give an address or a nearby intersection")
    fee = orders_crud.work_order_fee(district=district, kind=body.kind)

    order = orders_crud.create_work_order(
        session=session, actor=caller, kind=body.kind, priority=body.priority,
        location=location, zip_code=zip_code, description=body.description, fee_cents=fee,
        contact_phone=body.contact_phone,
        account=verified.account if verified else None, today=today,
    )
    return _public(order)


@router.get("/{order_number}", response_model=WorkOrderPublic)
def read_work_order(order_number: str, session: SessionDep, _caller: CallerDep) -> Any:
    """The status of a work order by its number."""
    order = session.exec(select(WorkOrder).where(WorkOrder.order_number == order_number)).first()
    if order is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such work order")
    return _public(order)
