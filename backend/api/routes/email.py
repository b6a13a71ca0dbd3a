from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from sqlmodel import SQLModel

from backend.api.deps import CallerDep, SettingsDep
from backend.email import channel_for
from backend.email.inbound import TooLarge, receive
from backend.models.email import InboundStatus

router = APIRouter(prefix="/email", tags=["email"])

RAW_TYPES = ("message/rfc822", "text/plain", "application/octet-stream")


class InboundOut(SQLModel):
    id: int | None
    status: InboundStatus
    conversation_id: str | None = None
    reason: str | None = None


@router.post("/inbound", response_model=InboundOut, status_code=status.HTTP_202_ACCEPTED,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "message/rfc822": {"schema": {"type": "string", "format": "binary"}}}}})
async def inbound_email(request: Request, settings: SettingsDep, _caller: CallerDep) -> Any:
    """An email provider's inbound webhook: the raw MIME message as the body.

    The message is stored before anything else; auto-replies and bounces are kept but never
    answered. 413 over EMAIL_MAX_BYTES, 415 for another body type, 422 for a message that
    can't be handled (no sender, not MIME).
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in RAW_TYPES:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            "Send the raw message as message/rfc822 or text/plain")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.EMAIL_MAX_BYTES:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, "The message is too large")
    raw = await request.body()
    try:
        outcome = await receive(channel_for(request.app), raw=raw, source="http")
    except TooLarge as exc:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, str(exc)) from exc
    if outcome.status == InboundStatus.rejected:
        raise HTTPException(422, outcome.error or "Rejected")
    return InboundOut(id=outcome.inbound_id, status=outcome.status,
                      conversation_id=outcome.conversation_id, reason=outcome.reason)
