"""Supervisor approvals: what the written policy leaves to a person, such as a fee waiver
outside the rules."""

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlmodel import col, select

from backend.api.deps import CurrentSupervisor, SessionDep
from backend.crud import audit
from backend.crud.audit import Actor
from backend.domain.rates import from_cents
from backend.models import Account, FeeAdjustment
from backend.models.common import ActorType, AdjustmentStatus
from backend.models.queue import ApprovalIn

router = APIRouter(prefix="/approvals", tags=["approvals"])


def _public(adj: FeeAdjustment, account_number: str) -> dict[str, Any]:
    return {"id": adj.id, "reference": f"FA-{adj.id}", "account_number": account_number,
            "fee_kind": adj.fee_kind, "amount": str(from_cents(adj.amount_cents)),
            "status": adj.status, "reason": adj.reason, "policy_rule": adj.policy_rule,
            "requested_on": adj.requested_on.isoformat(), "decided_by": adj.decided_by}


@router.get("")
def list_pending(session: SessionDep, _supervisor: CurrentSupervisor) -> list[dict[str, Any]]:
    """Fee waivers waiting for a supervisor, oldest first."""
    rows = session.exec(select(FeeAdjustment, Account.account_number)
                        .join(Account, col(Account.id) == FeeAdjustment.account_id)
                        .where(FeeAdjustment.status == AdjustmentStatus.pending_review)
                        .order_by(col(FeeAdjustment.id))).all()
    return [_public(adj, number) for adj, number in rows]


@router.post("/{adjustment_id}")
def decide(adjustment_id: int, body: ApprovalIn, session: SessionDep,
           supervisor: CurrentSupervisor) -> dict[str, Any]:
    """Approve (the credit applies to the balance at once) or deny, with a note for the audit."""
    adj = session.get(FeeAdjustment, adjustment_id)
    if adj is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such request")
    if adj.status != AdjustmentStatus.pending_review:
        raise HTTPException(status.HTTP_409_CONFLICT, f"Already decided: {adj.status}")
    adj.status = AdjustmentStatus.approved if body.approve else AdjustmentStatus.denied
    adj.decided_by = f"rep:{supervisor.id}"
    session.add(adj)
    audit.record(session=session, actor=Actor(type=ActorType.rep, id=str(supervisor.id)),
                 action="fee_waiver_approved" if body.approve else "fee_waiver_denied",
                 entity="fee_adjustment", entity_id=adj.id, account_id=adj.account_id,
                 reason=body.note or None)
    session.commit()
    account = session.get(Account, adj.account_id)
    return _public(adj, account.account_number if account else "")
