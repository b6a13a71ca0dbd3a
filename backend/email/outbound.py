"""Mail we send: the bot's answer to one email, a rep's reply, a transcript. All go to the outbox."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from sqlmodel import Session

from backend.core.config import Settings, get_settings
from backend.email import threading as threads
from backend.email.loops import LOOP_HEADER
from backend.email.outbox import enqueue
from backend.models.common import utcnow
from backend.models.conversations import Conversation
from backend.models.email import EmailThread, InboundEmail, OutboxEmail
from common.cards import mask_card_numbers

WORDS = {
    "en": {"hello": "Hello,", "hello_name": "Hello {name},", "options": "You can reply with one of these:",
           "ack": "A representative will reply to this email; you don't need to write again.",
           "closing": "Thank you,", "team": "{district} customer service",
           "transcript": "Your conversation with {district}", "re": "Your message to {district}",
           "customer": "You", "bot": "Assistant", "rep": "Representative", "system": "Note"},
    "es": {"hello": "Hola:", "hello_name": "Hola, {name}:", "options": "Puede responder con una de estas opciones:",
           "ack": "Un representante le responderá a este correo; no necesita escribir de nuevo.",
           "closing": "Gracias,", "team": "Servicio al cliente de {district}",
           "transcript": "Su conversación con {district}", "re": "Su mensaje a {district}",
           "customer": "Usted", "bot": "Asistente", "rep": "Representante", "system": "Nota"},
}


def inbox_address(settings: Settings) -> str:
    return f"{settings.EMAIL_INBOX}@{settings.EMAIL_DOMAIN}"


def reply_subject(subject: str, language: str, settings: Settings) -> str:
    subject = " ".join(subject.split())
    if not subject:
        return WORDS[language]["re"].format(district=settings.EMAIL_FROM_NAME)
    return subject if re.match(r"^(re|aw|sv|rv)\s*:", subject, re.I) else f"Re: {subject}"


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def render(*, paragraphs: list[str], options: list[str], language: str, settings: Settings,
           name: str | None = None, signature: str | None = None) -> tuple[str, str]:
    """The plain text and a simple HTML alternative with the same words."""
    w = _words(language)
    greeting = w["hello_name"].format(name=name) if name else w["hello"]
    sign = signature or w["team"].format(district=settings.EMAIL_FROM_NAME)
    text = [greeting, ""]
    markup = [f"<p>{html.escape(greeting)}</p>"]
    for p in paragraphs:
        text += [p, ""]
        markup.append("<p>" + html.escape(p).replace("\n", "<br>") + "</p>")
    if options:
        text += [w["options"]] + [f"  - {o}" for o in options] + [""]
        markup.append(f"<p>{html.escape(w['options'])}</p><ul>"
                      + "".join(f"<li>{html.escape(o)}</li>" for o in options) + "</ul>")
    text += [w["closing"], sign]
    markup.append(f"<p>{html.escape(w['closing'])}<br>{html.escape(sign)}</p>")
    return "\n".join(text) + "\n", "<html><body>" + "\n".join(markup) + "</body></html>\n"


def build(*, settings: Settings, to: str, subject: str, text: str, html_body: str,
          reply_to: str | None, in_reply_to: str | None, references: list[str],
          automatic: bool) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((settings.EMAIL_FROM_NAME, inbox_address(settings)))
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=settings.EMAIL_DOMAIN)
    if reply_to:
        msg["Reply-To"] = reply_to
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    if automatic:
        # RFC 3834: other responders must not answer the bot's mail.
        msg["Auto-Submitted"] = "auto-replied"
    msg[LOOP_HEADER] = "1"
    msg.set_content(text)
    msg.add_alternative(html_body, subtype="html")
    return msg


def _queue(*, session: Session, settings: Settings, thread: EmailThread, kind: str,
           paragraphs: list[str], options: list[str], language: str, automatic: bool,
           signature: str | None = None, in_reply_to: str | None = None) -> OutboxEmail:
    if in_reply_to is None:
        last = threads.last_inbound(session=session, thread_id=thread.id)  # type: ignore[arg-type]
        in_reply_to = last.message_id if last else None
    refs = threads.references_for(session=session, thread_id=thread.id)  # type: ignore[arg-type]
    if in_reply_to and in_reply_to not in refs:
        refs.append(in_reply_to)
    text, html_body = render(paragraphs=paragraphs, options=options, language=language,
                             settings=settings, signature=signature)
    msg = build(settings=settings, to=thread.customer_address,
                subject=reply_subject(thread.subject, language, settings), text=text,
                html_body=html_body,
                reply_to=threads.reply_address(inbox=settings.EMAIL_INBOX,
                                               domain=settings.EMAIL_DOMAIN, token=thread.token),
                in_reply_to=in_reply_to, references=refs, automatic=automatic)
    return enqueue(session=session, msg=msg, kind=kind, conversation_id=thread.conversation_id,
                   thread_id=thread.id)


def _options(payload: dict[str, Any]) -> list[str]:
    return [str(b.get("title")) for b in payload.get("buttons") or []
            if isinstance(b, dict) and b.get("title")]


def queue_bot_reply(*, session: Session, settings: Settings, thread: EmailThread,
                    inbound: InboundEmail, replies: Iterable[Any], language: str,
                    acknowledge: bool) -> OutboxEmail | None:
    """The bot's replies to one email as one email; buttons become a list of options."""
    paragraphs: list[str] = []
    options: list[str] = []
    for reply in replies:
        payload = getattr(reply, "payload", None) or {}
        if getattr(reply, "text", ""):
            paragraphs.append(reply.text)
        options += _options(payload)
    if acknowledge:
        paragraphs.append(_words(language)["ack"])
        options = []  # a person takes it from here; the bot's choices no longer apply
    if not paragraphs and not options:
        return None
    return _queue(session=session, settings=settings, thread=thread, kind="reply",
                  paragraphs=paragraphs, options=options, language=language, automatic=True,
                  in_reply_to=inbound.message_id)


def queue_rep_reply(*, session: Session, conversation: Conversation, text: str, rep_name: str,
                    settings: Settings | None = None) -> None:
    """A rep's answer on an email conversation, sent by email (the hub calls this)."""
    settings = settings or get_settings()
    thread = threads.thread_for_conversation(session=session, conversation_id=conversation.id)
    if thread is None:
        return  # not an email conversation: the live channel already carried it
    masked, _ = mask_card_numbers(text)
    language = conversation.language or thread.language
    sign = f"{rep_name}\n{_words(language)['team'].format(district=settings.EMAIL_FROM_NAME)}"
    _queue(session=session, settings=settings, thread=thread, kind="rep",
           paragraphs=[masked], options=[], language=language, automatic=False, signature=sign)


def queue_transcript(*, session: Session, conversation: Conversation, to_address: str,
                     settings: Settings | None = None) -> None:
    """The conversation so far, to the address the customer gave (internal notes left out)."""
    from backend.hub.conversations import transcript  # the hub's module; imported when used

    settings = settings or get_settings()
    language = conversation.language if conversation.language in WORDS else "en"
    w = _words(language)
    lines = []
    for m in transcript(session=session, conversation_id=conversation.id):
        if getattr(m, "internal", False) or not m.text:
            continue
        who = w.get(str(m.sender), str(m.sender))
        lines.append(f"[{m.created_at:%Y-%m-%d %H:%M} UTC] {who}: {m.text}")
    subject = w["transcript"].format(district=settings.EMAIL_FROM_NAME)
    text, html_body = render(paragraphs=["\n".join(lines) or "-"], options=[], language=language,
                             settings=settings)
    msg = build(settings=settings, to=to_address, subject=subject, text=text, html_body=html_body,
                reply_to=None, in_reply_to=None, references=[], automatic=True)
    enqueue(session=session, msg=msg, kind="transcript", conversation_id=conversation.id,
            thread_id=None)
