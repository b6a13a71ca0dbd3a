"""What a rep does to a conversation (mixed into Hub): claim, reply or note, transfer, return to
the bot, resolve. Each write is audited in the same transaction as the change, with the rep as
the actor; a reply also goes by email to a customer who is away (channels.CustomerMail)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel import select

from backend.core.security import decode_rep_token
from backend.crud.audit import Actor
from backend.hub import conversations as data
from backend.hub.bridge import BotUnavailable
from backend.models.conversations import Conversation, ConversationStatus, Message, Sender
from backend.models.reps import Rep
from common.cards import mask_cards

T = TypeVar("T")
log = logging.getLogger(__name__)


class RepDesk:
    if TYPE_CHECKING:  # provided by Hub and CustomerMail
        from backend.core.config import Settings
        from backend.hub.bridge import RasaBridge

        bridge: RasaBridge
        settings: Settings

        async def db(self, fn: Callable[..., T], /, **kw: Any) -> T: ...
        async def get(self, conversation_id: str) -> Conversation | None: ...
        async def _say(self, conversation: Conversation, sender: Sender, text: str, *,
                       payload: dict[str, Any] | None = None, rep: Rep | None = None,
                       internal: bool = False, actor: Actor | None = None) -> Message: ...
        async def _status_changed(self, conversation: Conversation,
                                  notice: dict[str, str] | None,
                                  rep_name: str | None = None) -> None: ...
        async def mail_if_away(self, *, conversation_id: str, text: str,
                               rep_name: str | None = None) -> bool: ...
        async def ask_rating(self, *, conversation_id: str, trigger: str) -> Message | None: ...

    async def claim(self, *, conversation_id: str, rep: Rep) -> bool:
        assert rep.id is not None
        if not await self.db(data.claim, conversation_id=conversation_id, rep_id=rep.id,
                             actor=Actor.rep(rep.id, conversation_id)):
            return False
        conversation = await self.get(conversation_id)
        assert conversation is not None
        await self._status_changed(conversation, data.REP_JOINED, rep_name=rep.name)
        return True

    async def rep_message(self, *, conversation: Conversation, rep: Rep, text: str,
                          internal: bool = False) -> Message:
        """A reply (live, and by email to a customer who is away) or an internal note."""
        message = await self._say(conversation, Sender.rep, mask_cards(text), rep=rep,
                                  internal=internal, actor=Actor.rep(rep.id, conversation.id))
        if not internal:
            await self.mail_if_away(conversation_id=conversation.id, text=message.text,
                                    rep_name=rep.name)
        return message

    async def transfer(self, *, conversation: Conversation, to_rep: Rep | None,
                       skill: str | None, rep: Rep) -> Conversation:
        """To a named rep, or back to the queue (for a skill). rep: who transfers it (a
        supervisor stepping in is not the holder)."""
        actor = Actor.rep(rep.id, conversation.id)
        if to_rep is not None:
            moved = await self.db(data.set_status, conversation_id=conversation.id,
                                  status=ConversationStatus.assigned, rep_id=to_rep.id,
                                  actor=actor, action="conversation_transferred")
        else:
            moved = await self.db(data.set_status, conversation_id=conversation.id,
                                  status=ConversationStatus.queued,
                                  skills=[skill] if skill else None,
                                  actor=actor, action="conversation_transferred")
        await self._status_changed(moved, data.REP_JOINED if to_rep else None,
                                   rep_name=to_rep.name if to_rep else None)
        return moved

    async def return_to_bot(self, *, conversation: Conversation, rep: Rep) -> Conversation:
        actor = Actor.rep(rep.id, conversation.id)
        try:  # the bot's own handoff state, so its safety net works again
            await self.bridge.reset(conversation_id=conversation.id)
        except BotUnavailable as exc:
            # Rasa is down: the customer is told so by the next message's answer anyway.
            log.warning("bot state not reset for %s: %s", conversation.id, exc)
        back = await self.db(data.set_status, conversation_id=conversation.id,
                             status=ConversationStatus.bot, actor=actor,
                             action="conversation_returned_to_bot")
        await self._status_changed(back, data.BACK_TO_BOT)
        return back

    async def resolve(self, *, conversation: Conversation, rep: Rep) -> Conversation:
        actor = Actor.rep(rep.id, conversation.id)
        closed = await self.db(data.set_status, conversation_id=conversation.id,
                               status=ConversationStatus.closed, actor=actor,
                               action="conversation_resolved")
        await self._status_changed(closed, data.CLOSED)
        await self.ask_rating(conversation_id=closed.id, trigger="resolved")  # once, ever
        return closed

    async def rep_names(self) -> dict[int, str]:
        return await self.db(lambda session: {
            r.id: r.name for r in session.exec(select(Rep)).all() if r.id is not None})

    async def rep_from_token(self, token: str) -> Rep | None:
        rep_id = decode_rep_token(settings=self.settings, token=token)
        if rep_id is None:
            return None
        rep = await self.db(lambda session: session.get(Rep, rep_id))
        return rep if rep is not None and rep.is_active else None
