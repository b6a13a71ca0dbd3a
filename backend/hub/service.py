"""The hub: carries each message between a channel, the bot and the reps, storing it first.

Database work runs on worker threads (sync SQLModel sessions); the bot call and Socket.IO
emits run on the event loop. Every emit goes through the Socket.IO manager, so with Redis a
client connected to another backend process gets it too."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import socketio
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from backend.core.config import Settings
from backend.core.db import run_in_session
from backend.core.links import decode_chat_link
from backend.core.security import ChannelFacts, create_channel_token
from backend.crud.audit import Actor
from backend.domain.district import District
from backend.hub import conversations as data
from backend.hub import events
from backend.hub import links as chat_links
from backend.hub.events import CUSTOMERS, REPS, room
from backend.hub import queue as rules
from backend.hub.bridge import BotUnavailable, RasaBridge
from backend.hub.channels import CustomerMail, Mailer
from backend.hub.desk import RepDesk
from backend.hub.voice import CustomerVoice
from backend.models.common import utcnow
from backend.models.conversations import Conversation, ConversationStatus, Message, Sender
from backend.models.reps import Rep
from common.cards import mask_cards
from common.language import detect_language
from common.signals import split_signals

T = TypeVar("T")
@dataclass
class CustomerResult:
    message: Message
    created: bool
    status: ConversationStatus
    replies: list[Message] = field(default_factory=list)


def _emotion(handoff: dict[str, Any]) -> str | None:
    readings = handoff.get("emotions") or []
    last = readings[-1] if readings else None
    return last.get("label") if isinstance(last, dict) else None


class Hub(RepDesk, CustomerMail, CustomerVoice):
    """The hub's core: customers' messages, the bot, the queue. What reps do is in desk.py, the
    email features (through a registered Mailer, never an import) in channels.py."""

    def __init__(self, *, engine: Engine, bridge: RasaBridge, sio: socketio.AsyncServer,
                 district: District, settings: Settings) -> None:
        self.engine, self.bridge, self.sio = engine, bridge, sio
        self.district, self.settings = district, settings
        self.mailer: Mailer | None = None  # the email channel, when it runs
        # One bot call at a time per conversation, so replies keep the customer's order.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Transcript limits are checked and the mail queued under one lock: no race past them.
        self._transcripts = asyncio.Lock()

    async def db(self, fn: Callable[..., T], /, **kw: Any) -> T:
        return await run_in_session(self.engine, fn, **kw)

    async def get(self, conversation_id: str) -> Conversation | None:
        return await self.db(lambda session: session.get(Conversation, conversation_id))

    async def open_conversation(self, *, channel: str, language: str = "en") -> Conversation:
        return await self.db(data.start, channel=channel[:20],
                             language="es" if language.startswith("es") else "en")

    async def open_session(self, *, language: str,
                           chat_link: str | None = None) -> tuple[Conversation, str]:
        """A new web conversation and its reconnect secret (only a hash of it is stored).
        chat_link: a leak alert's signed link token; a valid one binds the conversation to its
        account (backend/hub/links.py), anything else opens it as usual."""
        secret, digest = data.new_secret()
        conversation = await self.db(data.start, channel="web", secret_hash=digest,
                                     language="es" if language.startswith("es") else "en")
        link = decode_chat_link(settings=self.settings, token=chat_link) \
            if chat_link and len(chat_link) <= chat_links.MAX_TOKEN else None
        if link is not None:
            conversation = await self.db(chat_links.bind, conversation_id=conversation.id,
                                         link=link) or conversation
        return conversation, secret

    async def greet_from_link(self, conversation: Conversation) -> Message:
        """The first words of a conversation a chat link opened: the account it is for (its
        last 4 digits) and what to ask, or, for a link that didn't bind, that it expired."""
        account = chat_links.link_account(conversation)
        if account is None:
            return await self._say(conversation, Sender.system,
                                   data.text_for(chat_links.EXPIRED, conversation.language))
        return await self._say(conversation, Sender.bot, data.text_for(
            chat_links.GREETING, conversation.language, last4=account[-4:]))

    async def resume(self, *, conversation_id: str, secret: object) -> Conversation | None:
        """The conversation, only for the holder of its reconnect secret."""
        conversation = await self.get(conversation_id)
        return conversation if conversation and data.secret_matches(conversation, secret) else None

    # --- customers -------------------------------------------------------------------------

    async def customer_message(self, *, conversation_id: str, text: str,
                               client_id: str | None = None,
                               metadata: dict[str, Any] | None = None,
                               sender_email: str | None = None,
                               bot_turns: list[str] | None = None) -> CustomerResult:
        """sender_email: an address the channel authenticated (email with SPF/DKIM); the bot
        gets it only inside the signed channel token, never as a plain claim.
        bot_turns: what the bot is sent instead of `text`, one turn each, until one hands off
        (an email's requests, read by the channel); `text` is what is stored and shown."""
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        async with lock:
            return await self._customer_message(conversation_id, text, client_id, metadata or {},
                                                sender_email, bot_turns or [])

    async def parse(self, *, conversation_id: str, text: str) -> dict[str, Any]:
        """The bot's reading of a text (intent, entities), without a turn in the conversation."""
        return await self.bridge.parse(conversation_id=conversation_id, text=mask_cards(text))

    async def last_said_to_customer(self, *, conversation_id: str) -> Message | None:
        return await self.db(data.last_said_to_customer, conversation_id=conversation_id)

    async def _customer_message(self, conversation_id: str, text: str, client_id: str | None,
                                metadata: dict[str, Any], sender_email: str | None,
                                bot_turns: list[str]) -> CustomerResult:
        masked = mask_cards(text)

        def accept(session: Session) -> tuple[Message, bool, bool, Conversation]:
            # One trip to a worker thread for both: this is every message's hot path.
            message, created = data.store(session=session, conversation_id=conversation_id,
                                          sender=Sender.customer, text=masked,
                                          client_id=client_id)
            # A resend nothing followed was never answered (the backend died mid-way): answer it.
            unanswered = created or data.last_seq(
                session=session, conversation_id=conversation_id) == message.seq
            return message, created, unanswered, data.load(session, conversation_id)

        message, created, unanswered, conversation = await self.db(accept)
        result = CustomerResult(message=message, created=created, status=conversation.status)
        await self._publish_customer(message)
        if not unanswered or conversation.status != ConversationStatus.bot:
            return result  # a resend answered already, or a person holds it (or it's queued)
        facts = ChannelFacts(conversation_id=conversation.id, channel=conversation.channel,
                             email=sender_email,
                             link_account=chat_links.link_account(conversation))
        meta = {"language": metadata.get("language") or conversation.language,
                "channel_token": create_channel_token(settings=self.settings, facts=facts)}
        await self.sio.emit("typing", {"sender": "bot", "typing": True},
                            room=room(conversation_id), namespace=CUSTOMERS)
        try:
            replies = []
            for turn in [mask_cards(t) for t in bot_turns] or [masked]:
                replies += await self.bridge.send(conversation_id=conversation.id, text=turn,
                                                  metadata=meta)
                if any(data.is_handoff(r) for r in replies):
                    break  # a person takes it from here, the rest of the email included
        except BotUnavailable as exc:
            note = await self._say(conversation, Sender.system,
                                   data.text_for(data.UNAVAILABLE, conversation.language))
            result.replies.append(note)
            conversation = await self.db(
                data.enqueue, conversation_id=conversation.id, priority="complex",
                reason=f"The bot was unavailable ({exc})",
                handoff={"reason_code": "system_unavailable", "language": conversation.language})
            result.replies += await self._announce_queued(conversation)
            result.status = conversation.status
            return result
        finally:
            await self.sio.emit("typing", {"sender": "bot", "typing": False},
                                room=room(conversation_id), namespace=CUSTOMERS)
        # The bot's control messages are read here and never stored or shown as replies.
        replies, signals = split_signals(replies)
        # All of the bot's replies stored in one trip to a worker thread, then sent in order.
        stored, conversation, handed_off = await self.db(
            data.store_bot_replies, conversation_id=conversation.id, replies=replies,
            customer_message_id=message.id, intent=signals.intent)
        for reply_message in stored:
            await self._emit(reply_message)
        result.replies += stored
        if handed_off:
            result.replies += await self._announce_queued(conversation)
        elif signals.tasks_done:  # asked apart from the replies: the email's answer is theirs
            # In the language the bot just answered in: the conversation's may not have caught
            # up with a customer who switched.
            said = detect_language(" ".join(m.text for m in stored))
            await self.ask_rating(conversation_id=conversation.id, trigger="bot_task",
                                  language=said)
        result.status = conversation.status
        return result

    async def _say(self, conversation: Conversation, sender: Sender, text: str, *,
                   payload: dict[str, Any] | None = None, rep: Rep | None = None,
                   internal: bool = False, actor: Actor | None = None) -> Message:
        message, _ = await self.db(data.store, conversation_id=conversation.id, sender=sender,
                                   text=text, payload=payload, rep_id=rep.id if rep else None,
                                   internal=internal, actor=actor)
        await self._emit(message, rep.name if rep else None)
        return message

    async def _emit(self, message: Message, rep_name: str | None = None) -> None:
        if not message.internal:
            await self.sio.emit("bot_uttered", events.bot_uttered(message, rep_name),
                                room=room(message.conversation_id), namespace=CUSTOMERS)
        await self.sio.emit("message", events.rep_message(message),
                            room=room(message.conversation_id), namespace=REPS)

    async def _publish_customer(self, message: Message) -> None:
        await self.sio.emit("message_ack", {"client_id": message.client_id, "seq": message.seq},
                            room=room(message.conversation_id), namespace=CUSTOMERS)
        await self.sio.emit("customer_uttered", events.customer_uttered(message),
                            room=room(message.conversation_id), namespace=CUSTOMERS)
        await self.sio.emit("message", events.rep_message(message),
                            room=room(message.conversation_id), namespace=REPS)

    async def leave_email(self, *, conversation_id: str, email: str) -> bool:
        """False when the conversation already has another follow-up address."""
        if not await self.db(data.leave_email, conversation_id=conversation_id, email=email):
            return False
        await self.queue_changed()
        return True

    # --- the queue ---------------------------------------------------------------------------

    async def availability(self) -> rules.Availability:
        from backend.crud.reps import on_shift

        reps = await self.db(on_shift)
        return rules.availability(district=self.district, now=utcnow(), reps_on_shift=len(reps))

    async def handoff_state(self, conversation: Conversation) -> dict[str, Any]:
        avail = await self.availability()
        position = None
        if conversation.status == ConversationStatus.queued:
            ordered = rules.order([c for c in await self.db(data.waiting)
                                   if c.status == ConversationStatus.queued])
            position = next((i + 1 for i, c in enumerate(ordered) if c.id == conversation.id),
                            None)
        name = await self.db(data.rep_name, rep_id=conversation.assigned_rep_id)
        return rules.handoff_state(status=conversation.status, position=position, avail=avail,
                                   handle_minutes=self.settings.AVERAGE_HANDLE_MINUTES,
                                   rep_name=name)

    async def _announce_queued(self, conversation: Conversation) -> list[Message]:
        states, avail = await self.queue_changed()
        state = states.get(conversation.id)
        if state is None:  # a rep claimed it in the meantime
            return []
        notice = rules.queue_notice(state=state, avail=avail, language=conversation.language)
        return [await self._say(conversation, Sender.system, notice)] if notice else []

    async def queue_entries(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        from backend.crud.reps import on_shift

        def load(session: Session) -> tuple[list[Conversation], list[Rep], dict[int, str]]:
            reps = on_shift(session=session)
            convs = data.waiting(session=session)
            names = {r.id: r.name for r in session.exec(select(Rep)).all() if r.id is not None}
            return convs, reps, names

        convs, reps, names = await self.db(load)
        now = utcnow()
        entries = []
        for c in rules.order(convs):
            since = c.queued_at or c.created_at
            entries.append({
                "id": c.id, "channel": c.channel, "status": c.status,
                "priority": c.handoff_priority or "request", "reason": c.handoff_reason,
                "age_seconds": int((now - since).total_seconds()), "language": c.language,
                "emotion": _emotion(c.handoff or {}), "summary": (c.handoff or {}).get("summary"),
                "skills": c.skills or [], "verified_account": c.verified_account,
                "assigned_rep_id": c.assigned_rep_id,
                "assigned_rep_name": names.get(c.assigned_rep_id or -1),
                "followup_email": c.followup_email,
                "eligible_rep_ids": [r.id for r in reps
                                     if rules.eligible(entry=c, rep=r, reps_on_shift=reps)],
            })
        waits = [e["age_seconds"] for e in entries if e["status"] == "queued"]
        stats = {
            "depth": len(waits),
            "by_priority": {p: sum(1 for e in entries if e["status"] == "queued"
                                   and e["priority"] == p) for p in rules.PRIORITIES},
            "assigned": sum(1 for e in entries if e["status"] == "assigned"),
            "longest_wait_seconds": max(waits, default=0),
            "average_wait_seconds": int(sum(waits) / len(waits)) if waits else 0,
            "reps_on_shift": [{"id": r.id, "name": r.name, "skills": r.skills} for r in reps],
        }
        return entries, stats

    async def queue_changed(self) -> tuple[dict[str, dict[str, Any]], rules.Availability]:
        """Tell every console the new queue, and every waiting customer their new place.
        Returns the handoff state each waiting conversation was sent, and the availability."""
        entries, stats = await self.queue_entries()
        await self.sio.emit("queue", {"entries": entries, "stats": stats}, room="reps",
                            namespace=REPS)
        avail = rules.availability(district=self.district, now=utcnow(),
                                   reps_on_shift=len(stats["reps_on_shift"]))
        states = {}
        waiting = [e["id"] for e in entries if e["status"] == "queued"]
        for position, conversation_id in enumerate(waiting, start=1):
            states[conversation_id] = rules.handoff_state(
                status="queued", position=position, avail=avail,
                handle_minutes=self.settings.AVERAGE_HANDLE_MINUTES)
            await self.sio.emit("handoff", states[conversation_id], room=room(conversation_id),
                                namespace=CUSTOMERS)
        return states, avail

    async def _status_changed(self, conversation: Conversation, notice: dict[str, str] | None,
                              rep_name: str | None = None) -> None:
        if notice:
            await self._say(conversation, Sender.system,
                            data.text_for(notice, conversation.language, name=rep_name or ""))
        states, _ = await self.queue_changed()
        if conversation.id not in states:  # a waiting customer has just been told their place
            state = await self.handoff_state(conversation)
            await self.sio.emit("handoff", state, room=room(conversation.id),
                                namespace=CUSTOMERS)
        await self.sio.emit("conversation", {
            "id": conversation.id, "status": conversation.status,
            "assigned_rep_id": conversation.assigned_rep_id, "assigned_rep_name": rep_name,
        }, room=room(conversation.id), namespace=REPS)

    async def session_state(self, conversation: Conversation) -> dict[str, Any]:
        last = await self.db(data.last_seq, conversation_id=conversation.id)
        return {"session_id": conversation.id, "status": conversation.status,
                "language": conversation.language, "last_seq": last,
                "handoff": await self.handoff_state(conversation)}

    async def history(self, *, conversation_id: str, after_seq: int,
                      include_internal: bool = False) -> list[Message]:
        return await self.db(data.transcript, conversation_id=conversation_id,
                             after_seq=after_seq, include_internal=include_internal)
