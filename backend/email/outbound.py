"""Mail we send: the bot's answer to one email, a rep's reply, a transcript. All go to the outbox."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from sqlmodel import Session

from backend.core.config import Settings, get_settings
from backend.crud.accounts import greeting_name
from backend.email import threading as threads
from backend.email.loops import LOOP_HEADER
from backend.email.outbox import enqueue
from backend.hub.queue import when_text
from backend.models.common import utcnow
from backend.models.conversations import Conversation
from backend.models.email import EmailThread, InboundEmail, OutboxEmail
from common.cards import mask_card_numbers

WORDS = {
    "en": {"hello": "Hello,", "hello_name": "Hello {name},", "choice": "You can reply {choices}.",
           "quote": "“{}”", "or": "or",
           "ack_now": "A representative will reply to this email today; you don't need to write "
                      "again.",
           "ack_later": "Our office is closed right now; a representative will reply to this "
                        "email from {when}. You don't need to write again.",
           "closing": "Thank you,", "team": "{district} customer service",
           "transcript": "Your conversation with {district}", "re": "Your message to {district}",
           "customer": "You", "bot": "Assistant", "rep": "Representative", "system": "Note"},
    "es": {"hello": "Hola:", "hello_name": "Hola, {name}:", "choice": "Puede responder {choices}.",
           "quote": "«{}»", "or": "o",
           "ack_now": "Un representante le responderá a este correo hoy; no necesita escribir de "
                      "nuevo.",
           "ack_later": "Nuestra oficina está cerrada en este momento; un representante le "
                        "responderá a este correo a partir del {when}. No necesita escribir de "
                        "nuevo.",
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


def render(*, paragraphs: list[str], language: str, settings: Settings,
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


def queue_in_thread(*, session: Session, settings: Settings, thread: EmailThread, kind: str,
           paragraphs: list[str], language: str, automatic: bool, name: str | None = None,
           signature: str | None = None, in_reply_to: str | None = None,
           subject: str | None = None) -> OutboxEmail:
    """One email in the thread: Reply-To its token address, In-Reply-To the customer's last
    email, References the thread's chain. subject: as given (a thread's first email), else a
    reply to the thread's subject."""
    if in_reply_to is None:
        last = threads.last_inbound(session=session, thread_id=thread.id)  # type: ignore[arg-type]
        in_reply_to = last.message_id if last else None
    refs = threads.references_for(session=session, thread_id=thread.id)  # type: ignore[arg-type]
    if in_reply_to and in_reply_to not in refs:
        refs.append(in_reply_to)
    text, html_body = render(paragraphs=paragraphs, language=language, settings=settings,
                             name=name, signature=signature)
    msg = build(settings=settings, to=thread.customer_address,
                subject=subject or reply_subject(thread.subject, language, settings), text=text,
                html_body=html_body,
                reply_to=threads.reply_address(inbox=settings.EMAIL_INBOX,
                                               domain=settings.EMAIL_DOMAIN, token=thread.token),
                in_reply_to=in_reply_to, references=refs, automatic=automatic)
    return enqueue(session=session, msg=msg, kind=kind, conversation_id=thread.conversation_id,
                   thread_id=thread.id)


def greeting_for(*, session: Session, conversation: Conversation | None) -> str | None:
    # By name only once verified: the sender's address alone doesn't say who is writing.
    if conversation is None or not conversation.verified_account:
        return None
    return greeting_name(session=session, account_number=conversation.verified_account)


def _titles(payload: dict[str, Any]) -> list[str]:
    titles: list[str] = []
    for b in payload.get("buttons") or []:
        title = " ".join(str(b.get("title") or "").split()) if isinstance(b, dict) else ""
        if title and title not in titles:
            titles.append(title)
    return titles


def _asks(text: str) -> bool:
    return text.rstrip().endswith("?") or "¿" in text


def choice_sentence(*, titles: list[str], language: str) -> str:
    """“Yes” or “No” as a sentence the customer can answer by email."""
    w = _words(language)
    quoted = [w["quote"].format(t.strip("\"“”«»")) for t in titles]
    if len(quoted) == 1:
        return w["choice"].format(choices=quoted[0])
    conj = w["or"]
    if language == "es" and re.match(r"h?o", titles[-1].strip("\"“”«»"), re.I):
        conj = "u"  # "o" becomes "u" before an o- sound: «Comercial» u «Otro»
    return w["choice"].format(choices=f"{', '.join(quoted[:-1])} {conj} {quoted[-1]}")


def _acknowledgement(*, language: str, answer_from: datetime | None) -> str:
    w = _words(language)
    # Not in the future: the office is open (Availability.next_open is "now" while open, even
    # with nobody on shift yet), so "closed until" would be wrong.
    if answer_from is None or answer_from <= utcnow():
        return w["ack_now"]
    return w["ack_later"].format(when=when_text(at=answer_from,
                                                language="es" if language == "es" else "en"))


def bot_paragraphs(*, replies: Iterable[Any], language: str, choices: bool = True) -> list[str]:
    """Each reply's text once; a choice sentence after a question that came with buttons.

    Buttons on anything else (menus, suggestions) are dropped: in an email the customer just
    writes what they want."""
    paragraphs: list[str] = []
    seen: set[str] = set()
    for reply in replies:
        text = (getattr(reply, "text", "") or "").strip()
        key = " ".join(text.split()).casefold()
        if not text or key in seen:
            continue  # two bot turns that said the same line
        seen.add(key)
        paragraphs.append(text)
        titles = _titles(getattr(reply, "payload", None) or {})
        if choices and titles and _asks(text):
            paragraphs.append(choice_sentence(titles=titles, language=language))
    return paragraphs


def queue_bot_reply(*, session: Session, settings: Settings, thread: EmailThread,
                    inbound: InboundEmail, replies: Iterable[Any], language: str,
                    acknowledge: bool, answer_from: datetime | None = None) -> OutboxEmail | None:
    """The bot's replies to one email as one email.

    acknowledge: a person takes it from here; answer_from is when one can (None: reps are
    working now), in the district's time zone (Availability.next_open)."""
    # Once a person takes over, the bot's choices no longer apply.
    paragraphs = bot_paragraphs(replies=replies, language=language, choices=not acknowledge)
    if acknowledge:
        paragraphs.append(_acknowledgement(language=language, answer_from=answer_from))
    if not paragraphs:
        return None
    name = greeting_for(session=session,
                        conversation=session.get(Conversation, thread.conversation_id))
    return queue_in_thread(session=session, settings=settings, thread=thread, kind="reply",
                           paragraphs=paragraphs, language=language, automatic=True, name=name,
                           in_reply_to=inbound.message_id)


def queue_rep_reply(*, session: Session, conversation: Conversation, text: str, rep_name: str,
                    settings: Settings | None = None) -> OutboxEmail | None:
    """A rep's answer on an email conversation, sent by email (through the channel's Mailer)."""
    settings = settings or get_settings()
    thread = threads.thread_for_conversation(session=session, conversation_id=conversation.id)
    if thread is None:
        return None  # not an email conversation: the live channel already carried it
    masked, _ = mask_card_numbers(text)
    language = conversation.language or thread.language
    sign = f"{rep_name}\n{_words(language)['team'].format(district=settings.EMAIL_FROM_NAME)}"
    return queue_in_thread(session=session, settings=settings, thread=thread, kind="rep",
                           paragraphs=[masked], language=language, automatic=False,
                           name=greeting_for(session=session, conversation=conversation),
                           signature=sign)


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
    text, html_body = render(paragraphs=["\n".join(lines) or "-"], language=language,
                             settings=settings)
    msg = build(settings=settings, to=to_address, subject=subject, text=text, html_body=html_body,
                reply_to=None, in_reply_to=None, references=[], automatic=True)
    enqueue(session=session, msg=msg, kind="transcript", conversation_id=conversation.id,
            thread_id=None)
