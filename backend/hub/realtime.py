"""The Socket.IO channel: Rasa's socketio protocol for customers (namespace "/") and live
consoles for reps ("/rep"), one room per conversation. See docs/hub-protocol.md."""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Callable
from functools import partial
from typing import Any

import socketio

from backend.core.config import Settings
from backend.crud.ratings import RatingRefused
from backend.hub import events
from backend.hub.conversations import text_for
from backend.hub.limits import Limits
from backend.hub.service import Hub
from backend.models.conversations import ConversationStatus

log = logging.getLogger("waterdesk.realtime")
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,190}\.[A-Za-z]{2,}$")
MAX_TEXT = 5_000

# What a refused customer reads, in the conversation's language.
SAY = {
    "rate_limited": {
        "en": "You're sending messages faster than we can read them. Please wait a few seconds "
              "and send that one again.",
        "es": "Está enviando mensajes más rápido de lo que podemos leerlos. Espere unos segundos "
              "y vuelva a enviar ese mensaje."},
    "too_many_sessions": {
        "en": "Too many new conversations from your network. Please try again in a minute.",
        "es": "Demasiadas conversaciones nuevas desde su red. Inténtelo de nuevo en un minuto."},
    "bad_text": {
        "en": "That message has characters we can't read. Please type it again.",
        "es": "Ese mensaje tiene caracteres que no podemos leer. Escríbalo de nuevo."},
    "closed": {"en": "This conversation is closed", "es": "Esta conversación está cerrada"},
    "bad_email": {"en": "That doesn't look like an email address",
                  "es": "Eso no parece una dirección de correo electrónico"},
    "email_taken": {
        "en": "You already left us another email address in this conversation.",
        "es": "Ya nos dejó otra dirección de correo en esta conversación."},
    "transcript_address": {
        "en": "We can email the transcript only to the email address on your account or the "
              "one you left us. You can download it instead.",
        "es": "Solo podemos enviar la transcripción al correo de su cuenta o al que nos dejó. "
              "Puede descargarla."},
    "transcript_limit": {
        "en": "This transcript has been emailed as often as we allow for now. You can download "
              "it instead.",
        "es": "Esta transcripción ya se envió tantas veces como permitimos por ahora. Puede "
              "descargarla."},
    "unavailable": {"en": "Email isn't available right now",
                    "es": "El correo no está disponible en este momento"},
    "server_error": {"en": "Something went wrong on our side. Please try again.",
                     "es": "Algo falló de nuestro lado. Inténtelo de nuevo."},
    # A rating (hub/voice.py, crud/ratings.py).
    "bad_score": {"en": "Please choose a rating from 1 to 5.",
                  "es": "Elija una calificación del 1 al 5."},
    "already_rated": {"en": "You've already rated this conversation. Thank you!",
                      "es": "Ya calificó esta conversación. ¡Gracias!"},
    "not_requested": {"en": "This conversation can't be rated yet.",
                      "es": "Esta conversación todavía no se puede calificar."},
}


# --- origins -------------------------------------------------------------------------------

def _same_origin(origin: str | None, environ: dict[str, Any]) -> bool:
    """The page is served by this backend. The scheme is the ASGI scope's (uvicorn's trusted
    proxy headers set it), not engineio's, which believes any X-Forwarded-Host."""
    scope = environ.get("asgi.scope") or {}
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme"), scope.get("scheme"))
    host = environ.get("HTTP_HOST")
    return bool(origin and host) and origin.lower() == f"{scheme or 'http'}://{host}".lower()


def _allowed_origin(listed: frozenset[str], origin: str | None, environ: dict[str, Any]) -> bool:
    return bool(origin) and (origin.lower() in listed or _same_origin(origin, environ))


def cors_origins(setting: str) -> str | Callable[..., bool]:
    """WIDGET_ORIGINS as python-socketio's cors_allowed_origins: the backend's own origin plus
    the listed ones (the console and the demo site are served here), or "*" for any. Only an
    allowed Origin is ever echoed back; others are refused at the handshake."""
    listed = {o.strip().rstrip("/").lower() for o in setting.split(",") if o.strip()}
    return "*" if "*" in listed else partial(_allowed_origin, frozenset(listed))


def make_server(settings: Settings) -> socketio.AsyncServer:
    # With Redis, an emit from any backend process reaches clients connected to any other.
    manager = (socketio.AsyncRedisManager(settings.REDIS_URL,
                                          channel=settings.SOCKETIO_CHANNEL)
               if settings.REDIS_URL else None)
    # No credentials: the widget and console use no cookies, so no site may ride on them.
    return socketio.AsyncServer(
        async_mode="asgi", client_manager=manager,
        cors_allowed_origins=cors_origins(settings.WIDGET_ORIGINS), cors_credentials=False,
        max_http_buffer_size=64 * 1024, ping_interval=20, ping_timeout=20)


# --- input -----------------------------------------------------------------------------------

def readable(text: str, *, one_line: bool = False) -> bool:
    """Text we can store and show: no lone surrogates or NULs (and no controls on one line)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text and (not one_line or text.isprintable())


def _client_ip(environ: dict[str, Any]) -> str | None:
    """The client's address as uvicorn saw it (X-Forwarded-For applied when the proxy is
    trusted), or None on loopback: the machine itself (tests, benchmarks) has no per-address
    limits. engineio's REMOTE_ADDR is always 127.0.0.1 under ASGI, so it is no use here."""
    client = (environ.get("asgi.scope") or {}).get("client")
    if not client:
        return None
    try:
        return None if ipaddress.ip_address(client[0]).is_loopback else str(client[0])
    except ValueError:
        return str(client[0])


class GuardedNamespace(socketio.AsyncNamespace):
    """Every event gets an answer: extra arguments and unexpected failures become an `error`
    event and an error ack instead of silence."""

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        sid = args[0]
        if len(args) > 2:  # every handler takes (sid, data)
            return await self.refuse(sid, "bad_request", detail=f"{event} takes one argument")
        try:
            return await super().trigger_event(event, *args)
        except Exception:
            log.exception("%s on %s failed", event, self.namespace)
            return await self.refuse(sid, "server_error")

    async def refuse(self, sid: str, code: str, *, language: str = "en", say: str | None = None,
                     detail: str | None = None, **extra: Any) -> dict[str, Any]:
        """Tell the client why (an `error` event) and return the same as the ack."""
        message = detail or text_for(SAY[say or code], language)
        await self.emit("error", {"code": code, "message": message, **extra}, to=sid)
        return {"ok": False, "error": code, "message": message, **extra}


class CustomerNamespace(GuardedNamespace):
    def __init__(self, hub: Hub) -> None:
        super().__init__(events.CUSTOMERS)
        self.hub = hub
        self.limits = Limits()

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        await self.save_session(sid, {"ip": _client_ip(environ)})

    async def _session(self, sid: str) -> dict[str, Any]:
        try:
            return await self.get_session(sid)
        except KeyError:
            return {}

    async def on_session_request(self, sid: str, data: Any = None) -> dict[str, Any] | None:
        data = data if isinstance(data, dict) else {}
        session = await self._session(sid)
        wanted = data.get("session_id")
        conversation, secret = None, None
        # A leak alert's signed link always starts a new conversation: it never resumes, and so
        # never reveals, one the browser had. Only the hub's check of its signature counts.
        link = data.get("chat_link")
        from_link = link not in (None, "")
        link = link if isinstance(link, str) and readable(link, one_line=True) else ""
        if isinstance(wanted, str) and SESSION_ID.match(wanted) and not from_link:
            # The id alone is not enough: the conversation may hold verified account data.
            conversation = await self.hub.resume(conversation_id=wanted,
                                                 secret=data.get("session_secret"))
        if conversation is None:
            language = data.get("language") if data.get("language") in ("en", "es") else "en"
            wait = self.limits.admit((self.limits.sessions_per_ip, session.get("ip")))
            if wait:
                return await self.refuse(sid, "rate_limited", language=language,
                                         say="too_many_sessions", retry_after=wait)
            conversation, secret = await self.hub.open_session(
                language=language, chat_link=link if from_link else None)
        if session.get("conversation_id") not in (None, conversation.id):
            await self.leave_room(sid, events.room(session["conversation_id"]))
        await self.save_session(sid, {**session, "conversation_id": conversation.id,
                                      "language": conversation.language})
        await self.enter_room(sid, events.room(conversation.id))
        # Rasa sends the bare id; rasa-webchat and our widget both accept it.
        await self.emit("session_confirm", conversation.id, to=sid)
        try:
            await self._catch_up(sid, conversation, secret=secret,
                                 last_seq=data.get("last_seq") if conversation.id == wanted else None)
            if from_link and secret:
                await self.hub.greet_from_link(conversation)
        except Exception:
            # In the room but not caught up (the database went away mid-resume): later messages
            # would arrive live and move the client's last_seq past the ones it missed. Drop the
            # socket instead, so the client resumes again from where it really is.
            log.warning("resume of %s failed before its replay; dropping the socket", sid,
                        exc_info=True)
            await self.disconnect(sid)
        return None

    async def _catch_up(self, sid: str, conversation: Any, *, secret: str | None,
                        last_seq: Any) -> None:
        state = await self.hub.session_state(conversation)
        if secret:  # only to the socket that opened the conversation, once
            state["session_secret"] = secret
        missed = []
        if isinstance(last_seq, int) and not isinstance(last_seq, bool):
            missed = await self.hub.history(conversation_id=conversation.id,
                                            after_seq=max(0, last_seq))
        names = await self.hub.rep_names() if any(m.rep_id for m in missed) else {}
        await self.emit("session_state", state, to=sid)
        for message in missed:
            if message.sender == "customer":
                await self.emit("customer_uttered", events.customer_uttered(message), to=sid)
            else:
                await self.emit("bot_uttered",
                                events.bot_uttered(message, names.get(message.rep_id or -1)),
                                to=sid)

    async def on_user_uttered(self, sid: str, data: Any = None) -> dict[str, Any]:
        session = await self._session(sid)
        conversation_id, language = session.get("conversation_id"), session.get("language", "en")
        if conversation_id is None:
            return await self.refuse(sid, "unknown_session", detail="Send session_request first")
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return await self.refuse(sid, "bad_request",
                                     detail="user_uttered needs {message: text}")
        client_id = data.get("client_id")
        client_id = client_id[:64] if isinstance(client_id, str) and client_id else None
        ids = {"client_id": client_id} if client_id else {}
        text = data["message"].strip()
        if not readable(text) or not (client_id is None or readable(client_id, one_line=True)):
            return await self.refuse(sid, "bad_request", language=language, say="bad_text",
                                     **ids)
        if not text or len(text) > MAX_TEXT:
            return await self.refuse(sid, "bad_request", **ids,
                                     detail=f"A message must have 1 to {MAX_TEXT} characters")
        # Refused before it is stored, so nothing is lost: the widget's outbox sends it again.
        wait = self.limits.admit((self.limits.chat_per_conversation, conversation_id),
                                 (self.limits.chat_per_ip, session.get("ip")))
        if wait:
            return await self.refuse(sid, "rate_limited", language=language, retry_after=wait,
                                     **ids)
        conversation = await self.hub.get(conversation_id)
        if conversation is None or conversation.status == ConversationStatus.closed:
            return await self.refuse(sid, "closed", language=language, **ids)
        custom = data.get("customData") if isinstance(data.get("customData"), dict) else {}
        metadata = {"language": custom["language"]} if custom.get("language") in ("en", "es") \
            else {}
        if metadata:
            await self.save_session(sid, {**session, "language": metadata["language"]})
        result = await self.hub.customer_message(conversation_id=conversation_id, text=text,
                                                 client_id=client_id, metadata=metadata)
        return {"ok": True, "seq": result.message.seq, "status": result.status}

    async def on_typing(self, sid: str, data: Any = None) -> None:
        conversation_id = (await self._session(sid)).get("conversation_id")
        if conversation_id and isinstance(data, dict):
            await self.emit("typing", {"conversation_id": conversation_id, "sender": "customer",
                                       "typing": bool(data.get("typing"))},
                            room=events.room(conversation_id), namespace=events.REPS)

    async def _email_request(self, sid: str, data: Any) -> tuple[dict[str, Any], str | None]:
        """The socket's session and the address of a leave_email or email_transcript, or None
        and the error ack (already sent as an `error` event)."""
        session = await self._session(sid)
        email = data.get("email", "") if isinstance(data, dict) else ""
        email = email.strip() if isinstance(email, str) else ""
        if session.get("conversation_id") is None:
            return await self.refuse(sid, "unknown_session",
                                     detail="Send session_request first"), None
        if not (readable(email, one_line=True) and EMAIL.match(email)):
            return await self.refuse(sid, "bad_email",
                                     language=session.get("language", "en")), None
        return session, email

    async def on_leave_email(self, sid: str, data: Any = None) -> dict[str, Any]:
        session, email = await self._email_request(sid, data)
        if email is None:
            return session
        if not await self.hub.leave_email(conversation_id=session["conversation_id"],
                                          email=email):
            return await self.refuse(sid, "email_taken", language=session.get("language", "en"))
        return {"ok": True}

    async def on_email_transcript(self, sid: str, data: Any = None) -> dict[str, Any]:
        session, email = await self._email_request(sid, data)
        if email is None:
            return session
        language = session.get("language", "en")
        wait = self.limits.admit((self.limits.transcripts_per_ip, session.get("ip")))
        if wait:
            return await self.refuse(sid, "transcript_limit", language=language,
                                     retry_after=wait)
        refusal = await self.hub.email_transcript(conversation_id=session["conversation_id"],
                                                  email=email)
        if refusal:
            return await self.refuse(sid, refusal, language=language)
        return {"ok": True}

    async def on_rate(self, sid: str, data: Any = None) -> dict[str, Any]:
        """{score: 1..5, comment?}: the rating of this socket's own conversation (joined with
        its secret), never of a conversation the client names."""
        session = await self._session(sid)
        conversation_id, language = session.get("conversation_id"), session.get("language", "en")
        if conversation_id is None:
            return await self.refuse(sid, "unknown_session", detail="Send session_request first")
        data = data if isinstance(data, dict) else {}
        comment = data.get("comment")
        if comment is not None and not (isinstance(comment, str) and readable(comment)
                                        and len(comment) <= MAX_TEXT):
            return await self.refuse(sid, "bad_request", language=language, say="bad_text")
        try:
            await self.hub.rate(conversation_id=conversation_id, score=data.get("score"),
                                comment=comment)
        except RatingRefused as exc:
            return await self.refuse(sid, exc.code, language=language)
        return {"ok": True}


class RepNamespace(GuardedNamespace):
    def __init__(self, hub: Hub) -> None:
        super().__init__(events.REPS)
        self.hub = hub

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        # Only the auth payload: a token in the URL ends up in logs and browser history.
        token = auth.get("token") if isinstance(auth, dict) else None
        rep = await self.hub.rep_from_token(token) \
            if isinstance(token, str) and readable(token, one_line=True) else None
        if rep is None:
            raise socketio.exceptions.ConnectionRefusedError(
                {"code": "unauthorized", "message": "Sign in again: the token is missing or "
                                                    "expired"})
        await self.save_session(sid, {"rep_id": rep.id, "name": rep.name})
        await self.enter_room(sid, "reps")
        entries, stats = await self.hub.queue_entries()
        await self.emit("queue", {"entries": entries, "stats": stats}, to=sid)

    @staticmethod
    def _conversation_id(data: Any) -> str | None:
        wanted = data.get("conversation_id") if isinstance(data, dict) else None
        return wanted if isinstance(wanted, str) and SESSION_ID.match(wanted) else None

    async def on_watch(self, sid: str, data: Any = None) -> dict[str, Any]:
        conversation_id = self._conversation_id(data)
        if conversation_id is None:
            return await self.refuse(sid, "bad_request", detail="watch needs {conversation_id}")
        if await self.hub.get(conversation_id) is None:
            return await self.refuse(sid, "not_found", detail="No such conversation")
        await self.enter_room(sid, events.room(conversation_id))
        messages = await self.hub.history(conversation_id=conversation_id, after_seq=0,
                                          include_internal=True)
        return {"ok": True, "messages": [events.rep_message(m) for m in messages]}

    async def on_unwatch(self, sid: str, data: Any = None) -> None:
        conversation_id = self._conversation_id(data)
        if conversation_id:
            await self.leave_room(sid, events.room(conversation_id))

    async def on_typing(self, sid: str, data: Any = None) -> None:
        conversation_id = self._conversation_id(data)
        if conversation_id is None:
            return
        session = await self.get_session(sid)
        await self.emit("typing", {"sender": "rep", "typing": bool(data.get("typing")),
                                   "name": session.get("name")},
                        room=events.room(conversation_id), namespace="/")


def register(sio: socketio.AsyncServer, hub: Hub) -> None:
    sio.register_namespace(CustomerNamespace(hub))
    sio.register_namespace(RepNamespace(hub))
