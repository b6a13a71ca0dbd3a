"""Mail to a customer who can't see the conversation live: a rep's reply or a notice (an
approval's outcome), in the conversation's own email thread.

An email conversation has its thread already. A web customer who left an address gets one too,
opened on first use for that address: every follow-up shares its Reply-To token address and its
References chain, so the customer's answer comes back into the same (web) conversation through
the inbox, exactly as an email conversation's replies do (threading.find_thread)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from backend.core.config import Settings
from backend.email import outbound
from backend.email import threading as threads
from backend.models.conversations import Conversation
from backend.models.email import EmailThread, InboundEmail, OutboxEmail
from common.cards import mask_card_numbers

WORDS = {
    "en": {"subject": "Your conversation with {district}",
           "rep": "You left us this address in your chat with {district}. {rep} answered while "
                  "you were away:",
           "notice": "You left us this address in your chat with {district}. An update while you "
                     "were away:",
           "answer": "You can answer by replying to this email: your reply reaches the same "
                     "conversation."},
    "es": {"subject": "Su conversación con {district}",
           "rep": "Nos dejó esta dirección en su chat con {district}. {rep} le respondió "
                  "mientras no estaba:",
           "notice": "Nos dejó esta dirección en su chat con {district}. Una novedad mientras no "
                     "estaba:",
           "answer": "Puede contestar respondiendo a este correo: su respuesta llega a la misma "
                     "conversación."},
}


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def followup_thread(*, session: Session, settings: Settings,
                    conversation: Conversation) -> EmailThread | None:
    """The web conversation's thread for its follow-up address, opened on first use."""
    address = (conversation.followup_email or "").strip().lower()
    if not address:
        return None
    thread = session.exec(select(EmailThread).where(
        EmailThread.conversation_id == conversation.id,
        EmailThread.customer_address == address).order_by(col(EmailThread.id).desc())).first()
    if thread is not None:
        return thread
    language = conversation.language if conversation.language in WORDS else "en"
    return threads.open_thread(
        session=session, conversation_id=conversation.id, customer_address=address,
        our_address=outbound.inbox_address(settings), language=language,
        subject=_words(language)["subject"].format(district=settings.EMAIL_FROM_NAME))


def _has_mail(session: Session, thread_id: int) -> bool:
    return any(session.exec(select(model.id).where(model.thread_id == thread_id).limit(1)).first()
               is not None for model in (OutboxEmail, InboundEmail))


def queue_to_customer(*, session: Session, settings: Settings, conversation: Conversation,
                      text: str, rep_name: str | None) -> OutboxEmail | None:
    """`text` by email in the conversation's thread. rep_name: a rep's reply, signed by them;
    None: a notice from the district. None when the conversation has no address."""
    masked, _ = mask_card_numbers(text)
    if conversation.channel == "email":
        if rep_name:
            return outbound.queue_rep_reply(session=session, conversation=conversation,
                                            text=masked, rep_name=rep_name, settings=settings)
        thread = threads.thread_for_conversation(session=session, conversation_id=conversation.id)
        framing: tuple[list[str], list[str]] = ([], [])
    else:
        thread = followup_thread(session=session, settings=settings, conversation=conversation)
        if thread is None:
            return None
        w = _words(conversation.language)
        intro = w["rep" if rep_name else "notice"].format(
            district=settings.EMAIL_FROM_NAME, rep=rep_name or "")
        framing = ([intro], [w["answer"]])
    if thread is None:
        return None
    assert thread.id is not None
    language = conversation.language or thread.language
    team = outbound.WORDS.get(language, outbound.WORDS["en"])["team"].format(
        district=settings.EMAIL_FROM_NAME)
    first = not _has_mail(session, thread.id)
    return outbound.queue_in_thread(
        session=session, settings=settings, thread=thread,
        kind="followup" if rep_name else "notice",
        paragraphs=framing[0] + [masked] + framing[1], language=language, automatic=False,
        name=outbound.greeting_for(session=session, conversation=conversation),
        signature=f"{rep_name}\n{team}" if rep_name else None,
        subject=thread.subject if first else None)
