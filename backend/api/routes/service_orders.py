from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlmodel import select

from backend.api.deps import (
    CallerDep,
    DistrictDep,
    OptionalAccountDep,
    SessionDep,
    TodayDep,
)
from backend.api.errors import unprocessable
from backend.crud import orders as orders_crud
from backend.crud import policies as policies_crud
from backend.crud.orders import PlacedOrder
from backend.domain.calendar import validate_requested_date
from backend.domain.rates import from_cents
from backend.models import Account, Premise, ServiceOrder
from backend.models.common import ServiceOrderKind
from backend.models.views import Address, ServiceOrderCreate, ServiceOrderPublic

router = APIRouter(prefix="/service-orders", tags=["service-orders"])


def _public(placed: PlacedOrder) -> ServiceOrderPublic:
    o = placed.order
    return ServiceOrderPublic(
        order_number=o.order_number, kind=o.kind, status=o.status,
        requested_date=o.requested_date, account_number=placed.account_number,
        new_account_number=placed.new_account_number, service_address=placed.service_address,
        deposit=from_cents(o.deposit_cents),
        deposit_reason=placed.deposit_reason.to_dict() if placed.deposit_reason else None,  # type: ignore[arg-type]
        created_at=o.created_at,
    )


def _in_area(district: Any, address: Address | None, field: str) -> Address:
    if address is None:
        raise unprocessable(field, "This field is required for this kind of order")
    if not district.in_service_area(address.zip):
        raise unprocessable(
            f"{field}.zip",
            f"ZIP {address.zip} is outside the {district.name} service area",
        )
    return address


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ServiceOrderPublic)
def create_service_order(
    body: ServiceOrderCreate, session: SessionDep, district: DistrictDep, today: TodayDep,
    caller: CallerDep, verified: OptionalAccountDep,
) -> Any:
    """Start, stop or transfer water service on a business day within the next 60 days.

    A start needs the customer's identity (or a verification token), a mailing address and a
    service address inside the service area; a stop or transfer needs a verified account.
    """
    problems = validate_requested_date(district=district, requested=body.requested_date, today=today)
    if problems:
        raise unprocessable("requested_date", problems[0].en)
    if body.kind != ServiceOrderKind.start and verified is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Stopping or transferring service needs a verified customer (X-Verification-Token)",
        )

    try:
        if body.kind == ServiceOrderKind.start:
            placed = _start(body, session, district, today, caller, verified)
        elif body.kind == ServiceOrderKind.stop:
            if body.forwarding_address is None:
                raise unprocessable("forwarding_address", "Where should the final bill go?")
            placed = orders_crud.stop_service(
                session=session, actor=caller, bundle=verified,  # type: ignore[arg-type]
                requested_date=body.requested_date,
                forwarding_address=body.forwarding_address, notes=body.notes,
            )
        else:
            address = _in_area(district, body.service_address, "service_address")
            placed = orders_crud.transfer_service(
                session=session, actor=caller, bundle=verified,  # type: ignore[arg-type]
                service_address=address, requested_date=body.requested_date,
                notes=body.notes,
            )
    except orders_crud.OrderConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return _public(placed)


def _start(body, session, district, today, caller, verified) -> PlacedOrder:  # type: ignore[no-untyped-def]
    address = _in_area(district, body.service_address, "service_address")
    if body.mailing_address is None:
        raise unprocessable("mailing_address", "A start needs a mailing address for the bills")
    if body.identity is None and verified is None:
        raise unprocessable("identity", "A start needs the customer's name and phone")
    occupied = session.exec(
        select(Account).join(Premise, Account.premise_id == Premise.id).where(
            Premise.street.ilike(address.street.strip()), Premise.zip == address.zip[:5],
            Account.status.in_(("active", "pending_start")),
        )
    ).first()
    if occupied is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "Service at this address is already active or starting; a representative can "
            "arrange a transfer of responsibility",
        )
    deposit_cents, reason = policies_crud.deposit_for_start(
        session=session, district=district, today=today, account_type=body.account_type,
        existing=verified,
    )
    return orders_crud.start_service(
        session=session, actor=caller, identity=body.identity, existing=verified,
        service_address=address, mailing_address=body.mailing_address,
        account_type=body.account_type, requested_date=body.requested_date,
        deposit_cents=deposit_cents, deposit_reason=reason, notes=body.notes,
    )


@router.get("/{order_number}", response_model=ServiceOrderPublic)
def read_service_order(order_number: str, session: SessionDep, _caller: CallerDep) -> Any:
    """The status of a service order by its number."""
    order = session.exec(select(ServiceOrder).where(ServiceOrder.order_number == order_number)).first()
    if order is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such service order")
    number = lambda account_id: (session.get(Account, account_id).account_number  # noqa: E731
                                 if account_id else None)
    return _public(PlacedOrder(order, number(order.account_id), number(order.new_account_id),
                               None, None))
