"""Writing what was granted, by the policy engine or by a supervisor: the same rows either way.

No function here commits: the caller commits the grant with its audit entry and, for an approval,
the approval's decision.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from backend.crud import audit, orders
from backend.crud.accounts import AccountBundle, ledger
from backend.crud.audit import Actor
from backend.crud.charges import Waivable, fee_label
from backend.domain import policy
from backend.domain.district import District
from backend.domain.i18n import Reason, format_date, format_money
from backend.domain.rates import from_cents, to_cents
from backend.models import (
    Bill,
    Deposit,
    DueDateExtension,
    FeeAdjustment,
    Installment,
    PaymentArrangement,
    WorkOrder,
)
from backend.models.common import AdjustmentStatus, DepositStatus


def under(rule: str) -> Reason:
    """The rule a grant was made under, as the customer and the rep are told it."""
    return Reason(rule, f"under the district's '{rule}' rule", f"según la regla '{rule}' del distrito")


def credit_fee(*, session: Session, bundle: AccountBundle, actor: Actor, waivable: Waivable,
               rule: str, reason: str, today: date, approved: bool) -> FeeAdjustment:
    """Credit exactly the fee that was charged; a waived deposit is no longer held."""
    adj = FeeAdjustment(
        account_id=bundle.account.id,  # type: ignore[arg-type]
        bill_id=waivable.bill_id, fee_kind=waivable.fee_kind, amount_cents=waivable.amount_cents,
        status=AdjustmentStatus.approved if approved else AdjustmentStatus.granted,
        reason=reason[:1000], policy_rule=rule, decided_by=actor.label, requested_on=today,
        charge_id=waivable.charge_id, deposit_id=waivable.deposit_id)
    session.add(adj)
    if waivable.deposit_id is not None:
        deposit = session.get(Deposit, waivable.deposit_id)
        if deposit is not None:
            # Still being charged: waived; already paid and held: refunded as this credit.
            deposit.status = DepositStatus.waived if waivable.charge_id else DepositStatus.refunded
            session.add(deposit)
    session.flush()
    audit.record(session=session, actor=actor, action="fee_waived", entity="fee_adjustment",
                 entity_id=adj.id, account_id=bundle.account.id, reason=reason[:1000],
                 detail={"rule": rule, "fee_kind": waivable.fee_kind,
                         "amount_cents": waivable.amount_cents, "charge_id": waivable.charge_id,
                         "deposit_id": waivable.deposit_id, "bill_id": waivable.bill_id})
    return adj


def waiver_message(*, waivable: Waivable, rule: str) -> Reason:
    amount = format_money(from_cents(waivable.amount_cents))
    rule_says = under(rule)
    return Reason(
        "fee_waived",
        f"Done: I've removed the {amount} {fee_label(waivable.fee_kind)} from your balance, "
        f"{rule_says.en}.",
        f"Listo: quité el {fee_label(waivable.fee_kind, 'es')} de {amount} de su saldo, "
        f"{rule_says.es}.")


def extend_due_date(*, session: Session, bundle: AccountBundle, actor: Actor, rule: str,
                    reason: str, today: date, days: int,
                    new_due: date | None) -> DueDateExtension:
    """Move the latest bill's due date. A bill has one extension row (the ledger joins it), so a
    second extension of the same bill moves that row."""
    latest = session.exec(select(Bill).where(Bill.account_id == bundle.account.id)
                          .order_by(col(Bill.bill_date).desc(), col(Bill.id).desc())).first()
    if latest is None:
        raise LookupError("There is no bill to extend")
    ext = session.exec(select(DueDateExtension).where(
        DueDateExtension.bill_id == latest.id)).first()
    current = ext.new_due_date if ext else latest.due_date
    target = new_due or current + timedelta(days=days)
    if target < today:  # approved after the asked-for date passed: the days count from today
        target = today + timedelta(days=days)
    if ext is None:
        ext = DueDateExtension(account_id=bundle.account.id,  # type: ignore[arg-type]
                               bill_id=latest.id,  # type: ignore[arg-type]
                               original_due_date=latest.due_date, new_due_date=target,
                               granted_on=today)
    else:
        ext.new_due_date, ext.granted_on = max(target, ext.new_due_date), today
    session.add(ext)
    session.flush()
    audit.record(session=session, actor=actor, action="due_date_extended", entity="bill",
                 entity_id=latest.id, account_id=bundle.account.id, reason=reason[:1000],
                 detail={"rule": rule, "days": days,
                         "new_due_date": ext.new_due_date.isoformat()})
    return ext


def extension_message(*, ext: DueDateExtension, rule: str) -> Reason:
    rule_says = under(rule)
    return Reason(
        "extension_granted",
        f"Done: your new due date is {format_date(day=ext.new_due_date)}, {rule_says.en}.",
        f"Listo: su nueva fecha de vencimiento es el {format_date(day=ext.new_due_date, lang='es')}"
        f", {rule_says.es}.")


@dataclass(frozen=True)
class Arranged:
    arrangement: PaymentArrangement
    installments: list[Installment]
    turn_on: WorkOrder | None


def arrange(*, session: Session, district: District, bundle: AccountBundle, actor: Actor,
            rule: str, reason: str, today: date, at: datetime, installments: int) -> Arranged:
    """Split what is past due now into monthly installments. An accepted arrangement on a shut-off
    account turns the water back on, as a payment in full would."""
    past_due = ledger(session=session, account=bundle.account, today=today).past_due_cents
    if past_due <= 0:
        raise LookupError("Nothing is past due any more")
    amounts = policy.split_installments(amount=from_cents(past_due), installments=installments)
    arrangement = PaymentArrangement(account_id=bundle.account.id,  # type: ignore[arg-type]
                                     total_cents=past_due, installments=installments,
                                     created_on=today)
    session.add(arrangement)
    session.flush()
    rows = [Installment(arrangement_id=arrangement.id,  # type: ignore[arg-type]
                        number=n, due_date=policy.add_months(day=today, months=n),
                        amount_cents=to_cents(amount))
            for n, amount in enumerate(amounts, start=1)]
    session.add_all(rows)
    audit.record(session=session, actor=actor, action="payment_arrangement_created",
                 entity="payment_arrangement", entity_id=arrangement.id,
                 account_id=bundle.account.id, reason=reason[:1000],
                 detail={"rule": rule, "installments": installments, "total_cents": past_due})
    turn_on = orders.reconnect_if_shut_off(
        session=session, district=district, bundle=bundle, actor=actor, today=today, at=at,
        why=f"Payment arrangement PA-{arrangement.id} accepted")
    return Arranged(arrangement, rows, turn_on)


def arrangement_message(*, arranged: Arranged, rule: str) -> Reason:
    first = arranged.installments[0]
    n = len(arranged.installments)
    amount = format_money(from_cents(first.amount_cents))
    rule_says = under(rule)
    en = (f"Done: {n} payments, the first of {amount} due {format_date(day=first.due_date)}, "
          f"{rule_says.en}.")
    es = (f"Listo: {n} pagos, el primero de {amount} con vencimiento el "
          f"{format_date(day=first.due_date, lang='es')}, {rule_says.es}.")
    if arranged.turn_on is not None:
        turn_on = orders.turn_on_message(arranged.turn_on)
        en, es = f"{en} {turn_on.en}", f"{es} {turn_on.es}"
    return Reason("arrangement_created", en, es)
