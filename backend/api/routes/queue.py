"""The rep queue and the actions a rep takes on a conversation (see docs/hub-protocol.md)."""

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlmodel import Session

from backend.api.deps import (
    CurrentRep,
    CurrentSupervisor,
    DistrictDep,
    HubDep,
    SessionDep,
    TodayDep,
)
from backend.api.routes.accounts import bill_summary, summary_public
from backend.api.routes.policies import outcome_public
from backend.crud import accounts as accounts_crud
from backend.crud import orders as orders_crud
from backend.crud import policies as policies_crud
from backend.crud.account_card import account_card
from backend.crud.audit import Actor
from backend.domain.rates import from_cents
from backend.hub.events import rep_message
from backend.models.conversations import Conversation, ConversationStatus
from backend.models.reps import Rep
from backend.models.views import FeeWaiverRequest, PolicyOutcome, WorkOrderCreate
from backend.models.queue import RepMessageIn, TransferIn

router = APIRouter(prefix="/queue", tags=["queue"])


def _conversation(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such conversation")
    return conversation


def _held_by(conversation: Conversation, rep: Rep) -> None:
    """Writing to a conversation needs holding it (a supervisor may step into any)."""
    if conversation.status == ConversationStatus.closed:
        raise HTTPException(status.HTTP_409_CONFLICT, "This conversation is closed")
    if conversation.assigned_rep_id != rep.id and rep.role != "supervisor":
        raise HTTPException(status.HTTP_409_CONFLICT, "Claim the conversation first")


@router.get("")
async def read_queue(rep: CurrentRep, hub: HubDep) -> dict[str, Any]:
    """Waiting and held conversations, highest priority first, then the longest waiting."""
    entries, stats = await hub.queue_entries()
    for e in entries:
        e["eligible"] = rep.id in e["eligible_rep_ids"] or not stats["reps_on_shift"]
    return {"entries": entries, "stats": stats}


@router.get("/stats")
async def read_stats(_supervisor: CurrentSupervisor, hub: HubDep) -> dict[str, Any]:
    """Queue depth by priority, waiting times and the reps on shift."""
    return (await hub.queue_entries())[1]


@router.get("/{conversation_id}")
async def read_entry(conversation_id: str, session: SessionDep, _rep: CurrentRep,
                     hub: HubDep) -> dict[str, Any]:
    """The conversation, its whole transcript (internal notes included) and the handoff."""
    conversation = _conversation(session, conversation_id)
    messages = await hub.history(conversation_id=conversation.id, after_seq=0,
                                 include_internal=True)
    return {"id": conversation.id, "channel": conversation.channel, "status": conversation.status,
            "language": conversation.language, "priority": conversation.handoff_priority,
            "reason": conversation.handoff_reason, "handoff": conversation.handoff,
            "verified_account": conversation.verified_account,
            "assigned_rep_id": conversation.assigned_rep_id,
            "followup_email": conversation.followup_email,
            "messages": [rep_message(m) for m in messages]}


@router.get("/{conversation_id}/account")
def read_account_card(conversation_id: str, session: SessionDep, today: TodayDep,
                      district: DistrictDep, _rep: CurrentRep) -> dict[str, Any]:
    """The verified customer's account card: summary, flags, recent bills, usage, open orders,
    the account's notes (newest first) and how many requests wait for a supervisor."""
    conversation = _conversation(session, conversation_id)
    if not conversation.verified_account:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "The customer was not verified")
    card = account_card(session=session, account_number=conversation.verified_account,
                        today=today)
    if card is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such account")
    account = card.summary.bundle.account
    return {
        "summary": summary_public(card.summary).model_dump(mode="json"),
        "flags": {"returned_mail": account.returned_mail, "email_bounced": account.email_bounced},
        "pending_approvals": card.pending_approvals,
        "bills": [bill_summary(b).model_dump(mode="json") for b in card.bills],
        "usage": [{"period_end": b.period_end.isoformat(), "hcf": b.consumption_hcf,
                   "gallons": b.consumption_hcf * district.gallons_per_unit}
                  for b in reversed(card.bills)],
        "open_orders": [{"order_number": o.order_number, "kind": o.kind, "status": o.status,
                         "priority": o.priority, "created_at": o.created_at.isoformat()}
                        for o in card.open_orders],
        "notes": [{"author": n.author, "body": n.body, "created_at": n.created_at.isoformat()}
                  for n in card.notes],
    }


@router.post("/{conversation_id}/claim")
async def claim(conversation_id: str, session: SessionDep, rep: CurrentRep,
                hub: HubDep) -> dict[str, Any]:
    """Take a waiting conversation. Exactly one rep wins a race; the others get 409."""
    _conversation(session, conversation_id)
    if not await hub.claim(conversation_id=conversation_id, rep=rep):
        raise HTTPException(status.HTTP_409_CONFLICT,
                            "Someone else has this conversation, or it is no longer waiting")
    return {"id": conversation_id, "status": "assigned", "assigned_rep_id": rep.id}


@router.post("/{conversation_id}/messages", status_code=status.HTTP_201_CREATED)
async def send_message(conversation_id: str, body: RepMessageIn, session: SessionDep,
                       rep: CurrentRep, hub: HubDep) -> dict[str, Any]:
    """A reply to the customer (live, or by email on the email channel), or an internal note."""
    conversation = _conversation(session, conversation_id)
    if not body.internal:
        _held_by(conversation, rep)
    message = await hub.rep_message(conversation=conversation, rep=rep, text=body.text,
                                    internal=body.internal)
    return rep_message(message)


@router.post("/{conversation_id}/transfer")
async def transfer(conversation_id: str, body: TransferIn, session: SessionDep, rep: CurrentRep,
                   hub: HubDep) -> dict[str, Any]:
    """Hand the conversation to a named rep, or back to the queue for a skill."""
    conversation = _conversation(session, conversation_id)
    _held_by(conversation, rep)
    to_rep = None
    if body.rep_id is not None:
        to_rep = session.get(Rep, body.rep_id)
        if to_rep is None or not to_rep.is_active:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "No such rep")
    moved = await hub.transfer(conversation=conversation, to_rep=to_rep, skill=body.skill,
                               rep=rep)
    return {"id": moved.id, "status": moved.status, "assigned_rep_id": moved.assigned_rep_id}


@router.post("/{conversation_id}/return-to-bot")
async def return_to_bot(conversation_id: str, session: SessionDep, rep: CurrentRep,
                        hub: HubDep) -> dict[str, Any]:
    conversation = _conversation(session, conversation_id)
    _held_by(conversation, rep)
    back = await hub.return_to_bot(conversation=conversation, rep=rep)
    return {"id": back.id, "status": back.status}


@router.post("/{conversation_id}/resolve")
async def resolve(conversation_id: str, session: SessionDep, rep: CurrentRep,
                  hub: HubDep) -> dict[str, Any]:
    conversation = _conversation(session, conversation_id)
    _held_by(conversation, rep)
    closed = await hub.resolve(conversation=conversation, rep=rep)
    return {"id": closed.id, "status": closed.status}


def _verified_bundle(session: Session, conversation: Conversation) -> Any:
    bundle = accounts_crud.get_bundle(session=session,
                                      account_number=conversation.verified_account or "")
    if bundle is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "The customer was not verified")
    return bundle


@router.post("/{conversation_id}/work-orders", status_code=status.HTTP_201_CREATED)
def create_work_order(conversation_id: str, body: WorkOrderCreate, session: SessionDep,
                      district: DistrictDep, today: TodayDep, rep: CurrentRep) -> dict[str, Any]:
    """A field work order for the verified customer's premise, made by the rep. A meter test's
    fee is charged to the account at once (a pending charge on the next bill)."""
    conversation = _conversation(session, conversation_id)
    _held_by(conversation, rep)
    bundle = _verified_bundle(session, conversation)
    p = bundle.premise
    fee = orders_crud.work_order_fee(district=district, kind=body.kind)
    order = orders_crud.create_work_order(
        session=session, actor=Actor.rep(rep.id, conversation.id), kind=body.kind, priority=body.priority,
        location=body.location or f"{p.street}, {p.city} {p.zip}", zip_code=body.zip or p.zip,
        description=body.description, fee_cents=fee, contact_phone=body.contact_phone,
        account=bundle.account, today=today)
    return {"order_number": order.order_number, "kind": order.kind, "priority": order.priority,
            "status": order.status, "fee": str(from_cents(order.fee_cents))}


@router.post("/{conversation_id}/fee-waivers", response_model=PolicyOutcome)
def grant_fee_waiver(conversation_id: str, body: FeeWaiverRequest, session: SessionDep,
                     district: DistrictDep, today: TodayDep, rep: CurrentRep) -> Any:
    """Waive exactly the fee that was charged, once: granted when the written policy allows it,
    otherwise an approval for a supervisor. The same answer as the account API's."""
    conversation = _conversation(session, conversation_id)
    _held_by(conversation, rep)
    return outcome_public(policies_crud.request_fee_waiver(
        session=session, district=district, bundle=_verified_bundle(session, conversation),
        actor=Actor.rep(rep.id, conversation.id), today=today, fee_kind=body.fee_kind, reason=body.reason))
