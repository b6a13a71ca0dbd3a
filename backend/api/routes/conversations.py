from typing import Any

from fastapi import APIRouter, HTTPException, status

from backend.api.deps import BridgeDep, CallerDep, SessionDep
from backend.hub import conversations as hub
from backend.models.conversations import (
    Conversation,
    ConversationPublic,
    MessageIn,
    MessagePublic,
    ReplyOut,
)

router = APIRouter(prefix="/conversations", tags=["conversations"])


def _message(message: Any) -> MessagePublic:
    # Attribute access, not model_dump: a commit may have expired the row, and this reloads it.
    return MessagePublic.model_validate(message, from_attributes=True)


def _get(session: Any, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such conversation")
    return conversation


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConversationPublic)
def start_conversation(session: SessionDep, _caller: CallerDep,
                       channel: str = "rest", language: str = "en") -> Any:
    """Open a conversation for another channel or an integration; returns its id."""
    conversation = hub.start(session=session, channel=channel[:20],
                             language="es" if language.startswith("es") else "en")
    return ConversationPublic.model_validate(conversation, from_attributes=True)


@router.post("/{conversation_id}/messages", response_model=ReplyOut)
def post_message(conversation_id: str, body: MessageIn, session: SessionDep,
                 bridge: BridgeDep, _caller: CallerDep) -> Any:
    """A customer message: stored first, then answered by the bot unless a person holds it."""
    conversation = _get(session, conversation_id)
    if conversation.status == "closed":
        raise HTTPException(status.HTTP_409_CONFLICT, "This conversation is closed")
    replies = hub.customer_says(session=session, bridge=bridge, conversation=conversation,
                                text=body.text)
    session.refresh(conversation)
    return ReplyOut(conversation_id=conversation.id, status=conversation.status,
                    replies=[_message(m) for m in replies])


@router.get("/{conversation_id}", response_model=ConversationPublic)
def read_conversation(conversation_id: str, session: SessionDep, _caller: CallerDep) -> Any:
    """Status, handoff reason and priority, and the whole transcript in order."""
    conversation = _get(session, conversation_id)
    messages = hub.transcript(session=session, conversation=conversation)
    public = ConversationPublic.model_validate(conversation, from_attributes=True)
    public.messages = [_message(m) for m in messages]
    return public
