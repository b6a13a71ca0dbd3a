"""Policy requests against the records: the engine decides, this module writes what it decided
(crud.grants), refers to a supervisor (crud.approvals) or says there is nothing to grant."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.crud import approvals, charges, grants
from backend.crud.accounts import AccountBundle, ledger
from backend.crud.audit import Actor
from backend.domain import policy
from backend.domain.district import District
from backend.domain.i18n import Reason, format_date, format_money
from backend.domain.policy import AccountFacts, ArrangementFact, BillFact, PolicyDecision
from backend.domain.rates import from_cents, to_cents
from backend.models import (
    Approval,
    Bill,
    BillLine,
    DueDateExtension,
    FeeAdjustment,
    Payment,
    PaymentArrangement,
    PendingCharge,
)
from backend.models.common import (
    AdjustmentStatus,
    ApprovalKind,
    ChargeStatus,
    FeeKind,
    LineKind,
)
from common import clock


@dataclass(frozen=True)
class Outcome:
    """What became of a request: "granted", "referred" (an approval waits for a supervisor) or
    "nothing_to_grant" (nothing charged or owed: no one could grant it)."""
    name: str
    decision: PolicyDecision
    reference: str | None
    message: Reason

    @property
    def granted(self) -> bool:
        return self.name == "granted"


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
    # A credit against a charge not yet billed offsets that charge, not a bill.
    unbilled = set(session.exec(select(PendingCharge.id).where(
        PendingCharge.account_id == account.id, PendingCharge.status == ChargeStatus.pending)))
    # Payments and credits settle bills oldest first; a bill is paid the day the running total covers it.
    settlements = sorted(
        [(p.paid_on, p.amount_cents) for p in payments]
        + [(a.requested_on, a.amount_cents) for a in adjustments
           if a.status in (AdjustmentStatus.granted, AdjustmentStatus.approved)
           and a.credited_on_bill_id is None and a.charge_id not in unbilled]
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


def _nothing(decision: PolicyDecision, why: tuple[Reason, ...] = ()) -> Outcome:
    # Nothing is recorded for review: a representative could not grant it either.
    if why:  # the engine's rule, with the reason there is nothing to grant
        decision = PolicyDecision(eligible=False, rule=decision.rule,
                                  rule_text=decision.rule_text, reasons=why,
                                  details=decision.details)
    why = decision.nothing_reasons or decision.reasons
    return Outcome("nothing_to_grant", decision, None, Reason(
        "nothing_to_grant", " ".join(r.text("en") for r in why),
        " ".join(r.text("es") for r in why)))


def _referred(approval: Approval, decision: PolicyDecision) -> Outcome:
    ref = f"AP-{approval.id}"
    return Outcome("referred", decision, ref, Reason(
        "referred",
        "I can't approve this under the district's rules, so I've passed it to a supervisor for "
        f"review (reference {ref}). We'll let you know the outcome.",
        "No puedo aprobar esto según las reglas del distrito, así que lo pasé a un supervisor "
        f"para que lo revise (referencia {ref}). Le avisaremos el resultado."))


def request_extension(*, session: Session, district: District, bundle: AccountBundle,
                      actor: Actor, today: date, days: int) -> Outcome:
    facts = facts_for(session=session, bundle=bundle, today=today)
    decision = policy.due_date_extension(district=district, facts=facts, days=days)
    if decision.nothing_to_grant:
        return _nothing(decision)
    if not decision.eligible:
        approval = approvals.refer(
            session=session, bundle=bundle, actor=actor, kind=ApprovalKind.due_date_extension,
            decision=decision, customer_reason="", today=today,
            audit_action=f"{decision.rule}_referred",
            request={"days": days, "current_due_date": decision.details.get("current_due_date"),
                     "new_due_date": decision.details.get("new_due_date")})
        return _referred(approval, decision)
    ext = grants.extend_due_date(session=session, bundle=bundle, actor=actor, rule=decision.rule,
                                 reason=decision.text("en"), today=today, days=days,
                                 new_due=decision.details["new_due_date"])
    session.commit()
    return Outcome("granted", decision, f"EXT-{ext.id}",
                   grants.extension_message(ext=ext, rule=decision.rule))


def request_arrangement(*, session: Session, district: District, bundle: AccountBundle,
                        actor: Actor, today: date, installments: int) -> Outcome:
    facts = facts_for(session=session, bundle=bundle, today=today)
    decision = policy.payment_arrangement(district=district, facts=facts, installments=installments)
    if decision.nothing_to_grant:
        return _nothing(decision)
    if not decision.eligible:
        approval = approvals.refer(
            session=session, bundle=bundle, actor=actor, kind=ApprovalKind.payment_arrangement,
            decision=decision, customer_reason="", today=today,
            audit_action=f"{decision.rule}_referred",
            request={"installments": installments, "amount_cents": to_cents(facts.past_due)})
        return _referred(approval, decision)
    arranged = grants.arrange(session=session, district=district, bundle=bundle, actor=actor,
                              rule=decision.rule, reason=decision.text("en"), today=today,
                              at=clock.now(), installments=installments)
    session.commit()
    return Outcome("granted", decision, f"PA-{arranged.arrangement.id}",
                   grants.arrangement_message(arranged=arranged, rule=decision.rule))


def review_decision(fee_kind: str) -> PolicyDecision:
    """No written rule lets the bot waive this fee: a supervisor decides (an approval)."""
    return PolicyDecision(
        eligible=False, rule=f"{fee_kind}_review",
        rule_text=Reason(f"{fee_kind}_review",
                         "Only a supervisor can reduce or waive this fee.",
                         "Solo un supervisor puede reducir o eximir este cargo."),
        reasons=(policy.REP_REVIEW,), details={})


def _already_waived(amount: int, bill_date: date) -> Reason:
    money = format_money(from_cents(amount))
    return Reason(
        "already_waived",
        f"The {money} late fee on your bill dated {format_date(day=bill_date)} was already "
        "waived.",
        f"El recargo por pago atrasado de {money} de su factura del "
        f"{format_date(day=bill_date, lang='es')} ya se eximió.")


def request_fee_waiver(*, session: Session, district: District, bundle: AccountBundle,
                       actor: Actor, today: date, fee_kind: FeeKind, reason: str) -> Outcome:
    """Waive exactly the fee that was charged, once: granted when the written policy allows it,
    referred to a supervisor when it doesn't, and answered plainly when nothing was charged."""
    facts = facts_for(session=session, bundle=bundle, today=today)
    account = bundle.account
    waivable: charges.Waivable | None
    if fee_kind == FeeKind.late_fee:
        decision = policy.late_fee_waiver(district=district, facts=facts)
        if decision.nothing_to_grant:
            return _nothing(decision)
        bill_date, amount = decision.details["bill_date"], to_cents(decision.details["amount"])
        bill_id = session.exec(select(Bill.id).where(
            Bill.account_id == account.id, Bill.bill_date == bill_date)).first()
        if bill_id is None:
            return _nothing(decision, (charges.nothing_charged(fee_kind),))
        if charges.bill_fee_waived(session=session, bill_id=bill_id, fee_kind=fee_kind):
            return _nothing(decision, (_already_waived(amount, bill_date),))
        waivable = charges.Waivable(fee_kind=fee_kind, amount_cents=amount, bill_id=bill_id)
    else:
        decision = policy.deposit_waiver(district=district, facts=facts) \
            if fee_kind == FeeKind.deposit else review_decision(fee_kind)
        waivable = charges.held_deposit(session=session, account=account) \
            if fee_kind == FeeKind.deposit \
            else charges.charged_fee(session=session, account=account, fee_kind=fee_kind)
        if waivable is None:
            return _nothing(decision, (charges.nothing_charged(fee_kind),))
    if not decision.eligible:
        approval = approvals.refer(
            session=session, bundle=bundle, actor=actor, kind=ApprovalKind.fee_waiver,
            decision=decision, request=waivable.to_request(), customer_reason=reason,
            today=today, audit_action="fee_waiver_requested")
        return _referred(approval, decision)
    try:
        adj = grants.credit_fee(session=session, bundle=bundle, actor=actor, waivable=waivable,
                                rule=decision.rule, reason=reason, today=today, approved=False)
        session.commit()
    except IntegrityError:
        # A request at the same moment credited this charge or deposit first.
        session.rollback()
        return _nothing(decision, (charges.nothing_charged(fee_kind),))
    return Outcome("granted", decision, f"FA-{adj.id}",
                   grants.waiver_message(waivable=waivable, rule=decision.rule))


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
