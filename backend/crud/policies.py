"""Policy requests against the records: the engine decides, this module writes what it decided."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from backend.crud import audit
from backend.crud.accounts import AccountBundle, ledger
from backend.crud.audit import Actor
from backend.domain import policy
from backend.domain.district import District
from backend.domain.i18n import Reason, format_money
from backend.domain.policy import AccountFacts, ArrangementFact, BillFact, PolicyDecision
from backend.domain.rates import from_cents, to_cents
from backend.models import (
    AccountNote,
    Bill,
    BillLine,
    DueDateExtension,
    FeeAdjustment,
    Installment,
    Payment,
    PaymentArrangement,
)
from backend.models.common import AdjustmentStatus, FeeKind, LineKind


@dataclass(frozen=True)
class Outcome:
    granted: bool
    decision: PolicyDecision
    reference: str | None
    message: Reason

    @property
    def name(self) -> str:
        if self.granted:
            return "granted"
        return "nothing_to_grant" if self.decision.nothing_to_grant else "referred"


def facts_for(*, session: Session, bundle: AccountBundle, today: date) -> AccountFacts:
    account = bundle.account
    led = ledger(session=session, account=account, today=today)
    bills = session.exec(
        select(Bill).where(Bill.account_id == account.id).order_by(col(Bill.bill_date))
    ).all()
    fees = dict(session.exec(
        select(BillLine.bill_id, BillLine.amount_cents).where(
            col(BillLine.bill_id).in_([b.id for b in bills]), BillLine.kind == LineKind.late_fee)
    ).all())
    payments = session.exec(
        select(Payment).where(Payment.account_id == account.id).order_by(col(Payment.paid_on))
    ).all()
    extended = dict(session.exec(
        select(DueDateExtension.bill_id, DueDateExtension.new_due_date)
        .where(DueDateExtension.account_id == account.id)).all())
    adjustments = session.exec(
        select(FeeAdjustment).where(FeeAdjustment.account_id == account.id)).all()
    # Payments and credits settle bills oldest first; a bill is paid the day the running total covers it.
    settlements = sorted(
        [(p.paid_on, p.amount_cents) for p in payments]
        + [(a.requested_on, a.amount_cents) for a in adjustments
           if a.status in (AdjustmentStatus.granted, AdjustmentStatus.approved)
           and a.credited_on_bill_id is None]
    )
    owed, paid_so_far, i, facts_bills = 0, 0, 0, []
    for bill in bills:
        owed += bill.total_cents
        paid_on = None
        while paid_so_far < owed and i < len(settlements):
            paid_so_far += settlements[i][1]
            paid_on = settlements[i][0]
            i += 1
        facts_bills.append(BillFact(
            bill_date=bill.bill_date, due_date=extended.get(bill.id, bill.due_date),
            total=from_cents(bill.total_cents), late_fee=from_cents(fees.get(bill.id, 0)),
            paid_in_full_on=(paid_on or (settlements[i - 1][0] if i else None))
            if paid_so_far >= owed else None,
        ))
    arrangements = session.exec(
        select(PaymentArrangement).where(PaymentArrangement.account_id == account.id)).all()
    return AccountFacts(
        account_type=account.account_type, status=account.status, today=today,
        balance=from_cents(led.balance_cents), past_due=from_cents(led.past_due_cents),
        bills=tuple(facts_bills),
        late_payments=tuple(p.paid_on for p in payments if p.late),
        fee_waivers=tuple((a.requested_on, a.fee_kind) for a in adjustments
                          if a.status in (AdjustmentStatus.granted, AdjustmentStatus.approved)),
        extensions=tuple(session.exec(select(DueDateExtension.granted_on).where(
            DueDateExtension.account_id == account.id)).all()),
        arrangements=tuple(ArrangementFact(created_on=a.created_on, status=a.status)
                           for a in arrangements),
    )


def eligibility(*, session: Session, district: District, bundle: AccountBundle,
                today: date) -> dict[str, PolicyDecision]:
    facts = facts_for(session=session, bundle=bundle, today=today)
    p = district.policies
    return {
        "late_fee_waiver": policy.late_fee_waiver(district=district, facts=facts),
        "due_date_extension": policy.due_date_extension(
            district=district, facts=facts, days=p.due_date_extension.max_days),
        "payment_arrangement": policy.payment_arrangement(
            district=district, facts=facts, installments=p.payment_arrangement.max_installments),
        "deposit_waiver": policy.deposit_waiver(district=district, facts=facts),
    }


def _refer(session: Session, bundle: AccountBundle, actor: Actor, decision: PolicyDecision,
           what: str) -> Outcome:
    note = AccountNote(
        account_id=bundle.account.id,  # type: ignore[arg-type]
        author=f"{actor.type}:{actor.id or ''}",
        body=f"Customer asked for {what}; policy '{decision.rule}' does not allow it: "
             f"{decision.text('en')} Referred to a representative.",
    )
    session.add(note)
    session.flush()
    audit.record(session=session, actor=actor, action=f"{decision.rule}_referred", entity="account",
                 entity_id=bundle.account.account_number, account_id=bundle.account.id,
                 reason=decision.text("en")[:1000], detail={"rule": decision.rule})
    session.commit()
    return Outcome(False, decision, f"N-{note.id}", _referred_message())


def _nothing(decision: PolicyDecision) -> Outcome:
    # Nothing is recorded for review: a representative could not grant it either.
    why = decision.nothing_reasons
    return Outcome(False, decision, None, Reason(
        "nothing_to_grant", " ".join(r.text("en") for r in why),
        " ".join(r.text("es") for r in why)))


def _referred_message() -> Reason:
    return Reason(
        "referred",
        "I can't approve this under the district's rules, so I've passed it to a representative "
        "for review.",
        "No puedo aprobar esto según las reglas del distrito, así que lo pasé a un representante "
        "para que lo revise.")


def request_extension(*, session: Session, district: District, bundle: AccountBundle,
                      actor: Actor, today: date, days: int) -> Outcome:
    facts = facts_for(session=session, bundle=bundle, today=today)
    decision = policy.due_date_extension(district=district, facts=facts, days=days)
    if decision.nothing_to_grant:
        return _nothing(decision)
    if not decision.eligible:
        return _refer(session, bundle, actor, decision, f"a {days}-day due date extension")
    latest = session.exec(select(Bill).where(Bill.account_id == bundle.account.id)
                          .order_by(col(Bill.bill_date).desc())).first()
    assert latest is not None
    new_due = decision.details["new_due_date"]
    ext = DueDateExtension(account_id=bundle.account.id,  # type: ignore[arg-type]
                           bill_id=latest.id,  # type: ignore[arg-type]
                           original_due_date=decision.details["current_due_date"],
                           new_due_date=new_due, granted_on=today)
    session.add(ext)
    session.flush()
    audit.record(session=session, actor=actor, action="due_date_extended", entity="bill",
                 entity_id=latest.id, account_id=bundle.account.id, reason=decision.text("en"),
                 detail={"rule": decision.rule, "days": days, "new_due_date": new_due.isoformat()})
    session.commit()
    return Outcome(True, decision, f"EXT-{ext.id}", Reason(
        "extension_granted", f"Done: your new due date is {new_due:%B %-d, %Y}.",
        f"Listo: su nueva fecha de vencimiento es el {new_due.day}/{new_due.month}/{new_due.year}."))


def request_arrangement(*, session: Session, district: District, bundle: AccountBundle,
                        actor: Actor, today: date, installments: int) -> Outcome:
    facts = facts_for(session=session, bundle=bundle, today=today)
    decision = policy.payment_arrangement(district=district, facts=facts, installments=installments)
    if decision.nothing_to_grant:
        return _nothing(decision)
    if not decision.eligible:
        return _refer(session, bundle, actor, decision, f"a {installments}-payment arrangement")
    plan = decision.details["plan"]
    arrangement = PaymentArrangement(
        account_id=bundle.account.id,  # type: ignore[arg-type]
        total_cents=to_cents(facts.past_due), installments=installments, created_on=today)
    session.add(arrangement)
    session.flush()
    for n, item in enumerate(plan, start=1):
        session.add(Installment(arrangement_id=arrangement.id,  # type: ignore[arg-type]
                                number=n, due_date=item["due_date"],
                                amount_cents=to_cents(item["amount"])))
    audit.record(session=session, actor=actor, action="payment_arrangement_created",
                 entity="payment_arrangement", entity_id=arrangement.id,
                 account_id=bundle.account.id, reason=decision.text("en"),
                 detail={"rule": decision.rule, "installments": installments,
                         "total_cents": arrangement.total_cents})
    session.commit()
    first = plan[0]
    return Outcome(True, decision, f"PA-{arrangement.id}", Reason(
        "arrangement_created",
        f"Done: {installments} payments, the first of {format_money(first['amount'])} "
        f"due {first['due_date']:%B %-d, %Y}.",
        f"Listo: {installments} pagos, el primero de {format_money(first['amount'])} "
        f"con vencimiento el {first['due_date'].day}/{first['due_date'].month}/{first['due_date'].year}."))


def request_fee_waiver(*, session: Session, district: District, bundle: AccountBundle,
                       actor: Actor, today: date, fee_kind: FeeKind, reason: str) -> Outcome:
    facts = facts_for(session=session, bundle=bundle, today=today)
    if fee_kind == FeeKind.late_fee:
        decision = policy.late_fee_waiver(district=district, facts=facts)
        amount = to_cents(decision.details.get("amount") or Decimal("0"))
    elif fee_kind == FeeKind.deposit:
        decision = policy.deposit_waiver(district=district, facts=facts)
        amount = to_cents(decision.details.get("deposit") or Decimal("0"))
    else:
        # No written rule lets the bot waive this fee: a representative decides.
        decision = PolicyDecision(
            eligible=False, rule=f"{fee_kind}_review",
            rule_text=Reason(f"{fee_kind}_review",
                             "Only a representative can reduce or waive this fee.",
                             "Solo un representante puede reducir o eximir este cargo."),
            reasons=(policy.REP_REVIEW,), details={})
        amount = 0
    if decision.nothing_to_grant:
        return _nothing(decision)
    status = AdjustmentStatus.granted if decision.eligible else AdjustmentStatus.pending_review
    bill_id = None
    if decision.details.get("bill_date"):
        bill_id = session.exec(select(Bill.id).where(
            Bill.account_id == bundle.account.id,
            Bill.bill_date == decision.details["bill_date"])).first()
    adj = FeeAdjustment(
        account_id=bundle.account.id,  # type: ignore[arg-type]
        bill_id=bill_id, fee_kind=fee_kind, amount_cents=amount, status=status,
        reason=reason, policy_rule=decision.rule,
        decided_by=f"{actor.type}:{actor.id or ''}" if decision.eligible else None,
        requested_on=today)
    session.add(adj)
    session.flush()
    audit.record(session=session, actor=actor,
                 action="fee_waived" if decision.eligible else "fee_waiver_requested",
                 entity="fee_adjustment", entity_id=adj.id, account_id=bundle.account.id,
                 reason=decision.text("en")[:1000],
                 detail={"rule": decision.rule, "fee_kind": fee_kind, "amount_cents": amount})
    session.commit()
    if not decision.eligible:
        return Outcome(False, decision, f"FA-{adj.id}", _referred_message())
    return Outcome(True, decision, f"FA-{adj.id}", Reason(
        "fee_waived", f"Done: I've removed the {format_money(from_cents(amount))} charge from "
        "your balance.",
        f"Listo: quité el cargo de {format_money(from_cents(amount))} de su saldo."))


def deposit_for_start(*, session: Session, district: District, today: date, account_type: str,
                      existing: AccountBundle | None) -> tuple[int, Reason]:
    deposit = district.fees.deposit[account_type]
    if existing is not None:
        facts = facts_for(session=session, bundle=existing, today=today)
        decision = policy.deposit_waiver(district=district, facts=facts)
        if decision.eligible:
            return 0, Reason(
                "deposit_waived",
                f"Your {format_money(deposit)} deposit is waived: " + decision.text("en"),
                f"Se le exime el depósito de {format_money(deposit)}: " + decision.text("es"))
    months = district.policies.deposit_waiver.on_time_months
    return to_cents(deposit), Reason(
        "deposit_required",
        f"New {account_type.replace('_', ' ')} service has a {format_money(deposit)} deposit, "
        f"added to your first bill. It is refunded as a credit after {months} months of on-time "
        "payments.",
        f"El servicio nuevo tiene un depósito de {format_money(deposit)}, que se agrega a su "
        f"primera factura. Se le reembolsa como crédito después de {months} meses de pagos a "
        "tiempo.")


__all__ = ["Outcome", "eligibility", "facts_for", "request_arrangement", "request_extension",
           "request_fee_waiver", "deposit_for_start"]
