"""Rep administration: who is signed in, shifts, and (supervisors) the reps themselves."""

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlalchemy.exc import IntegrityError

from backend.api.deps import CurrentRep, CurrentSupervisor, HubDep, SessionDep
from backend.crud import reps as reps_crud
from backend.crud.audit import Actor
from backend.models.reps import Rep, RepCreate, RepPublic, ShiftIn

router = APIRouter(prefix="/reps", tags=["reps"])


@router.get("/me", response_model=RepPublic)
def read_me(rep: CurrentRep) -> Any:
    return rep


@router.put("/me/shift", response_model=RepPublic)
async def set_my_shift(body: ShiftIn, rep: CurrentRep, session: SessionDep, hub: HubDep) -> Any:
    """Start or end a shift: routing, expected waits and the after-hours notice depend on it."""
    updated = reps_crud.set_shift(session=session, rep=rep, on_shift=body.on_shift,
                                  actor=Actor.rep(rep.id))
    await hub.queue_changed()
    return updated


@router.get("", response_model=list[RepPublic])
def list_reps(session: SessionDep, _supervisor: CurrentSupervisor) -> Any:
    return reps_crud.list_reps(session=session)


@router.post("", response_model=RepPublic, status_code=status.HTTP_201_CREATED)
def create_rep(body: RepCreate, session: SessionDep, supervisor: CurrentSupervisor) -> Any:
    taken = HTTPException(status.HTTP_409_CONFLICT, "A rep with this email already exists")
    if reps_crud.get_by_email(session=session, email=body.email) is not None:
        raise taken
    try:
        return reps_crud.create_rep(session=session, rep_in=body, actor=Actor.rep(supervisor.id))
    except IntegrityError:  # created by a concurrent request since the check
        session.rollback()
        raise taken from None
