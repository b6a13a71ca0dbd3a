"""The Socket.IO channel: Rasa's socketio protocol for customers (namespace "/") and live
consoles for reps ("/rep"), one room per conversation. See docs/hub-protocol.md."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qs

import socketio

from backend.core.config import Settings
from backend.hub.service import Hub, customer_event, customer_said_event, rep_event
from backend.models.conversations import ConversationStatus

log = logging.getLogger("waterdesk.realtime")
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,190}\.[A-Za-z]{2,}$")
MAX_TEXT = 5_000


def make_server(settings: Settings) -> socketio.AsyncServer:
    # With Redis, an emit from any backend process reaches clients connected to any other.
    manager = (socketio.AsyncRedisManager(settings.REDIS_URL,
                                          channel=settings.SOCKETIO_CHANNEL)
               if settings.REDIS_URL else None)
    return socketio.AsyncServer(
        async_mode="asgi", client_manager=manager,
        cors_allowed_origins="*" if settings.WIDGET_ORIGINS.strip() == "*"
        else [o.strip() for o in settings.WIDGET_ORIGINS.split(",") if o.strip()],
        max_http_buffer_size=64 * 1024, ping_interval=20, ping_timeout=20)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": code, "message": message}


class CustomerNamespace(socketio.AsyncNamespace):
    def __init__(self, hub: Hub) -> None:
        super().__init__("/")
        self.hub = hub

    async def _conversation_id(self, sid: str) -> str | None:
        try:
            return (await self.get_session(sid)).get("conversation_id")
        except KeyError:
            return None

    async def on_session_request(self, sid: str, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        wanted = data.get("session_id")
        conversation = None
        if isinstance(wanted, str) and SESSION_ID.match(wanted):
            conversation = await self.hub.get(wanted)
        if conversation is None:
            language = data.get("language") if data.get("language") in ("en", "es") else "en"
            conversation = await self.hub.open_conversation(channel="web", language=language)
        await self.save_session(sid, {"conversation_id": conversation.id})
        await self.enter_room(sid, f"conv:{conversation.id}")
        # Rasa sends the bare id; rasa-webchat and our widget both accept it.
        await self.emit("session_confirm", conversation.id, to=sid)
        await self.emit("session_state", await self.hub.session_state(conversation), to=sid)
        last_seq = data.get("last_seq")
        if isinstance(last_seq, int) and conversation.id == wanted:
            missed = await self.hub.history(conversation_id=conversation.id,
                                            after_seq=max(0, last_seq))
            names = await self.hub.rep_names() if any(m.rep_id for m in missed) else {}
            for message in missed:
                if message.sender == "customer":
                    await self.emit("customer_uttered", customer_said_event(message), to=sid)
                else:
                    await self.emit("bot_uttered",
                                    customer_event(message, names.get(message.rep_id or -1)),
                                    to=sid)

    async def on_user_uttered(self, sid: str, data: Any = None) -> dict[str, Any]:
        conversation_id = await self._conversation_id(sid)
        if conversation_id is None:
            await self.emit("error", {"code": "unknown_session",
                                      "message": "Send session_request first"}, to=sid)
            return _error("unknown_session", "Send session_request first")
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            await self.emit("error", {"code": "bad_request",
                                      "message": "user_uttered needs {message: text}"}, to=sid)
            return _error("bad_request", "user_uttered needs {message: text}")
        text = data["message"].strip()
        if not text or len(text) > MAX_TEXT:
            message = f"A message must have 1 to {MAX_TEXT} characters"
            await self.emit("error", {"code": "bad_request", "message": message}, to=sid)
            return _error("bad_request", message)
        conversation = await self.hub.get(conversation_id)
        if conversation is None or conversation.status == ConversationStatus.closed:
            await self.emit("error", {"code": "closed",
                                      "message": "This conversation is closed"}, to=sid)
            return _error("closed", "This conversation is closed")
        client_id = data.get("client_id")
        client_id = client_id[:64] if isinstance(client_id, str) and client_id else None
        custom = data.get("customData") if isinstance(data.get("customData"), dict) else {}
        metadata = {"language": custom["language"]} if custom.get("language") in ("en", "es") \
            else {}
        result = await self.hub.customer_message(conversation_id=conversation_id, text=text,
                                                 client_id=client_id, metadata=metadata)
        return {"ok": True, "seq": result.message.seq, "status": result.status}

    async def on_typing(self, sid: str, data: Any = None) -> None:
        conversation_id = await self._conversation_id(sid)
        if conversation_id and isinstance(data, dict):
            await self.emit("typing", {"conversation_id": conversation_id, "sender": "customer",
                                       "typing": bool(data.get("typing"))},
                            room=f"conv:{conversation_id}", namespace="/rep")

    async def _email_request(self, sid: str, data: Any) -> tuple[str | None, dict[str, Any]]:
        """The conversation and address of a leave_email or email_transcript, or the error."""
        conversation_id = await self._conversation_id(sid)
        email = data.get("email", "") if isinstance(data, dict) else ""
        email = email.strip() if isinstance(email, str) else ""
        if conversation_id is None:
            return None, _error("unknown_session", "Send session_request first")
        if not EMAIL.match(email):
            return None, _error("bad_email", "That doesn't look like an email address")
        return conversation_id, {"email": email}

    async def on_leave_email(self, sid: str, data: Any = None) -> dict[str, Any]:
        conversation_id, got = await self._email_request(sid, data)
        if conversation_id is None:
            return got
        await self.hub.leave_email(conversation_id=conversation_id, email=got["email"])
        return {"ok": True}

    async def on_email_transcript(self, sid: str, data: Any = None) -> dict[str, Any]:
        conversation_id, got = await self._email_request(sid, data)
        if conversation_id is None:
            return got
        if not await self.hub.email_transcript(conversation_id=conversation_id,
                                               email=got["email"]):
            return _error("unavailable", "Email isn't available right now")
        return {"ok": True}


class RepNamespace(socketio.AsyncNamespace):
    def __init__(self, hub: Hub) -> None:
        super().__init__("/rep")
        self.hub = hub

    async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not token:  # clients that can't send auth may use ?token=
            token = (parse_qs(environ.get("QUERY_STRING", "")).get("token") or [None])[0]
        rep = await self.hub.rep_from_token(token) if token else None
        if rep is None:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": "unauthorized", "message": "Sign in again: the token is missing or "
                                                    "expired"})
        await self.save_session(sid, {"rep_id": rep.id, "name": rep.name})
        await self.enter_room(sid, "reps")
        entries, stats = await self.hub.queue_entries()
        await self.emit("queue", {"entries": entries, "stats": stats}, to=sid)

    async def on_watch(self, sid: str, data: Any = None) -> dict[str, Any]:
        conversation_id = data.get("conversation_id") if isinstance(data, dict) else None
        if not isinstance(conversation_id, str) or not SESSION_ID.match(conversation_id):
            return _error("bad_request", "watch needs {conversation_id}")
        if await self.hub.get(conversation_id) is None:
            return _error("not_found", "No such conversation")
        await self.enter_room(sid, f"conv:{conversation_id}")
        messages = await self.hub.history(conversation_id=conversation_id, after_seq=0,
                                          include_internal=True)
        return {"ok": True, "messages": [rep_event(m) for m in messages]}

    async def on_unwatch(self, sid: str, data: Any = None) -> None:
        conversation_id = data.get("conversation_id") if isinstance(data, dict) else None
        if isinstance(conversation_id, str):
            await self.leave_room(sid, f"conv:{conversation_id}")

    async def on_typing(self, sid: str, data: Any = None) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("conversation_id"), str):
            return
        session = await self.get_session(sid)
        await self.emit("typing", {"sender": "rep", "typing": bool(data.get("typing")),
                                   "name": session.get("name")},
                        room=f"conv:{data['conversation_id']}", namespace="/")


def register(sio: socketio.AsyncServer, hub: Hub) -> None:
    sio.register_namespace(CustomerNamespace(hub))
    sio.register_namespace(RepNamespace(hub))
