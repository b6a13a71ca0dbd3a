"""The one way in for email (SMTP listener and HTTP webhook): store raw, parse, thread, ask the
hub, queue one reply. A message accepted here is stored before anything else can fail."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from common.language import detect_language
from backend.core.config import Settings
from backend.core.db import run_in_session
from backend.crud.contact import flag_bounced_email
from backend.email import bounces, outbound
from backend.email.authres import sender_authenticated
from backend.email import reading
from backend.email import threading as threads
from backend.email.loops import auto_reason
from backend.email.parse import MalformedEmail, ParsedEmail, parse
from backend.email.scrub import scrub_attachment, scrub_raw
from backend.hub.bridge import BotUnavailable
from backend.models.common import utcnow
from backend.models.conversations import ConversationStatus, Sender
from backend.models.email import (
    EmailAttachment,
    EmailThread,
    InboundEmail,
    InboundStatus,
    OutboxEmail,
)
from common.cards import mask_card_numbers

log = logging.getLogger("waterdesk.email.inbound")


class TooLarge(ValueError):
    pass


@dataclass
class Outcome:
    inbound_id: int | None
    status: InboundStatus
    conversation_id: str | None = None
    error: str | None = None
    reason: str | None = None


@dataclass
class EmailChannel:
    """What inbound processing needs from the running app."""

    engine: Engine
    settings: Settings
    hub: Any  # backend.hub.service.Hub
    wake: Callable[[], None] = lambda: None  # nudges the outbox sender


def _mask_raw(raw: bytes) -> tuple[bytes | None, bool]:
    # Rebuilt from its masked parts (headers, text, HTML, quoted replies, attachments), so no
    # card number survives in base64 or quoted-printable either; None when it can't be made safe.
    return scrub_raw(raw)


def store_raw(*, session: Session, raw: bytes, source: str, envelope_from: str | None) -> int:
    masked, _ = _mask_raw(raw)
    row = InboundEmail(source=source, raw=masked, size=len(raw),
                       envelope_from=(envelope_from or "")[:320])
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def update(*, session: Session, inbound_id: int, **values: Any) -> InboundEmail:
    row = session.get(InboundEmail, inbound_id)
    assert row is not None
    for k, v in values.items():
        setattr(row, k, v)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def record_parsed(*, session: Session, inbound_id: int, parsed: ParsedEmail) -> tuple[str, bool]:
    """Store what was parsed (masked) and the attachments; returns (masked text, is duplicate).

    Text attachments are stored masked; others are replaced by a marker if they hold a card
    number (scrub.scrub_attachment). The raw copy was masked by store_raw."""
    text, _ = mask_card_numbers(parsed.reply_text or parsed.text)
    subject, _ = mask_card_numbers(parsed.subject)
    row = session.get(InboundEmail, inbound_id)
    assert row is not None
    row.message_id, row.from_address = parsed.message_id, parsed.from_address[:320]
    row.subject, row.text = subject[:300], text[:10_000]
    for a in map(scrub_attachment, parsed.attachments):
        # A removed attachment keeps its name, type and size; its data is scrub.REMOVED.
        session.add(EmailAttachment(inbound_id=inbound_id, filename=a.filename,
                                    content_type=a.content_type, size=a.size,
                                    sha256=hashlib.sha256(a.data).hexdigest(), data=a.data))
    session.add(row)
    duplicate = parsed.message_id is not None and session.exec(
        select(InboundEmail.id).where(
            InboundEmail.message_id == parsed.message_id, InboundEmail.id != inbound_id,
            col(InboundEmail.status).in_([InboundStatus.answered, InboundStatus.auto]))
    ).first() is not None
    session.commit()
    return text, duplicate


# Mail that never answers an inbound email, so it can't be half of a loop between two robots.
NOT_ANSWERS = ("transcript", "followup", "notice", "returned_mail")


def replies_last_hour(*, session: Session, address: str) -> int:
    since = utcnow() - timedelta(hours=1)
    return int(session.exec(select(func.count()).where(
        OutboxEmail.to_address == address, OutboxEmail.created_at > since,
        col(OutboxEmail.kind).not_in(NOT_ANSWERS))).one())


async def receive(channel: EmailChannel, *, raw: bytes, source: str,
                  envelope_from: str | None = None, rcpt_tos: list[str] | None = None) -> Outcome:
    settings = channel.settings
    db = partial(run_in_session, channel.engine)
    if len(raw) > settings.EMAIL_MAX_BYTES:
        raise TooLarge(f"the message is larger than {settings.EMAIL_MAX_BYTES} bytes")
    inbound_id = await db(store_raw, raw=raw, source=source, envelope_from=envelope_from)
    try:
        parsed = parse(raw)
    except MalformedEmail as exc:
        await db(update, inbound_id=inbound_id, status=InboundStatus.rejected,
                 error=str(exc)[:500])
        return Outcome(inbound_id, InboundStatus.rejected, error=str(exc))
    try:
        return await _process(channel, inbound_id, parsed, envelope_from, rcpt_tos or [])
    except Exception as exc:  # kept for a person or a retry; the sender must not see a crash
        log.exception("email %s could not be processed", inbound_id)
        await db(update, inbound_id=inbound_id, status=InboundStatus.error,
                 error=f"{exc.__class__.__name__}: {exc}"[:500])
        return Outcome(inbound_id, InboundStatus.error, error=str(exc))


async def _process(channel: EmailChannel, inbound_id: int, parsed: ParsedEmail,
                   envelope_from: str | None, rcpt_tos: list[str]) -> Outcome:
    settings = channel.settings
    db = partial(run_in_session, channel.engine)
    text, duplicate = await db(record_parsed, inbound_id=inbound_id, parsed=parsed)
    if duplicate:
        await db(update, inbound_id=inbound_id, status=InboundStatus.duplicate)
        return Outcome(inbound_id, InboundStatus.duplicate)
    token = threads.token_from(rcpt_tos + parsed.to_addresses, inbox=settings.EMAIL_INBOX,
                               domain=settings.EMAIL_DOMAIN)
    refs = parsed.in_reply_to + parsed.references[::-1]
    thread = await db(threads.find_thread, sender=parsed.from_address, token=token,
                      message_ids=refs, subject=parsed.subject)
    reason = auto_reason(parsed.message, from_address=parsed.from_address,
                         envelope_from=envelope_from, our_domain=settings.EMAIL_DOMAIN)
    if reason is None and await db(replies_last_hour, address=parsed.from_address) \
            >= settings.EMAIL_REPLIES_PER_HOUR:
        reason = "reply_limit"  # two robots answering each other: stop the loop here
    if reason is not None and bounces.is_report(parsed.message):
        failed = bounces.failed_recipients(parsed.message)
        if failed:  # mail to a customer's address on file failed for good: flag the account
            reason = "bounce"
            await db(flag_bounced_email, addresses=failed,
                     status=bounces.status_code(parsed.message))
    if reason is not None:
        await db(update, inbound_id=inbound_id, status=InboundStatus.auto, auto_reason=reason,
                 thread_id=thread.id if thread else None,
                 conversation_id=thread.conversation_id if thread else None)
        return Outcome(inbound_id, InboundStatus.auto, reason=reason,
                       conversation_id=thread.conversation_id if thread else None)

    if thread is not None:
        held = await channel.hub.get(thread.conversation_id)
        if held is None or held.status == ConversationStatus.closed:
            thread = None  # a reply to a resolved conversation starts a new one
    said = text or mask_card_numbers(parsed.subject)[0]
    language = detect_language(said) or (thread.language if thread else "en")
    if thread is None:
        conversation = await channel.hub.open_conversation(channel="email", language=language)
        thread = await db(threads.open_thread, conversation_id=conversation.id,
                          customer_address=parsed.from_address,
                          our_address=outbound.inbox_address(settings),
                          subject=mask_card_numbers(parsed.subject)[0], language=language)
    await db(update, inbound_id=inbound_id, thread_id=thread.id,
             conversation_id=thread.conversation_id)
    if not said.strip():
        said = "(attachment)" if parsed.attachments else ""
    if not said:
        await db(update, inbound_id=inbound_id, status=InboundStatus.answered)
        return Outcome(inbound_id, InboundStatus.answered, conversation_id=thread.conversation_id)

    bot_turns = await _requests(channel, thread.conversation_id, parsed.subject, said)
    result = await channel.hub.customer_message(
        conversation_id=thread.conversation_id, text=said, client_id=f"email:{inbound_id}",
        bot_turns=bot_turns,
        sender_email=parsed.from_address if sender_authenticated(
            parsed.message, from_address=parsed.from_address,
            trusted_ids=settings.email_trusted_authserv_ids,
            relay_authenticates=settings.EMAIL_RELAY_AUTHENTICATES) else None)
    # Handed off now, or already with a person: either way the customer hears when one answers.
    handed_off = result.status != ConversationStatus.bot
    # The hub's chat notices about the queue are replaced by one acknowledgement line.
    replies = [r for r in result.replies if not (handed_off and r.sender == Sender.system)]
    reply_language = detect_language(" ".join(r.text for r in replies)) or language
    answer_from = None
    if handed_off:
        avail = await channel.hub.availability()
        answer_from = None if avail.open_now else avail.next_open
    await db(_queue_reply, thread_id=thread.id, inbound_id=inbound_id, replies=replies,
             language=reply_language, acknowledge=handed_off, answer_from=answer_from,
             settings=settings)
    channel.wake()
    return Outcome(inbound_id, InboundStatus.answered, conversation_id=thread.conversation_id)


async def _requests(channel: EmailChannel, conversation_id: str, subject: str,
                    said: str) -> list[str]:
    """What the bot is sent for this email, one turn per request; [] sends `said` as it is."""
    last = await channel.hub.last_said_to_customer(conversation_id=conversation_id)
    if last is not None and reading.answers_question(
            last.text, choice=bool((last.payload or {}).get("buttons"))):
        return []
    body = reading.sentences(said)
    read_subject = reading.worth_reading(subject) and subject.strip() != said.strip()
    if len(body) <= 1 and not read_subject:
        return []  # one sentence: the bot reads it as a chat message
    parse = partial(_parse, channel.hub, conversation_id)
    try:
        sentences = await reading.classify(body, parse)
        # The subject matters when the body is short or asks nothing itself.
        subject_reading = (await reading.classify([subject], parse))[0] if read_subject and (
            len(body) <= 2 or not any(s.request for s in sentences)) else None
        return reading.turns(subject_reading, sentences, said)
    except BotUnavailable:
        return []  # the turn itself will find the bot down and queue the email for a person


async def _parse(hub: Any, conversation_id: str, text: str) -> dict[str, Any]:
    return await hub.parse(conversation_id=conversation_id, text=text)


def _queue_reply(*, session: Session, thread_id: int, inbound_id: int, replies: list[Any],
                 language: str, acknowledge: bool, answer_from: datetime | None,
                 settings: Settings) -> None:
    thread = session.get(EmailThread, thread_id)
    inbound = session.get(InboundEmail, inbound_id)
    assert thread is not None and inbound is not None
    outbound.queue_bot_reply(session=session, settings=settings, thread=thread, inbound=inbound,
                             replies=replies, language=language, acknowledge=acknowledge,
                             answer_from=answer_from)
    inbound.status = InboundStatus.answered
    session.add(inbound)
    session.commit()
