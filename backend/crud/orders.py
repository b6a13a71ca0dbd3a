"""Service orders (start, stop, transfer) and field work orders."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import uuid4

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from backend.crud import audit
from backend.crud.accounts import AccountBundle
from backend.crud.audit import Actor
from backend.crud.charges import add_charge
from backend.crud.verification import digits
from backend.domain import calendar
from backend.domain.district import District
from backend.domain.i18n import Reason, format_money
from backend.domain.rates import from_cents, to_cents
from backend.models import Account, Customer, Deposit, Premise, ServiceOrder, WorkOrder
from backend.models.common import (
    AccountStatus,
    AccountType,
    FeeKind,
    OrderStatus,
    Priority,
    ServiceOrderKind,
    WorkOrderKind,
    WorkOrderStatus,
)
from backend.models.views import Address, Identity

# Orders still to be done: a customer asking after their orders sees these, however old.
OPEN_SERVICE = (OrderStatus.pending, OrderStatus.scheduled)
OPEN_WORK = (WorkOrderStatus.open, WorkOrderStatus.dispatched)

ACCOUNT_PREFIX = {
    AccountType.residential: "1",
    AccountType.commercial: "2",
    AccountType.temporary_construction: "3",
}


class OrderConflict(Exception):
    """The account's state doesn't allow this order (e.g. a stop already pending)."""


@dataclass(frozen=True)
class PlacedOrder:
    order: ServiceOrder
    account_number: str | None
    new_account_number: str | None
    service_address: str | None
    deposit_reason: Reason | None


def _next_account_number(session: Session, account_type: AccountType) -> str:
    prefix = ACCOUNT_PREFIX[account_type]
    highest = session.exec(
        select(func.max(Account.account_number)).where(
            Account.account_number.like(f"{prefix}%")  # type: ignore[attr-defined]
        )
    ).one()
    return str(int(highest) + 1) if highest else f"{prefix}000001"


def _premise(session: Session, address: Address) -> Premise:
    found = session.exec(
        select(Premise).where(
            func.lower(Premise.street) == address.street.strip().lower(),
            Premise.zip == address.zip[:5],
            Premise.unit == address.unit if address.unit else Premise.unit.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if found:
        return found
    premise = Premise(
        street=address.street.strip(), unit=address.unit, city=address.city.strip(),
        state=address.state.upper(), zip=address.zip[:5],
    )
    session.add(premise)
    session.flush()
    return premise


def _number(session: Session, order: ServiceOrder | WorkOrder, prefix: str) -> None:
    # Human-friendly sequential numbers come from the row id, known only after insert.
    order.order_number = f"tmp-{uuid4().hex[:12]}"
    session.add(order)
    session.flush()
    order.order_number = f"{prefix}-{100000 + (order.id or 0)}"
    session.add(order)


def _open_account(
    session: Session, *, customer: Customer, premise: Premise, account_type: AccountType,
    opens_on: date,
) -> Account:
    account = Account(
        account_number=_next_account_number(session, account_type), account_type=account_type,
        status=AccountStatus.pending_start, opened_on=opens_on,
        customer_id=customer.id,  # type: ignore[arg-type]
        premise_id=premise.id,  # type: ignore[arg-type]
    )
    session.add(account)
    session.flush()
    return account


def start_service(
    *, session: Session, actor: Actor, identity: Identity | None, existing: AccountBundle | None,
    service_address: Address, mailing_address: Address, account_type: AccountType,
    requested_date: date, deposit_cents: int, deposit_reason: Reason | None, notes: str | None,
) -> PlacedOrder:
    if existing is not None:
        customer = existing.customer
    else:
        assert identity is not None
        customer = Customer(
            first_name=identity.first_name.strip(), last_name=identity.last_name.strip(),
            business_name=identity.business_name, phone=digits(identity.phone),
            email=identity.email, preferred_language=identity.preferred_language,
            mailing_street=mailing_address.street, mailing_city=mailing_address.city,
            mailing_state=mailing_address.state.upper(), mailing_zip=mailing_address.zip,
        )
        session.add(customer)
        session.flush()
    premise = _premise(session, service_address)
    account = _open_account(
        session, customer=customer, premise=premise, account_type=account_type,
        opens_on=requested_date,
    )
    if deposit_cents:
        session.add(Deposit(account_id=account.id,  # type: ignore[arg-type]
                            amount_cents=deposit_cents, reason="New service deposit"))
    order = ServiceOrder(
        order_number="", kind=ServiceOrderKind.start, customer_id=customer.id,
        new_account_id=account.id, premise_id=premise.id, account_type=account_type,
        requested_date=requested_date, deposit_cents=deposit_cents, notes=notes,
    )
    _number(session, order, "SO")
    if deposit_cents:
        # "Added to your first bill": charged now, printed on the first bill.
        add_charge(session=session, account_id=account.id,  # type: ignore[arg-type]
                   fee_kind=FeeKind.deposit, amount_cents=deposit_cents,
                   description="New service deposit", source=order.order_number,
                   today=order.created_at.date())
    audit.record(
        session=session, actor=actor, action="service_start_ordered", entity="service_order",
        entity_id=order.order_number, account_id=account.id, reason="Customer request",
        detail={"requested_date": requested_date.isoformat(), "deposit_cents": deposit_cents,
                "address": service_address.one_line()},
    )
    session.commit()
    return PlacedOrder(order, None, account.account_number, service_address.one_line(),
                       deposit_reason)


def stop_service(
    *, session: Session, actor: Actor, bundle: AccountBundle, requested_date: date,
    forwarding_address: Address, notes: str | None,
) -> PlacedOrder:
    account = bundle.account
    if account.status in (AccountStatus.pending_stop, AccountStatus.closed):
        raise OrderConflict(f"This account is already {account.status.replace('_', ' ')}")
    account.status = AccountStatus.pending_stop
    account.closed_on = requested_date
    session.add(account)
    order = ServiceOrder(
        order_number="", kind=ServiceOrderKind.stop, customer_id=bundle.customer.id,
        account_id=account.id, premise_id=bundle.premise.id, requested_date=requested_date,
        forwarding_address=forwarding_address.one_line(), notes=notes,
    )
    _number(session, order, "SO")
    audit.record(
        session=session, actor=actor, action="service_stop_ordered", entity="service_order",
        entity_id=order.order_number, account_id=account.id, reason="Customer request",
        detail={"requested_date": requested_date.isoformat(),
                "forwarding_address": forwarding_address.one_line()},
    )
    session.commit()
    return PlacedOrder(order, account.account_number, None, None, None)


def transfer_service(
    *, session: Session, actor: Actor, bundle: AccountBundle, service_address: Address,
    requested_date: date, notes: str | None,
) -> PlacedOrder:
    old = bundle.account
    if old.status in (AccountStatus.pending_stop, AccountStatus.closed):
        raise OrderConflict(f"This account is already {old.status.replace('_', ' ')}")
    old.status = AccountStatus.pending_stop
    old.closed_on = requested_date
    session.add(old)
    premise = _premise(session, service_address)
    new = _open_account(
        session, customer=bundle.customer, premise=premise,
        account_type=AccountType(old.account_type), opens_on=requested_date,
    )
    new.autopay_enabled, new.paperless_enabled = old.autopay_enabled, old.paperless_enabled
    new.autopay_last4 = old.autopay_last4
    session.add(new)
    order = ServiceOrder(
        order_number="", kind=ServiceOrderKind.transfer, customer_id=bundle.customer.id,
        account_id=old.id, new_account_id=new.id, premise_id=premise.id,
        account_type=old.account_type, requested_date=requested_date, notes=notes,
    )
    _number(session, order, "SO")
    audit.record(
        session=session, actor=actor, action="service_transfer_ordered", entity="service_order",
        entity_id=order.order_number, account_id=old.id, reason="Customer request",
        detail={"requested_date": requested_date.isoformat(), "to": service_address.one_line(),
                "new_account": new.account_number},
    )
    session.commit()
    # The deposit already held moves with the customer, so a transfer asks for none.
    reason = Reason("deposit_transferred",
                    "Your existing deposit moves to the new address; no new deposit is needed.",
                    "Su depósito actual pasa a la nueva dirección; no se necesita otro depósito.")
    return PlacedOrder(order, old.account_number, new.account_number,
                       service_address.one_line(), reason)


def work_order_fee(*, district: District, kind: WorkOrderKind) -> int:
    """What the customer is charged for a work order they ask for: a meter test's fee."""
    return to_cents(district.fees.meter_test_fee) if kind == WorkOrderKind.meter_test else 0


def create_work_order(
    *, session: Session, actor: Actor, kind: WorkOrderKind, priority: str, location: str,
    zip_code: str | None, description: str, fee_cents: int, contact_phone: str | None,
    account: Account | None, today: date | None = None,
) -> WorkOrder:
    order = WorkOrder(
        order_number="", kind=kind, priority=priority, location=location, zip=zip_code,
        description=description, fee_cents=fee_cents,
        contact_phone=digits(contact_phone) if contact_phone else None,
        account_id=account.id if account else None,
    )
    _number(session, order, "WO")
    if fee_cents and account is not None:
        # The fee the customer was told of is charged now and printed on the next bill.
        add_charge(session=session, account_id=account.id,  # type: ignore[arg-type]
                   fee_kind=FeeKind.meter_test_fee if kind == WorkOrderKind.meter_test
                   else FeeKind.reconnection_fee, amount_cents=fee_cents,
                   description=f"{kind.replace('_', ' ').capitalize()} fee",
                   source=order.order_number, today=today or order.created_at.date())
    audit.record(
        session=session, actor=actor, action="work_order_created", entity="work_order",
        entity_id=order.order_number, account_id=account.id if account else None,
        reason=description[:1000], detail={"kind": kind, "priority": priority, "fee_cents": fee_cents},
    )
    session.commit()
    session.refresh(order)
    return order


def is_shut_off(*, account: Account, today: date) -> bool:
    """Off now: shut off, or its scheduled shut-off day has come."""
    return account.status == AccountStatus.shut_off or (
        account.shutoff_scheduled_on is not None and account.shutoff_scheduled_on <= today)


def create_turn_on(*, session: Session, district: District, bundle: AccountBundle, actor: Actor,
                   today: date, at: datetime, why: str) -> WorkOrder:
    """A high-priority turn-on for the premise plus the reconnection fee as a pending charge (the
    after-hours fee outside office hours). Service is active again and no shut-off is pending.
    An open turn-on already ordered is the one returned: the water is turned on once, and charged
    once. Doesn't commit: the payment or arrangement that caused it commits both."""
    account, premise = bundle.account, bundle.premise
    open_one = session.exec(select(WorkOrder).where(
        WorkOrder.account_id == account.id, WorkOrder.kind == WorkOrderKind.turn_on,
        col(WorkOrder.status).in_(OPEN_WORK))).first()
    account.status, account.shutoff_scheduled_on = AccountStatus.active, None
    session.add(account)
    if open_one is not None:
        return open_one
    after_hours = not calendar.is_open(district=district, at=at)
    fee = district.fees.after_hours_reconnection_fee if after_hours \
        else district.fees.reconnection_fee
    order = WorkOrder(
        order_number="", kind=WorkOrderKind.turn_on, priority=Priority.high,
        location=f"{premise.street}, {premise.city} {premise.zip}", zip=premise.zip,
        description=f"Turn service back on: {why}"[:2000], fee_cents=to_cents(fee),
        account_id=account.id)
    _number(session, order, "WO")
    add_charge(session=session, account_id=account.id,  # type: ignore[arg-type]
               fee_kind=FeeKind.reconnection_fee, amount_cents=to_cents(fee),
               description="After-hours reconnection fee" if after_hours else "Reconnection fee",
               source=order.order_number, today=today)
    audit.record(
        session=session, actor=actor, action="work_order_created", entity="work_order",
        entity_id=order.order_number, account_id=account.id, reason=why[:1000],
        detail={"kind": WorkOrderKind.turn_on, "priority": Priority.high,
                "fee_cents": to_cents(fee), "after_hours": after_hours},
    )
    return order


def reconnect_if_shut_off(*, session: Session, district: District, bundle: AccountBundle,
                          actor: Actor, today: date, at: datetime, why: str) -> WorkOrder | None:
    """After a payment in full or an accepted arrangement: a shut-off account gets its water back
    (create_turn_on); a shut-off still only scheduled is called off, with no crew and no fee."""
    account = bundle.account
    if is_shut_off(account=account, today=today):
        return create_turn_on(session=session, district=district, bundle=bundle, actor=actor,
                              today=today, at=at, why=why)
    if account.shutoff_scheduled_on is not None:
        audit.record(session=session, actor=actor, action="shutoff_cancelled", entity="account",
                     entity_id=account.account_number, account_id=account.id, reason=why[:1000],
                     detail={"was_scheduled_on": account.shutoff_scheduled_on.isoformat()})
        account.shutoff_scheduled_on = None
        session.add(account)
    return None


def turn_on_message(order: WorkOrder) -> Reason:
    fee = format_money(from_cents(order.fee_cents))
    return Reason(
        "turn_on_ordered",
        f"A crew will turn your water back on (order {order.order_number}); a {fee} reconnection "
        "fee is added to your next bill.",
        f"Un equipo volverá a abrir su servicio de agua (orden {order.order_number}); se agrega un "
        f"cargo de reconexión de {fee} a su próxima factura.")


def account_orders(*, session: Session, account: Account, since: datetime,
                   number: str | None = None) -> list[ServiceOrder | WorkOrder]:
    """The account's open orders and those finished since `since`, newest first; with `number`,
    that one order of the account's, however old (an empty list if it isn't theirs)."""
    service = select(ServiceOrder).where(or_(ServiceOrder.account_id == account.id,
                                             ServiceOrder.new_account_id == account.id))
    work = select(WorkOrder).where(WorkOrder.account_id == account.id)
    if number is not None:
        service = service.where(ServiceOrder.order_number == number)
        work = work.where(WorkOrder.order_number == number)
    else:
        service = service.where(or_(col(ServiceOrder.status).in_(OPEN_SERVICE),
                                    col(ServiceOrder.created_at) >= since))
        work = work.where(or_(col(WorkOrder.status).in_(OPEN_WORK),
                              col(WorkOrder.created_at) >= since))
    found: list[ServiceOrder | WorkOrder] = [*session.exec(service).all(),
                                             *session.exec(work).all()]
    return sorted(found, key=lambda o: o.created_at, reverse=True)
