"""Rep assist's facts: the conversation, the account card and the policy engine's decision for
what was asked, gathered read-only for domain/assist.py. Nothing is granted, referred or written:
the engine runs on the facts crud.policies loads, and the draft only ever reaches the customer
after the rep edits and sends it."""

from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from backend.crud import charges
from backend.crud.account_card import AccountCard, account_card
from backend.crud.policies import facts_for, review_decision
from backend.domain import assist, policy
from backend.domain.district import District
from backend.domain.i18n import Reason
from backend.domain.policy import PolicyDecision
from backend.domain.rates import from_cents, money
from backend.models import Bill
from backend.models.approvals import Approval
from backend.models.common import ApprovalKind, ApprovalStatus, FeeKind
from backend.models.conversations import Conversation, Message, Sender
from common.cards import mask_cards

RECENT_MESSAGES = 30  # enough for the last few customer turns and what the bot said
READ_CUSTOMER_TURNS = 3  # the newest customer messages the keyword reading looks at

_KINDS = {"fee_waiver": ApprovalKind.fee_waiver, "extension": ApprovalKind.due_date_extension,
          "arrangement": ApprovalKind.payment_arrangement}


def _view(card: AccountCard) -> assist.AccountView:
    fields, account = card.summary, card.summary.bundle.account
    customer, premise, led = fields.bundle.customer, fields.bundle.premise, fields.ledger
    bills = card.bills  # newest first
    earlier = [b.total_cents for b in bills[1:]]
    return assist.AccountView(
        first_name=customer.first_name or customer.business_name or "",
        street=premise.street, status=account.status,
        balance=from_cents(led.balance_cents), past_due=from_cents(led.past_due_cents),
        due_date=led.due_date, shutoff_scheduled_on=account.shutoff_scheduled_on,
        returned_mail=account.returned_mail, email_bounced=account.email_bounced,
        last_bill_date=bills[0].bill_date if bills else None,
        last_bill_total=from_cents(bills[0].total_cents) if bills else None,
        typical_bill=money(from_cents(sum(earlier)) / len(earlier)) if earlier else None,
        open_orders=tuple(f"{o.order_number} ({str(o.kind).replace('_', ' ')})"
                          for o in card.open_orders))


def _pending(session: Session, account_id: int, topic: str, fee_kind: str | None) -> str | None:
    """A supervisor review already waiting for this request (the bot may have referred it)."""
    rows = session.exec(select(Approval).where(
        Approval.account_id == account_id, Approval.kind == _KINDS[topic],
        Approval.status == ApprovalStatus.pending).order_by(col(Approval.id).desc())).all()
    found = next((a for a in rows if topic != "fee_waiver"
                  or (a.request or {}).get("fee_kind") == fee_kind), None)
    return f"AP-{found.id}" if found else None


def _outcome(decision: PolicyDecision) -> str:
    if decision.nothing_to_grant:
        return "denied"
    return "granted" if decision.eligible else "referred"


def _nothing(decision: PolicyDecision, why: Reason) -> PolicyDecision:
    return PolicyDecision(eligible=False, rule=decision.rule, rule_text=decision.rule_text,
                          reasons=(why,), details=decision.details)


def _fee_waiver(session: Session, district: District, card: AccountCard,
                facts: policy.AccountFacts, fee_kind: str) -> assist.PolicyView:
    """The waiver's decision as crud.policies.request_fee_waiver would reach it, minus writing."""
    account = card.summary.bundle.account
    label = (charges.fee_label(fee_kind, "en"), charges.fee_label(fee_kind, "es"))
    if fee_kind == FeeKind.late_fee:
        decision = policy.late_fee_waiver(district=district, facts=facts)
        amount, bill_date = decision.details.get("amount"), decision.details.get("bill_date")
        bill_id = session.exec(select(Bill.id).where(
            Bill.account_id == account.id, Bill.bill_date == bill_date)).first() \
            if bill_date else None
        if bill_id is not None and charges.bill_fee_waived(session=session, bill_id=bill_id,
                                                           fee_kind=fee_kind):
            return assist.PolicyView(outcome="granted", decision=decision, fee_label=label,
                                     amount=amount, bill_date=bill_date, done=True)
        return assist.PolicyView(outcome=_outcome(decision), decision=decision, fee_label=label,
                                 amount=amount or None, bill_date=bill_date)
    if fee_kind == FeeKind.deposit:
        decision = policy.deposit_waiver(district=district, facts=facts)
        waivable = charges.held_deposit(session=session, account=account)
    else:
        decision = review_decision(fee_kind)
        waivable = charges.charged_fee(session=session, account=account,
                                       fee_kind=FeeKind(fee_kind))
    if waivable is None:
        decision = _nothing(decision, charges.nothing_charged(fee_kind))
        return assist.PolicyView(outcome="denied", decision=decision, fee_label=label)
    return assist.PolicyView(outcome="granted" if decision.eligible else "referred",
                             decision=decision, fee_label=label,
                             amount=from_cents(waivable.amount_cents))


def _policy(session: Session, district: District, card: AccountCard, ask: assist.Ask,
            today_facts: policy.AccountFacts) -> assist.PolicyView:
    p = district.policies
    if ask.topic == "fee_waiver":
        view = _fee_waiver(session, district, card, today_facts, ask.fee_kind or "late_fee")
    elif ask.topic == "extension":
        decision = policy.due_date_extension(district=district, facts=today_facts,
                                             days=ask.number or p.due_date_extension.max_days)
        view = assist.PolicyView(outcome=_outcome(decision), decision=decision)
    else:
        decision = policy.payment_arrangement(
            district=district, facts=today_facts,
            installments=ask.number or p.payment_arrangement.max_installments)
        view = assist.PolicyView(outcome=_outcome(decision), decision=decision,
                                 amount=money(Decimal(today_facts.past_due)))
    if view.outcome == "referred":
        ref = _pending(session, card.summary.bundle.account.id, ask.topic,  # type: ignore[arg-type]
                       ask.fee_kind)
        if ref:
            view = assist.PolicyView(outcome=view.outcome, decision=view.decision,
                                     fee_label=view.fee_label, amount=view.amount,
                                     bill_date=view.bill_date, reference=ref)
    return view


def draft(*, session: Session, district: District, conversation: Conversation,
          today: date, rep_name: str | None = None) -> assist.Draft:
    """The next reply for the conversation, with its basis. Reads only."""
    recent = list(reversed(session.exec(
        select(Message).where(Message.conversation_id == conversation.id,
                              col(Message.internal).is_(False))
        .order_by(col(Message.seq).desc()).limit(RECENT_MESSAGES)).all()))
    customer = [m for m in recent if m.sender == Sender.customer and m.text]
    texts = [m.text for m in reversed(customer)][:READ_CUSTOMER_TURNS]  # newest first
    handoff = conversation.handoff or {}
    collected = handoff.get("collected") if isinstance(handoff.get("collected"), dict) else {}
    ask = assist.read_ask(handoff_topic=collected.get("topic"),
                          intents=[m.intent for m in reversed(customer)], texts=texts)
    upset = assist.is_upset(emotions=handoff.get("emotions") or [],
                            reason_code=handoff.get("reason_code"), texts=texts)
    card = account_card(session=session, account_number=conversation.verified_account,
                        today=today, bill_limit=13) if conversation.verified_account else None
    account = _view(card) if card else None
    view = None
    if card is not None and ask.topic in assist.POLICY_TOPICS:
        facts = facts_for(session=session, bundle=card.summary.bundle, today=today)  # type: ignore[arg-type]
        view = _policy(session, district, card, ask, facts)
    bot = next((m.text for m in reversed(recent) if m.sender == Sender.bot and m.text), "")
    bot = mask_cards(bot[:200])  # the hub masks what it stores; this never relies on it
    extra = (Reason("bot_said", f"The bot last said: “{bot}”",
                    f"Lo último que dijo el bot: “{bot}”"),) if bot else ()
    return assist.compose(district=district, data=assist.DraftInput(
        language=conversation.language, ask=ask, verified=card is not None, upset=upset,
        account=account, policy=view, rep_name=rep_name, extra_basis=extra))
