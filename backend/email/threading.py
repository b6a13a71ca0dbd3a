"""Which conversation an email belongs to: the reply-address token, then In-Reply-To/References,
then (for clients that drop both) a reply's subject from the same sender."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone

from sqlmodel import Session, col, func, select

from backend.models.common import utcnow
from backend.models.email import EmailThread, InboundEmail, OutboxEmail
from common.cards import mask_card_numbers

# Reply prefixes, localised ones too (German AW, Italian R, Nordic SV) and counted ones (Re[2]).
# Not forwards (Fwd, FW, WG, and RV, which is Spanish Outlook's "reenviado"): a forward isn't
# the customer answering us.
REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv|r)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*", re.I)
SUBJECT_WINDOW = timedelta(days=30)
SUBJECT_CANDIDATES = 20


def new_token() -> str:
    # Lower-case hex: some mail systems fold the case of local parts.
    return secrets.token_hex(8)


def reply_address(*, inbox: str, domain: str, token: str) -> str:
    return f"{inbox}+{token}@{domain}"


def token_from(addresses: list[str], *, inbox: str, domain: str) -> str | None:
    pattern = re.compile(rf"^{re.escape(inbox)}\+([0-9a-f]{{8,32}})@{re.escape(domain)}$", re.I)
    for address in addresses:
        m = pattern.match(address.strip().strip("<>"))
        if m:
            return m.group(1).lower()
    return None


def find_thread(*, session: Session, sender: str, token: str | None,
                message_ids: list[str], subject: str = "") -> EmailThread | None:
    """The thread this mail continues, if its sender is the thread's customer.

    The sender must match: a forwarded copy replied to by someone else must not land in a
    conversation where the customer was verified.
    """
    candidates: list[EmailThread] = []
    if token:
        thread = session.exec(select(EmailThread).where(EmailThread.token == token)).first()
        if thread:
            candidates.append(thread)
    # The newest reference is the most specific: In-Reply-To first, then References backwards.
    for mid in message_ids:
        for model in (OutboxEmail, InboundEmail):
            thread_id = session.exec(
                select(model.thread_id).where(model.message_id == mid,
                                              col(model.thread_id).is_not(None))
            ).first()
            if thread_id is not None:
                thread = session.get(EmailThread, thread_id)
                if thread:
                    candidates.append(thread)
    for thread in candidates:
        if thread.customer_address.lower() == sender.lower():
            return thread
    return by_subject(session=session, sender=sender, subject=subject)


def strip_reply_prefixes(subject: str) -> tuple[str, bool]:
    """The subject without its reply prefixes ("RE: RE: AW: x" -> "x"), and whether it had one."""
    stripped = subject
    while (m := REPLY_PREFIX.match(stripped)) is not None:
        stripped = stripped[m.end():]
    return stripped, stripped != subject


def subject_key(subject: str) -> str:
    return " ".join(strip_reply_prefixes(subject)[0].split()).casefold()


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def by_subject(*, session: Session, sender: str, subject: str) -> EmailThread | None:
    """A reply whose client kept no headers: same sender, same subject after its reply prefix,
    a thread with mail in the last 30 days. The most recently active one wins."""
    # Masked and cut like the subject open_thread stored, so the two compare equal.
    stripped, is_reply = strip_reply_prefixes(mask_card_numbers(subject)[0])
    key = " ".join(stripped[:300].split()).casefold()
    if not is_reply or not key:
        return None
    threads = session.exec(
        select(EmailThread).where(EmailThread.customer_address == sender.strip().lower())
        .order_by(col(EmailThread.id).desc()).limit(SUBJECT_CANDIDATES)).all()
    matching = {t.id: t for t in threads if subject_key(t.subject) == key}
    if not matching:
        return None
    since = utcnow() - SUBJECT_WINDOW
    last: dict[int, datetime] = {}
    for model, at in ((InboundEmail, InboundEmail.received_at),
                      (OutboxEmail, OutboxEmail.created_at)):
        rows = session.exec(select(model.thread_id, func.max(at))
                            .where(col(model.thread_id).in_(list(matching)), at >= since)
                            .group_by(model.thread_id)).all()
        for thread_id, newest in rows:
            newest = _aware(newest)
            if thread_id not in last or newest > last[thread_id]:
                last[thread_id] = newest
    if not last:
        return None
    return matching[max(last, key=lambda tid: (last[tid], tid))]


def open_thread(*, session: Session, conversation_id: str, customer_address: str,
                our_address: str, subject: str, language: str) -> EmailThread:
    thread = EmailThread(conversation_id=conversation_id, token=new_token(),
                         customer_address=customer_address.lower(), our_address=our_address,
                         subject=subject[:300], language=language)
    session.add(thread)
    session.commit()
    session.refresh(thread)
    return thread


def thread_for_conversation(*, session: Session, conversation_id: str) -> EmailThread | None:
    return session.exec(select(EmailThread).where(EmailThread.conversation_id == conversation_id)
                        .order_by(col(EmailThread.id).desc())).first()


def last_inbound(*, session: Session, thread_id: int) -> InboundEmail | None:
    return session.exec(select(InboundEmail).where(InboundEmail.thread_id == thread_id,
                                                   col(InboundEmail.message_id).is_not(None))
                        .order_by(col(InboundEmail.id).desc())).first()


def references_for(*, session: Session, thread_id: int, limit: int = 10) -> list[str]:
    """The thread's Message-IDs, oldest first, for a References header (trimmed, as RFC 5322 allows)."""
    ids: list[tuple] = []
    for model, at in ((InboundEmail, InboundEmail.received_at), (OutboxEmail, OutboxEmail.created_at)):
        ids += session.exec(select(at, model.message_id).where(
            model.thread_id == thread_id, col(model.message_id).is_not(None))).all()
    ordered = [mid for _, mid in sorted(ids, key=lambda r: r[0])]
    return ordered[:1] + ordered[1:][-(limit - 1):] if len(ordered) > limit else ordered
