"""Idempotency-Key support for writes: a retried request gets the first response, not a second write.

IdempotencyMiddleware covers every write under /api/v1 without the routes opting in."""

import hashlib
import json
import re
import time
from datetime import timedelta
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.core.db import run_in_session
from backend.crud import idempotency as records
from common import clock

TAKEN = "waterdesk.idempotency"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
# Writes that are not Idempotency-Key routes, each because something else already dedupes it:
EXEMPT = (
    # The email webhook: an email is stored once by its Message-ID (backend/email/inbound.py).
    re.compile(r"^/email/inbound$"),
    # A customer message: the key is its client_id in the hub, which stores it once and answers
    # it again on a retry when nothing was said after it (a lost answer is said again).
    re.compile(r"^/conversations/[^/]+/messages$"),
    # Signing in writes nothing a retry could repeat, and its answer is a credential that must
    # not be kept at rest.
    re.compile(r"^/login/access-token$"),
)


class IdempotencyMiddleware:
    """Pure ASGI: a write with an Idempotency-Key runs once per key. The key is scoped by a hash
    of the caller's credentials + method + path; the body (and query) is hashed. A retry gets
    the stored status and body with `Idempotent-Replayed: true`; the same key with another body
    gets 422; a retry while the first is still running waits for it (409 if it takes too long).
    Only 2xx answers are kept: a failed write frees the key for another try."""

    def __init__(self, app: ASGIApp, *, prefix: str, wait_seconds: float = 15.0,
                 stale_after: timedelta = timedelta(minutes=5)) -> None:
        self.app = app
        self.prefix = prefix
        self.wait_seconds = wait_seconds
        self.stale_after = stale_after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        headers = Headers(scope=scope) if path else None
        key = headers.get("idempotency-key") if headers is not None else None
        if key is None or scope["method"] not in WRITES or not path.startswith(self.prefix + "/") \
                or any(p.match(path[len(self.prefix):]) for p in EXEMPT):
            await self.app(scope, receive, send)
            return
        assert headers is not None
        if not KEY.match(key):
            await _send_json(send, 422, {"detail": [{
                "loc": ["header", "idempotency-key"], "type": "value_error",
                "msg": "An Idempotency-Key is 1 to 200 printable ASCII characters, no spaces"}]})
            return
        body, disconnected = await _read_body(receive)
        if disconnected:
            return
        key_scope = _scope_of(scope, headers)
        request_hash = hashlib.sha256(
            scope.get("query_string", b"") + b"\n" + body).hexdigest()
        engine = scope["app"].state.engine
        deadline = time.monotonic() + self.wait_seconds
        while True:
            held = await run_in_session(engine, records.claim, key=key, scope=key_scope,
                                        request_hash=request_hash, now=clock.now(),
                                        stale_after=self.stale_after)
            if held is None:
                break
            if held.request_hash != request_hash:
                await _send_json(send, 422, {"detail": [{
                    "loc": ["header", "idempotency-key"], "type": "value_error",
                    "msg": "This Idempotency-Key was already used with a different request"}]})
                return
            if not held.in_flight:
                await _replay(send, held)
                return
            if time.monotonic() > deadline:
                await _send_json(send, 409, {"detail": "A request with this Idempotency-Key is "
                                             "still being processed; retry shortly"},
                                 extra=[(b"retry-after", b"1")])
                return
            await anyio.sleep(0.1)  # the first request with this key is still running
        await self._run(scope, receive, send, body=body, key=key, key_scope=key_scope,
                        engine=engine)

    async def _run(self, scope: Scope, receive: Receive, send: Send, *, body: bytes, key: str,
                   key_scope: str, engine: Any) -> None:
        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app({**scope, TAKEN: True}, replay_receive, capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await run_in_session(engine, records.release, key=key, scope=key_scope)
            raise
        assert start is not None
        content = b"".join(chunks)
        stored = _storable(start, content)
        # Kept before the client hears the answer, so a retry after it can only replay it.
        with anyio.CancelScope(shield=True):
            if stored is not None:
                await run_in_session(engine, records.finish, key=key, scope=key_scope,
                                     status_code=start["status"], response=stored)
            else:
                await run_in_session(engine, records.release, key=key, scope=key_scope)
        await send(start)
        await send({"type": "http.response.body", "body": content, "more_body": False})


def _scope_of(scope: Scope, headers: Headers) -> str:
    """Who + method + path. The caller is a hash of its credentials (never stored as such) and
    the actor it names, so one caller's key can't replay another caller's answer."""
    who = "\n".join(headers.get(h, "") for h in ("authorization", "x-actor", "x-actor-id"))
    digest = hashlib.sha256(who.encode("latin-1", "replace")).hexdigest()[:40]
    where = f"{scope['method']}:{scope['path']}"
    if len(where) > 250:
        where = f"{scope['method']}:#{hashlib.sha256(where.encode()).hexdigest()}"
    return f"{digest}:{where}"


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), False


def _storable(start: Message, content: bytes) -> dict[str, Any] | None:
    if not 200 <= start["status"] < 300:
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    ctype = next((v.decode("latin-1") for n, v in start.get("headers", [])
                  if n.lower() == b"content-type"), "application/json")
    return {"content_type": ctype, "body": text}


async def _replay(send: Send, held: records.Stored) -> None:
    content = str(held.response.get("body", "")).encode("utf-8")
    ctype = str(held.response.get("content_type", "application/json"))
    await send({"type": "http.response.start", "status": held.status_code, "headers": [
        (b"content-type", ctype.encode("latin-1")),
        (b"content-length", str(len(content)).encode()),
        (b"idempotent-replayed", b"true")]})
    await send({"type": "http.response.body", "body": content})


async def _send_json(send: Send, status_code: int, payload: Any,
                     extra: list[tuple[bytes, bytes]] | None = None) -> None:
    content = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status_code, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()), *(extra or [])]})
    await send({"type": "http.response.body", "body": content})
