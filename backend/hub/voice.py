"""The customer's voice (mixed into Hub): when to ask for a rating, and taking it.

The hub decides when: after a rep resolves the conversation (desk.py) or when the bot finishes
a task (a `task_done` control message, common/signals.py), once per conversation. The channels
deliver: a stored system message whose payload the widget shows as a rating form
(events.bot_uttered), and, on the email channel, an email with signed links (through the
registered Mailer, never an import)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from backend.crud import ratings
from backend.hub import conversations as data
from backend.hub.events import REPS, room
from backend.models.conversations import Conversation, Message, Sender
from backend.models.ratings import Rating

T = TypeVar("T")
log = logging.getLogger(__name__)

ASK = {"en": "How did we do? Please rate this conversation from 1 (poor) to 5 (excellent); "
             "a comment is welcome too.",
       "es": "¿Cómo lo hicimos? Califique esta conversación del 1 (mala) al 5 (excelente); "
             "también puede dejarnos un comentario."}


class CustomerVoice:
    if TYPE_CHECKING:  # provided by Hub and CustomerMail
        import socketio

        from backend.hub.channels import Mailer

        mailer: Mailer | None
        sio: socketio.AsyncServer

        async def db(self, fn: Callable[..., T], /, **kw: Any) -> T: ...
        async def get(self, conversation_id: str) -> Conversation | None: ...
        async def _say(self, conversation: Conversation, sender: Sender, text: str, *,
                       payload: dict[str, Any] | None = None, **kw: Any) -> Message: ...

    async def ask_rating(self, *, conversation_id: str, trigger: str,
                         language: str | None = None) -> Message | None:
        """Ask the customer for a rating, unless they were asked before. The stored request is
        returned (None when not asked). An email conversation is asked by email too; without a
        running email channel it isn't asked yet, so a later trigger still can."""
        conversation = await self.get(conversation_id)
        if conversation is None or conversation.rating_requested_at is not None:
            return None
        mailer = self.mailer if conversation.channel == "email" else None
        if conversation.channel == "email" and mailer is None:
            return None
        if not await self.db(ratings.mark_requested, conversation_id=conversation_id):
            return None  # another trigger asked a moment ago
        request = await self._say(conversation, Sender.system,
                                  data.text_for(ASK, language or conversation.language),
                                  payload={ratings.REQUEST_KEY: {"trigger": trigger}})
        if mailer is not None:
            queued = await self.db(lambda session: mailer.queue_rating_request(
                session=session, conversation=data.load(session, conversation_id),
                trigger=trigger))
            if queued:
                mailer.wake()
            else:
                log.warning("no address to ask %s for a rating by email", conversation_id)
        return request

    async def rate(self, *, conversation_id: str, score: Any, comment: Any = None) -> Rating:
        """Store the customer's rating (the caller authenticated them for this conversation);
        raises ratings.RatingRefused with a code the channel answers with."""
        rating = await self.db(ratings.create, conversation_id=conversation_id, score=score,
                               comment=comment)
        # The console shows it on the conversation it watches.
        await self.sio.emit("rating", {"conversation_id": conversation_id, "score": rating.score,
                                       "comment": rating.comment},
                            room=room(conversation_id), namespace=REPS)
        return rating
