"""Channels other than the live chat, as the hub sees them: the hub never imports one. An email
channel registers itself (`Hub.register_mailer`); without one, the features that need mail
answer "unavailable" and the live chat carries on."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import socketio
from sqlmodel import Session

from backend.core.config import Settings
from backend.hub import conversations as data
from backend.hub.events import CUSTOMERS, room
from backend.models.accounts import Account
from backend.models.conversations import Conversation, Message, Sender
from backend.models.customers import Customer
from common.cards import mask_cards

T = TypeVar("T")
UNAVAILABLE = "unavailable"


class Mailer(Protocol):
    """What the hub asks of the email channel. The queue_* methods run on a worker thread in the
    hub's database session and only queue mail (the channel's outbox sends it); wake nudges the
    outbox once the session is committed."""

    def queue_to_customer(self, *, session: Session, conversation: Conversation, text: str,
                          rep_name: str | None) -> bool:
        """Email `text` to the conversation's customer, threaded: the email channel's thread, or
        one opened for a web customer's follow-up address, so their answer comes back into this
        conversation. rep_name: a rep's reply (signed by them); None: a notice from the district.
        False when the conversation has no address to write to."""
        ...

    def queue_transcript(self, *, session: Session, conversation: Conversation,
                         to_address: str) -> None: ...

    def queue_rating_request(self, *, session: Session, conversation: Conversation,
                             trigger: str) -> bool:
        """Ask the customer, in the conversation's email thread, to rate it (links to a signed
        page); trigger: resolved | bot_task. False when there is no thread to write in."""
        ...

    def queue_returned_mail(self, session: Session, customer: Customer,
                            account: Account) -> None:
        """Ask the customer, at the email on file, to confirm their mailing address; commits."""
        ...

    def wake(self) -> None: ...


def customer_connected(sio: socketio.AsyncServer, conversation_id: str) -> bool:
    """Whether a customer's socket is in the conversation's room, as this process sees it.

    With Redis (several backend processes) this is the local view only: a customer connected to
    another process counts as away, so they may get an email of a reply they also saw live. We err
    that way on purpose: a follow-up promised and not sent is worse than one sent twice."""
    found = sio.manager.get_participants(CUSTOMERS, room(conversation_id))
    return next(iter(found), None) is not None


class CustomerMail:
    """The hub's email features (mixed into Hub): follow-ups to customers who are away,
    transcripts, outcomes decided away from the chat."""

    sio: socketio.AsyncServer
    settings: Settings
    mailer: Mailer | None
    _transcripts: asyncio.Lock

    if TYPE_CHECKING:  # provided by Hub
        async def db(self, fn: Callable[..., T], /, **kw: Any) -> T: ...
        async def get(self, conversation_id: str) -> Conversation | None: ...
        async def _say(self, conversation: Conversation, sender: Sender, text: str,
                       **kw: Any) -> Message: ...

    def register_mailer(self, mailer: Mailer | None) -> None:
        """The email channel, once it runs (None: it stopped)."""
        self.mailer = mailer

    def _away(self, conversation: Conversation) -> bool:
        """Whether what is said now must also go by email: always on the email channel; on the
        web, when the customer left an address and no socket of theirs is here to see it."""
        if conversation.channel == "email":
            return True
        return bool(conversation.followup_email) and not customer_connected(
            self.sio, conversation.id)

    async def mail_if_away(self, *, conversation_id: str, text: str,
                           rep_name: str | None = None) -> bool:
        """Email `text` to a customer who can't see it live. True when queued."""
        mailer = self.mailer
        conversation = await self.get(conversation_id)
        if mailer is None or conversation is None or not self._away(conversation):
            return False
        # Loaded afresh in the worker's session: the caller's object may belong to another.
        queued = await self.db(lambda session: mailer.queue_to_customer(
            session=session, conversation=data.load(session, conversation_id), text=text,
            rep_name=rep_name))
        if queued:
            mailer.wake()
        return queued

    async def notify_customer(self, *, conversation_id: str, text: str) -> Message | None:
        """Tell the customer something decided away from the chat (an approval's outcome): live
        and stored, so a returning customer sees it; by email too when they are away and left an
        address (or wrote by email), in the same thread as the rest of the conversation."""
        conversation = await self.get(conversation_id)
        if conversation is None:
            return None
        message = await self._say(conversation, Sender.system, mask_cards(text))
        await self.mail_if_away(conversation_id=conversation_id, text=message.text)
        return message

    async def email_transcript(self, *, conversation_id: str, email: str) -> str | None:
        """Queue the transcript to `email`. None when queued, else why not: `unavailable` (no
        email channel), or a refusal from data.transcript_refusal."""
        mailer = self.mailer
        if mailer is None:
            return UNAVAILABLE

        def check_and_queue(session: Session) -> str | None:
            refusal = data.transcript_refusal(session=session, conversation_id=conversation_id,
                                              email=email)
            if refusal is None:
                mailer.queue_transcript(session=session,
                                        conversation=data.load(session, conversation_id),
                                        to_address=email)
            return refusal

        async with self._transcripts:
            refusal = await self.db(check_and_queue)
        if refusal is None:
            mailer.wake()
        return refusal
