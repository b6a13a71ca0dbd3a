"""The rating email: after a rep resolves an email conversation, or the bot finishes a task in
it, the customer is asked once, in their language and in the conversation's own thread, to rate
it with one of five signed links (backend/core/rating_links.py). A link opens a page that only
stores on its Send button, so a mail scanner following links rates nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from backend.core.config import Settings
from backend.core.rating_links import create_rating_token, rating_url
from backend.email import outbound
from backend.email import threading as threads
from backend.models.common import utcnow
from backend.models.conversations import Conversation
from backend.models.email import OutboxEmail

# After a bot task the customer's answer is queued when the hub returns: the request waits a
# little so it arrives after that answer, not before it.
AFTER_BOT_TASK = timedelta(minutes=1)

WORDS = {
    "en": {"ask": "How did we do? Please rate this conversation by choosing a number:",
           "scale": {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"},
           "how": "The link opens a short page where you can add a comment before sending. "
                  "Nothing is recorded until you press Send."},
    "es": {"ask": "¿Cómo lo hicimos? Califique esta conversación eligiendo un número:",
           "scale": {1: "Mala", 2: "Regular", 3: "Buena", 4: "Muy buena", 5: "Excelente"},
           "how": "El enlace abre una página breve donde puede agregar un comentario antes de "
                  "enviar. No se registra nada hasta que pulse Enviar."},
}


def links(*, settings: Settings, conversation_id: str, language: str) -> list[tuple[int, str,
                                                                                     str]]:
    """(score, label, url) for 5 down to 1, one token for all five."""
    token = create_rating_token(settings=settings, conversation_id=conversation_id)
    scale = WORDS.get(language, WORDS["en"])["scale"]
    return [(n, scale[n], rating_url(settings=settings, token=token, score=n))
            for n in range(5, 0, -1)]


def queue_rating_request(*, session: Session, settings: Settings, conversation: Conversation,
                         trigger: str) -> OutboxEmail | None:
    """The request in the conversation's email thread; None when it has none."""
    thread = threads.thread_for_conversation(session=session, conversation_id=conversation.id)
    if thread is None:
        return None
    language = conversation.language if conversation.language in WORDS else "en"
    w = WORDS[language]
    lines = "\n".join(f"{n} – {label}: {url}" for n, label, url in
                      links(settings=settings, conversation_id=conversation.id,
                            language=language))
    row = outbound.queue_in_thread(
        session=session, settings=settings, thread=thread, kind="rating",
        paragraphs=[w["ask"], lines, w["how"]], language=language, automatic=True,
        name=outbound.greeting_for(session=session, conversation=conversation))
    if trigger == "bot_task":
        row.next_attempt_at = utcnow() + AFTER_BOT_TASK
        session.add(row)
        session.commit()
    return row
