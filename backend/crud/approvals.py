"""Approvals: every request the written policy refers to a person (a fee waiver of any kind, a
due-date extension, a payment arrangement) waits here with the rule and the engine's reasons.
A supervisor's approval writes exactly what a grant by the policy would have; either decision is
told to the customer in their language."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from backend.crud import audit, grants
from backend.crud.accounts import AccountBundle, get_bundle
from backend.crud.audit import Actor
from backend.crud.charges import Waivable, current_fee, fee_label, still_waivable
from backend.crud.orders import turn_on_message
from backend.domain.district import District
from backend.domain.i18n import Reason, format_date, format_money, normalize_lang
from backend.domain.policy import PolicyDecision
from backend.domain.rates import from_cents
from backend.models import Account, Approval, Conversation, Customer
from backend.models.approvals import ApprovalPublic
from backend.models.common import ApprovalKind, ApprovalStatus
from common import clock


class ApprovalNotFound(LookupError):
    pass


class ApprovalConflict(Exception):
    """Already decided, or what it asked for can no longer be done (the fee was credited since)."""


class NoteRequired(ValueError):
    """A denial says why: the customer is told."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _language(session: Session, bundle: AccountBundle, conversation: Conversation | None) -> str:
    if conversation is not None and conversation.language:
        return normalize_lang(conversation.language)
    return normalize_lang(bundle.customer.preferred_language)


def pending_for(*, session: Session, account_id: int, kind: ApprovalKind,
                target: str) -> Approval | None:
    """The request already waiting for the same thing: asking twice makes one approval."""
    rows = session.exec(select(Approval).where(
        Approval.account_id == account_id, Approval.kind == kind,
        Approval.status == ApprovalStatus.pending)).all()
    return next((a for a in rows if (a.request or {}).get("target") == target), None)


def refer(*, session: Session, bundle: AccountBundle, actor: Actor, kind: ApprovalKind,
          decision: PolicyDecision, request: dict[str, Any], customer_reason: str,
          today: date, audit_action: str) -> Approval:
    """Record the request for a supervisor (or return the one already waiting) and commit."""
    account_id: int = bundle.account.id  # type: ignore[assignment]
    found = pending_for(session=session, account_id=account_id, kind=kind,
                        target=request.get("target", kind))
    if found is not None:
        return found
    conversation = session.get(Conversation, actor.conversation_id) \
        if actor.conversation_id else None
    approval = Approval(
        account_id=account_id, kind=kind, rule=decision.rule,
        reasons=[r.to_dict() for r in decision.reasons],
        request={"target": kind, **{k: _jsonable(v) for k, v in request.items()},
                 "rule_text": decision.rule_text.to_dict()},
        customer_reason=customer_reason[:1000], requested_by=actor.label,
        requested_on=today, conversation_id=conversation.id if conversation else None,
        language=_language(session, bundle, conversation))
    session.add(approval)
    session.flush()
    audit.record(session=session, actor=actor, action=audit_action, entity="approval",
                 entity_id=approval.id, account_id=account_id,
                 reason=decision.text("en")[:1000],
                 detail={"rule": decision.rule, "kind": kind, "reference": f"AP-{approval.id}",
                         **{k: _jsonable(v) for k, v in request.items()}})
    session.commit()
    return approval


def _customer_name(customer: Customer) -> str:
    return customer.business_name or f"{customer.first_name} {customer.last_name}".strip()


def public(approval: Approval, account_number: str, customer_name: str) -> ApprovalPublic:
    request = dict(approval.request or {})
    rule_text = request.pop("rule_text", None)
    request.pop("target", None)
    cents = request.get("amount_cents")
    return ApprovalPublic(
        id=approval.id,  # type: ignore[arg-type]
        reference=f"AP-{approval.id}", kind=approval.kind, status=approval.status,
        account_number=account_number, customer_name=customer_name, rule=approval.rule,
        rule_text=rule_text, reasons=list(approval.reasons or []), request=request,
        amount=str(from_cents(int(cents))) if cents is not None else None,
        customer_reason=approval.customer_reason, requested_by=approval.requested_by,
        requested_on=approval.requested_on, conversation_id=approval.conversation_id,
        language=approval.language, decided_by=approval.decided_by,
        decided_at=approval.decided_at, decision_note=approval.decision_note,
        result_reference=approval.result_reference)


def list_approvals(*, session: Session, status: ApprovalStatus) -> list[ApprovalPublic]:
    """Approvals with a status, oldest first."""
    rows = session.exec(
        select(Approval, Account.account_number, Customer)
        .join(Account, col(Account.id) == Approval.account_id)
        .join(Customer, col(Customer.id) == Account.customer_id)
        .where(Approval.status == status)
        .order_by(col(Approval.requested_on), col(Approval.id))).all()
    return [public(a, number, _customer_name(c)) for a, number, c in rows]


@dataclass(frozen=True)
class Decided:
    approval: ApprovalPublic
    # Who to tell and what: (conversation id, text in the customer's language), or None.
    notice: tuple[str, str] | None


def _what(approval: Approval, lang: str) -> str:
    request = approval.request or {}
    if approval.kind == ApprovalKind.fee_waiver:
        label = fee_label(request.get("fee_kind", ""), lang)
        return f"exención de su {label}" if lang == "es" else f"{label} waiver"
    if approval.kind == ApprovalKind.due_date_extension:
        return ("extensión de la fecha de vencimiento" if lang == "es"
                else "due date extension")
    return "acuerdo de pago" if lang == "es" else "payment arrangement"


def _apply(session: Session, district: District, approval: Approval, bundle: AccountBundle,
           actor: Actor, today: date) -> tuple[str, Reason]:
    """Write what was approved, exactly as a grant; the reference and what to tell the customer."""
    request, rule = approval.request or {}, approval.rule
    says = grants.under(rule)
    reason = f"Approved by a supervisor: {approval.customer_reason}"
    if approval.kind == ApprovalKind.fee_waiver:
        waivable: Waivable | None = Waivable.from_request(request)
        if not waivable.names_a_fee:  # type: ignore[union-attr]
            # Recorded before requests named their charge: credit what is charged now, if any.
            waivable = current_fee(session=session, account=bundle.account,
                                   fee_kind=request.get("fee_kind", ""))
        if waivable is None or not still_waivable(session=session, waivable=waivable):
            raise ApprovalConflict("This fee was already credited or is no longer charged")
        adj = grants.credit_fee(session=session, bundle=bundle, actor=actor, waivable=waivable,
                                rule=rule, reason=reason, today=today, approved=True)
        amount = format_money(from_cents(waivable.amount_cents))
        return f"FA-{adj.id}", Reason(
            "approved",
            f"A supervisor approved your {_what(approval, 'en')} ({amount}) {says.en}; it is "
            "credited to your balance.",
            f"Un supervisor aprobó la {_what(approval, 'es')} ({amount}) {says.es}; se acreditó "
            "a su saldo.")
    if approval.kind == ApprovalKind.due_date_extension:
        asked = request.get("new_due_date")
        try:
            ext = grants.extend_due_date(
                session=session, bundle=bundle, actor=actor, rule=rule, reason=reason,
                today=today, days=int(request.get("days", 0)),
                new_due=date.fromisoformat(asked) if asked else None)
        except LookupError as e:
            raise ApprovalConflict(str(e)) from None
        return f"EXT-{ext.id}", Reason(
            "approved",
            f"A supervisor approved your due date extension {says.en}: your new due date is "
            f"{format_date(day=ext.new_due_date)}.",
            f"Un supervisor aprobó la extensión de su fecha de vencimiento {says.es}: su nueva "
            f"fecha de vencimiento es el {format_date(day=ext.new_due_date, lang='es')}.")
    try:
        arranged = grants.arrange(session=session, district=district, bundle=bundle, actor=actor,
                                  rule=rule, reason=reason, today=today, at=clock.now(),
                                  installments=int(request.get("installments", 0)))
    except LookupError as e:
        raise ApprovalConflict(str(e)) from None
    first = arranged.installments[0]
    amount, n = format_money(from_cents(first.amount_cents)), len(arranged.installments)
    en = (f"A supervisor approved your payment arrangement {says.en}: {n} payments, the first of "
          f"{amount} due {format_date(day=first.due_date)}.")
    es = (f"Un supervisor aprobó su acuerdo de pago {says.es}: {n} pagos, el primero de {amount} "
          f"con vencimiento el {format_date(day=first.due_date, lang='es')}.")
    if arranged.turn_on is not None:
        more = turn_on_message(arranged.turn_on)
        en, es = f"{en} {more.en}", f"{es} {more.es}"
    return f"PA-{arranged.arrangement.id}", Reason("approved", en, es)


def decide(*, session: Session, district: District, approval_id: int, supervisor_id: int,
           approve: bool, note: str, today: date) -> Decided:
    """Approve (apply it now) or deny (with the note); audited with the supervisor as actor."""
    approval = session.get(Approval, approval_id, with_for_update=True)
    if approval is None:
        raise ApprovalNotFound(approval_id)
    if approval.status != ApprovalStatus.pending:
        raise ApprovalConflict(f"Already {approval.status}")
    if not approve and not note:
        raise NoteRequired("Say why it is denied: the customer is told")
    account = session.get(Account, approval.account_id)
    bundle = get_bundle(session=session, account_number=account.account_number)  # type: ignore[union-attr]
    assert bundle is not None
    actor = Actor.rep(supervisor_id, approval.conversation_id)
    lang = approval.language or "en"
    if approve:
        reference, told = _apply(session, district, approval, bundle, actor, today)
        approval.result_reference = reference
    else:
        told = Reason(
            "denied",
            f"A supervisor reviewed your request for a {_what(approval, 'en')} and could not "
            f"approve it: {note}",
            f"Un supervisor revisó su solicitud de {_what(approval, 'es')} y no pudo aprobarla: "
            f"{note}")
    approval.status = ApprovalStatus.approved if approve else ApprovalStatus.denied
    approval.decided_by, approval.decided_at = actor.label, clock.now()
    approval.decision_note = note or None
    session.add(approval)
    audit.record(session=session, actor=actor,
                 action="approval_approved" if approve else "approval_denied",
                 entity="approval", entity_id=approval.id, account_id=approval.account_id,
                 reason=note or None,
                 detail={"rule": approval.rule, "kind": approval.kind,
                         "result_reference": approval.result_reference})
    session.commit()
    notice = (approval.conversation_id, told.text(lang)) if approval.conversation_id else None
    return Decided(public(approval, bundle.account.account_number,
                          _customer_name(bundle.customer)), notice)
