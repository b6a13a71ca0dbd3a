"""Rep assist: a drafted next reply for the conversation in front of the rep (never sent here)."""

from typing import Any

from fastapi import APIRouter, HTTPException, status

from backend.api.deps import CurrentRep, DistrictDep, SessionDep, TodayDep
from backend.crud import assist as assist_crud
from backend.models.conversations import Conversation

router = APIRouter(prefix="/queue", tags=["assist"])


@router.get("/{conversation_id}/draft")
def read_draft(conversation_id: str, session: SessionDep, district: DistrictDep,
               today: TodayDep, rep: CurrentRep) -> dict[str, Any]:
    """The next reply in the customer's language, from templates, the account and the policy
    engine's decision (evaluated, not granted), with its basis for the rep: topic, decision,
    rule and rule text. The rep edits it and sends it through POST …/messages."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such conversation")
    return assist_crud.draft(session=session, district=district, conversation=conversation,
                             today=today, rep_name=rep.name).to_dict()
