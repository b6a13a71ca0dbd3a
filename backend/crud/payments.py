"""Payments posted by the payment processor: recorded once per processor reference, and a payment
that clears what a shut-off account owes turns its water back on."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.crud import audit, orders
from backend.crud.accounts import AccountBundle, Ledger, ledger
from backend.crud.audit import Actor
from backend.domain.district import District
from backend.models import AuditLog, Bill, Payment, WorkOrder
from backend.models.common import PaymentChannel, PaymentMethod


class ReferenceTaken(Exception):
    """The processor reference belongs to a payment on another account."""


@dataclass(frozen=True)
class Posted:
    payment: Payment
    duplicate: bool
    turn_on: WorkOrder | None
    ledger: Ledger


def _by_reference(session: Session, reference: str) -> Payment | None:
    return session.exec(select(Payment).where(Payment.reference == reference)).first()


def _turn_on_of(session: Session, payment: Payment) -> WorkOrder | None:
    """The turn-on a payment caused, as its audit entry names it."""
    entry = session.exec(select(AuditLog).where(
        AuditLog.action == "payment_posted", AuditLog.entity_id == str(payment.id))).first()
    number = (entry.detail or {}).get("turn_on") if entry else None
    if not number:
        return None
    return session.exec(select(WorkOrder).where(WorkOrder.order_number == number)).first()


def _replay(session: Session, bundle: AccountBundle, payment: Payment, today: date) -> Posted:
    if payment.account_id != bundle.account.id:
        raise ReferenceTaken(payment.reference)
    return Posted(payment, True, _turn_on_of(session, payment),
                  ledger(session=session, account=bundle.account, today=today))


def _lost_race(session: Session, bundle: AccountBundle, reference: str | None, today: date,
               error: IntegrityError) -> Posted:
    # The same reference posted at the same moment: that one is the payment.
    session.rollback()
    found = _by_reference(session, reference or "")
    if found is None:
        raise error  # not that race: some other constraint failed
    return _replay(session, bundle, found, today)


def post_payment(*, session: Session, district: District, bundle: AccountBundle, actor: Actor,
                 amount_cents: int, method: PaymentMethod, channel: PaymentChannel,
                 reference: str | None, today: date, at: datetime) -> Posted:
    """Record a payment (late when something was past due), once per processor reference. If it
    leaves nothing past due on a shut-off account, a turn-on work order and the reconnection fee
    (after hours outside office hours) follow; a shut-off only scheduled is called off."""
    account = bundle.account
    if reference and (found := _by_reference(session, reference)) is not None:
        return _replay(session, bundle, found, today)
    before = ledger(session=session, account=account, today=today)
    latest_bill = session.exec(select(Bill.id).where(Bill.account_id == account.id)
                               .order_by(col(Bill.bill_date).desc())).first()
    payment = Payment(account_id=account.id,  # type: ignore[arg-type]
                      bill_id=latest_bill, amount_cents=amount_cents, paid_on=today,
                      method=method, channel=channel, reference=reference,
                      late=before.past_due_cents > 0)
    session.add(payment)
    try:
        session.flush()
    except IntegrityError as exc:
        return _lost_race(session, bundle, reference, today, exc)
    after = ledger(session=session, account=account, today=today)
    turn_on = None
    if after.past_due_cents == 0:
        turn_on = orders.reconnect_if_shut_off(
            session=session, district=district, bundle=bundle, actor=actor, today=today, at=at,
            why=f"Past-due balance paid in full (payment {payment.id})")
    audit.record(session=session, actor=actor, action="payment_posted", entity="payment",
                 entity_id=payment.id, account_id=account.id, reason="Payment received",
                 detail={"amount_cents": amount_cents, "method": method, "channel": channel,
                         "reference": reference, "late": payment.late,
                         "past_due_before_cents": before.past_due_cents,
                         "turn_on": turn_on.order_number if turn_on else None})
    try:
        session.commit()
    except IntegrityError as exc:
        return _lost_race(session, bundle, reference, today, exc)
    return Posted(payment, False, turn_on, ledger(session=session, account=account, today=today))
