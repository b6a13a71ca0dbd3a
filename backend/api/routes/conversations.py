from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, status

from backend.api.deps import CallerDep, HubDep
from backend.models.conversations import (
    ConversationPublic,
    ConversationStatus,
    MessageIn,
    MessagePublic,
    ReplyOut,
)

router = APIRouter(prefix="/conversations", tags=["conversations"])


class ApiChannel(StrEnum):
    # Web chat and email conversations are opened by those channels themselves, with a reconnect
    # secret or an email thread; one opened here would have neither (a rep's email reply to it
    # would go nowhere), so the API opens only its own kind.
    rest = "rest"


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ConversationPublic)
async def start_conversation(hub: HubDep, _caller: CallerDep,
                             channel: ApiChannel = ApiChannel.rest, language: str = "en") -> Any:
    """Open a conversation for another channel or an integration; returns its id."""
    conversation = await hub.open_conversation(channel=channel, language=language)
    return ConversationPublic.model_validate(conversation, from_attributes=True)


@router.post("/{conversation_id}/messages", response_model=ReplyOut)
async def post_message(
    conversation_id: str, body: MessageIn, hub: HubDep, _caller: CallerDep,
    idempotency_key: Annotated[str | None, Header(max_length=58, pattern=r"^[\x21-\x7e]+$")] = None,
) -> Any:
    """A customer message: stored first, then answered by the bot unless a person holds it.

    With an Idempotency-Key, a retry after a lost answer stores the message once and is
    answered (again, if nothing was said after it)."""
    conversation = await hub.get(conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such conversation")
    if conversation.status == ConversationStatus.closed:
        raise HTTPException(status.HTTP_409_CONFLICT, "This conversation is closed")
    result = await hub.customer_message(
        conversation_id=conversation.id, text=body.text,
        client_id=f"rest:{idempotency_key}" if idempotency_key else None)
    return ReplyOut(conversation_id=conversation.id, status=result.status,
                    replies=[MessagePublic.model_validate(m, from_attributes=True)
                             for m in result.replies])


@router.get("/{conversation_id}", response_model=ConversationPublic)
async def read_conversation(conversation_id: str, hub: HubDep, _caller: CallerDep) -> Any:
    """Status, handoff reason and priority, and the whole transcript in order (notes excluded)."""
    conversation = await hub.get(conversation_id)
    if conversation is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such conversation")
    public = ConversationPublic.model_validate(conversation, from_attributes=True)
    public.messages = [MessagePublic.model_validate(m, from_attributes=True)
                       for m in await hub.history(conversation_id=conversation.id, after_seq=0)]
    return public
