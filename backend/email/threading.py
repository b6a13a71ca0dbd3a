"""Which conversation an email belongs to: the reply-address token, then In-Reply-To/References."""

from __future__ import annotations

import re
import secrets

from sqlmodel import Session, col, select

from backend.models.email import EmailThread, InboundEmail, OutboxEmail


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
                message_ids: list[str]) -> EmailThread | None:
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
    return None


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
