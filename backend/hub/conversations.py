"""Conversations: every message stored first, in order; the bot answers only while it holds one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.hub.bridge import BotUnavailable, RasaBridge
from backend.models.common import utcnow
from backend.models.conversations import Conversation, ConversationStatus, Message, Sender
from bot.components.cards import mask_card_numbers

UNAVAILABLE = {
    "en": "Sorry, our assistant isn't available right now. I've passed your conversation to our "
          "team and a representative will answer here; nothing you wrote is lost.",
    "es": "Perdón, nuestro asistente no está disponible en este momento. Pasé su conversación a "
          "nuestro equipo y un representante le responderá aquí; no se perdió nada de lo que "
          "escribió.",
}


def start(*, session: Session, channel: str, language: str = "en") -> Conversation:
    conversation = Conversation(channel=channel, language=language)
    session.add(conversation)
    session.commit()
    session.refresh(conversation)
    return conversation


def store(*, session: Session, conversation: Conversation, sender: Sender, text: str,
          payload: dict[str, Any] | None = None) -> Message:
    """Append a message with the next sequence number; a concurrent append retries."""
    for _ in range(5):
        seq = (session.exec(select(func.max(Message.seq)).where(
            Message.conversation_id == conversation.id)).one() or 0) + 1
        message = Message(conversation_id=conversation.id, seq=seq, sender=sender, text=text,
                          payload=payload or {})
        session.add(message)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        session.refresh(message)
        return message
    raise RuntimeError("could not append the message after 5 tries")


def transcript(*, session: Session, conversation: Conversation) -> list[Message]:
    return list(session.exec(select(Message).where(Message.conversation_id == conversation.id)
                             .order_by(col(Message.seq))).all())


def _queue(session: Session, conversation: Conversation, *, reason: str, priority: str,
           handoff: dict[str, Any]) -> None:
    conversation.status = ConversationStatus.queued
    conversation.handoff_reason = reason[:300]
    conversation.handoff_priority = priority
    conversation.handoff = handoff
    conversation.verified_account = handoff.get("verified_account") or conversation.verified_account
    conversation.language = handoff.get("language") or conversation.language
    conversation.updated_at = utcnow()
    session.add(conversation)
    session.commit()


def customer_says(*, session: Session, bridge: RasaBridge, conversation: Conversation,
                  text: str) -> list[Message]:
    """Store the customer's message (card numbers masked), then let the bot answer if it holds it."""
    masked, _ = mask_card_numbers(text)
    store(session=session, conversation=conversation, sender=Sender.customer, text=masked)
    if conversation.status != ConversationStatus.bot:
        return []  # a person holds it (or it's queued for one): the bot stays quiet
    metadata = {"channel": conversation.channel, "conversation_id": conversation.id,
                "language": conversation.language}
    try:
        replies = bridge.send(conversation_id=conversation.id, text=masked, metadata=metadata)
    except BotUnavailable as exc:
        note = store(session=session, conversation=conversation, sender=Sender.system,
                     text=UNAVAILABLE.get(conversation.language, UNAVAILABLE["en"]))
        _queue(session, conversation, reason=f"The bot was unavailable ({exc})"[:300],
               priority="complex", handoff={"reason_code": "system_unavailable"})
        return [note]
    out = []
    for reply in replies:
        custom = reply.get("custom") or {}
        payload = {k: v for k, v in reply.items() if k in ("buttons", "custom", "image")}
        out.append(store(session=session, conversation=conversation, sender=Sender.bot,
                         text=reply.get("text") or "", payload=payload))
        if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
            h = custom["handoff"]
            reason = (h.get("reason") or {}).get("en") or h.get("reason_code") or "handoff"
            _queue(session, conversation, reason=reason, priority=h.get("priority", "request"),
                   handoff=h)
    return out
