"""Conversations' data: every message stored first, in order, once. Keyword-only functions that
take the session explicitly; the async `Hub` (service.py) runs them off the event loop."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.crud import audit
from backend.crud.audit import Actor
from backend.models.accounts import Account
from backend.models.common import utcnow
from backend.models.conversations import Conversation, ConversationStatus, Message, Sender
from backend.models.email import OutboxEmail
from backend.models.reps import Rep
from common.handoff import read_handoff

UNAVAILABLE = {
    "en": "Sorry, our assistant isn't available right now. I've passed your conversation to our "
          "team and a representative will answer here; nothing you wrote is lost.",
    "es": "Perdón, nuestro asistente no está disponible en este momento. Pasé su conversación a "
          "nuestro equipo y un representante le responderá aquí; no se perdió nada de lo que "
          "escribió.",
}
REP_JOINED = {"en": "{name} from our customer care team has joined the conversation.",
              "es": "{name}, de nuestro equipo de atención al cliente, se unió a la conversación."}
BACK_TO_BOT = {"en": "You're back with the virtual assistant. How else can I help?",
               "es": "Está de nuevo con el asistente virtual. ¿En qué más le puedo ayudar?"}
CLOSED = {"en": "This conversation has been resolved. Thank you for contacting us!",
          "es": "Esta conversación se resolvió. ¡Gracias por comunicarse con nosotros!"}


def text_for(table: dict[str, str], language: str, **kw: Any) -> str:
    return table.get(language, table["en"]).format(**kw)


# A transcript by email: how many one conversation may send, and one address may get per hour.
TRANSCRIPTS_PER_CONVERSATION = 3
TRANSCRIPTS_PER_ADDRESS_HOUR = 5


def new_secret() -> tuple[str, str]:
    """A reconnect secret for the widget, and the hash of it that is stored (never the secret)."""
    secret = secrets.token_urlsafe(32)
    return secret, _digest(secret)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(conversation: Conversation, secret: object) -> bool:
    expected = conversation.reconnect_secret_hash
    if not expected or not isinstance(secret, str) or not 0 < len(secret) <= 128:
        return False
    try:
        return hmac.compare_digest(_digest(secret), expected)
    except UnicodeEncodeError:  # a lone surrogate is no secret of ours
        return False


def start(*, session: Session, channel: str, language: str = "en",
          secret_hash: str | None = None) -> Conversation:
    conversation = Conversation(channel=channel, language=language,
                                reconnect_secret_hash=secret_hash)
    session.add(conversation)
    session.commit()
    session.refresh(conversation)
    return conversation


def audited(*, session: Session, actor: Actor | None, action: str, conversation_id: str,
            **detail: Any) -> None:
    """A rep's write on a conversation, recorded in the same transaction as the change; tied to
    the verified customer's account, so the account's audit trail shows it."""
    if actor is None:
        return
    conversation = session.get(Conversation, conversation_id)
    number = conversation.verified_account if conversation else None
    account_id = session.exec(select(Account.id).where(
        Account.account_number == number)).first() if number else None
    audit.record(session=session, actor=actor, action=action, entity="conversation",
                 entity_id=conversation_id, account_id=account_id, detail=detail)


def store(*, session: Session, conversation_id: str, sender: Sender, text: str,
          payload: dict[str, Any] | None = None, client_id: str | None = None,
          rep_id: int | None = None, internal: bool = False,
          actor: Actor | None = None) -> tuple[Message, bool]:
    """Append a message with the next sequence number. Returns (message, created): a repeated
    client_id returns the stored message, so a resend after a reconnect is kept once.
    actor: who wrote it, audited with the message (the fact and its seq, never the text)."""
    for _ in range(8):
        if client_id:
            existing = session.exec(select(Message).where(
                Message.conversation_id == conversation_id, Message.client_id == client_id)).first()
            if existing is not None:
                return existing, False
        seq = (session.exec(select(func.max(Message.seq)).where(
            Message.conversation_id == conversation_id)).one() or 0) + 1
        message = Message(conversation_id=conversation_id, seq=seq, sender=sender, text=text,
                          payload=payload or {}, client_id=client_id, rep_id=rep_id,
                          internal=internal)
        try:
            # The audit's lookups autoflush the message: a taken seq can fail there as well.
            session.add(message)
            audited(session=session, actor=actor, conversation_id=conversation_id, seq=seq,
                    action="internal_note_added" if internal else "rep_message_sent")
            session.commit()
        except IntegrityError:
            # Another writer took this seq (or this client_id) first: look again.
            session.rollback()
            continue
        session.refresh(message)
        return message, True
    raise RuntimeError("could not append the message after 8 tries")


def transcript(*, session: Session, conversation_id: str, after_seq: int = 0,
               include_internal: bool = False) -> list[Message]:
    query = select(Message).where(Message.conversation_id == conversation_id,
                                  Message.seq > after_seq)
    if not include_internal:
        query = query.where(~col(Message.internal))
    return list(session.exec(query.order_by(col(Message.seq))).all())


def last_seq(*, session: Session, conversation_id: str) -> int:
    return session.exec(select(func.max(Message.seq)).where(
        Message.conversation_id == conversation_id)).one() or 0


def load(session: Session, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise LookupError(conversation_id)
    return conversation


def enqueue(*, session: Session, conversation_id: str, reason: str, priority: str,
            handoff: dict[str, Any]) -> Conversation:
    conversation = load(session, conversation_id)
    conversation.status = ConversationStatus.queued
    conversation.handoff_reason = reason[:300]
    conversation.handoff_priority = priority
    conversation.handoff = handoff
    conversation.skills = [str(s) for s in handoff.get("skills") or []]
    conversation.verified_account = handoff.get("verified_account") or conversation.verified_account
    conversation.language = handoff.get("language") or conversation.language
    conversation.assigned_rep_id = None
    conversation.queued_at = conversation.updated_at = utcnow()
    session.add(conversation)
    session.commit()
    session.refresh(conversation)
    return conversation


def claim(*, session: Session, conversation_id: str, rep_id: int,
          actor: Actor | None = None) -> bool:
    """Exactly one rep wins: the update only matches while the conversation is still queued."""
    result = session.execute(
        update(Conversation)
        .where(col(Conversation.id) == conversation_id,
               col(Conversation.status) == ConversationStatus.queued)
        .values(status=ConversationStatus.assigned, assigned_rep_id=rep_id, updated_at=utcnow(),
                # The first claim ends the wait the reports measure; a transfer's doesn't.
                claimed_at=func.coalesce(col(Conversation.claimed_at), utcnow())))
    won = result.rowcount == 1  # type: ignore[attr-defined]
    if won:  # only the winner's claim is a change
        audited(session=session, actor=actor, action="conversation_claimed",
                conversation_id=conversation_id, rep_id=rep_id)
    session.commit()
    return won


def set_status(*, session: Session, conversation_id: str, status: ConversationStatus,
               rep_id: int | None = None, skills: list[str] | None = None,
               actor: Actor | None = None, action: str | None = None) -> Conversation:
    """actor and action: the rep's write, audited with the change (before and after)."""
    conversation = load(session, conversation_id)
    before = {"status": str(conversation.status), "rep_id": conversation.assigned_rep_id}
    if skills is not None:
        conversation.skills = skills
    conversation.status = status
    conversation.assigned_rep_id = rep_id
    conversation.updated_at = utcnow()
    if status == ConversationStatus.closed:
        conversation.closed_at = conversation.updated_at
    if status == ConversationStatus.queued:
        conversation.queued_at = conversation.updated_at
    session.add(conversation)
    if action:
        audited(session=session, actor=actor, action=action, conversation_id=conversation_id,
                before=before, after={"status": str(status), "rep_id": rep_id,
                                      **({"skills": skills} if skills is not None else {})})
    session.commit()
    session.refresh(conversation)
    return conversation


def leave_email(*, session: Session, conversation_id: str, email: str) -> bool:
    """Keep the follow-up address; once per conversation (the same address again is fine), so it
    can't be used to send transcripts to address after address."""
    result = session.execute(
        update(Conversation)
        .where(col(Conversation.id) == conversation_id,
               (col(Conversation.followup_email).is_(None))
               | (func.lower(col(Conversation.followup_email)) == email.lower()))
        .values(followup_email=email, updated_at=utcnow()))
    session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def transcript_refusal(*, session: Session, conversation_id: str, email: str) -> str | None:
    """Why the transcript may not be mailed to `email` now, or None. It goes only to the verified
    customer's email on file or the address they left, a few times per conversation and hour."""
    from backend.crud.accounts import get_bundle

    conversation = load(session, conversation_id)
    allowed = {conversation.followup_email or ""}
    if conversation.verified_account:
        bundle = get_bundle(session=session, account_number=conversation.verified_account)
        allowed.add((bundle.customer.email or "") if bundle else "")
    address = email.strip().lower()
    if address not in {a.strip().lower() for a in allowed if a}:
        return "transcript_address"
    sent = select(func.count()).where(OutboxEmail.kind == "transcript")
    if session.exec(sent.where(OutboxEmail.conversation_id == conversation_id)).one() \
            >= TRANSCRIPTS_PER_CONVERSATION:
        return "transcript_limit"
    recent = sent.where(func.lower(col(OutboxEmail.to_address)) == address,
                        col(OutboxEmail.created_at) >= utcnow() - timedelta(hours=1))
    if session.exec(recent).one() >= TRANSCRIPTS_PER_ADDRESS_HOUR:
        return "transcript_limit"
    return None


def waiting(*, session: Session) -> list[Conversation]:
    """Conversations a rep should see: queued, or held by a rep."""
    return list(session.exec(select(Conversation).where(col(Conversation.status).in_(
        [ConversationStatus.queued, ConversationStatus.assigned]))).all())


def rep_name(*, session: Session, rep_id: int | None) -> str | None:
    rep = session.get(Rep, rep_id) if rep_id else None
    return rep.name if rep else None


def store_bot_replies(*, session: Session, conversation_id: str, replies: list[dict[str, Any]],
                      customer_message_id: int | None = None,
                      intent: str | None = None) -> tuple[list[Message], Conversation, bool]:
    """The bot's replies to one message, in order; a handoff among them queues the conversation.
    intent: the bot's reading of that message (customer_message_id), kept for the reports in
    the same transaction. Returns (stored messages, the conversation, whether it was handed
    off)."""
    stored: list[Message] = []
    handed_off = False
    if customer_message_id is not None and intent:
        session.execute(update(Message).where(col(Message.id) == customer_message_id)
                        .values(intent=intent[:60]))
        session.commit()  # on its own: a reply's retried seq below rolls back what is pending
    for reply in replies:
        text, payload, handoff = bot_reply(reply)
        if text or payload.get("buttons") or not handoff:
            stored.append(store(session=session, conversation_id=conversation_id,
                                sender=Sender.bot, text=text, payload=payload)[0])
        if handoff:
            reason = (handoff.get("reason") or {}).get("en") or handoff.get("reason_code")
            enqueue(session=session, conversation_id=conversation_id, reason=reason or "handoff",
                    priority=handoff.get("priority", "request"), handoff=handoff)
            handed_off = True
    return stored, load(session, conversation_id), handed_off


def bot_reply(reply: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """A Rasa reply as (text, payload to keep, handoff or None)."""
    payload = {k: v for k, v in reply.items() if k in ("buttons", "custom", "image")}
    return reply.get("text") or "", payload, read_handoff(reply.get("custom"))


def is_handoff(reply: dict[str, Any]) -> bool:
    return bot_reply(reply)[2] is not None


def last_said_to_customer(*, session: Session, conversation_id: str) -> Message | None:
    """The bot's or a rep's last message to the customer (system notices left out)."""
    return session.exec(select(Message).where(
        Message.conversation_id == conversation_id, col(Message.sender).in_([Sender.bot, Sender.rep]),
        Message.internal == False).order_by(col(Message.seq).desc())).first()  # noqa: E712
