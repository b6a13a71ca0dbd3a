"""Supervisor approvals: everything the written policy refers to a person (fee waivers of every
kind, due-date extensions, payment arrangements), with the rule and the engine's reasons."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status

from backend.api.deps import (
    CurrentSupervisor,
    DistrictDep,
    EngineDep,
    HubDep,
    SessionDep,
    TodayDep,
)
from backend.api.errors import unprocessable
from backend.core.db import run_in_session
from backend.crud import approvals as approvals_crud
from backend.models.approvals import ApprovalPublic
from backend.models.common import ApprovalStatus
from backend.models.queue import ApprovalIn

router = APIRouter(prefix="/approvals", tags=["approvals"])


@router.get("", response_model=list[ApprovalPublic])
def list_approvals(session: SessionDep, _supervisor: CurrentSupervisor,
                   status_: Annotated[ApprovalStatus, Query(alias="status")] =
                   ApprovalStatus.pending) -> Any:
    """Approvals with a status (pending by default), oldest first."""
    return approvals_crud.list_approvals(session=session, status=status_)


@router.post("/{approval_id}", response_model=ApprovalPublic)
async def decide(approval_id: int, body: ApprovalIn, engine: EngineDep, district: DistrictDep,
                 today: TodayDep, supervisor: CurrentSupervisor, hub: HubDep) -> Any:
    """Approve (applied at once, exactly as a grant by the policy would be) or deny with a note.
    The customer is told the outcome in their language in the conversation they asked in."""
    try:
        decided = await run_in_session(
            engine, approvals_crud.decide, district=district, approval_id=approval_id,
            supervisor_id=supervisor.id, approve=body.approve, note=body.note.strip(),
            today=today)
    except approvals_crud.ApprovalNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such approval") from None
    except approvals_crud.ApprovalConflict as e:
        raise HTTPException(status.HTTP_409_CONFLICT, str(e)) from None
    except approvals_crud.NoteRequired as e:
        raise unprocessable("note", str(e)) from None
    if decided.notice is not None:
        conversation_id, text = decided.notice
        await hub.notify_customer(conversation_id=conversation_id, text=text)
    return decided.approval
