"""Customers that ride out faults as the real clients do.

A chat customer behaves like the widget (widget/src/widget/connection.js, docs/hub-protocol.md):
every message has a client_id, an unacknowledged one is sent again after a reconnect, and a
reconnect resumes the conversation with its secret and replays from the last seq seen. A REST
customer retries what failed; the endpoint has no idempotency key, so after a lost answer it
first looks whether its message was stored (tests/utils/tally.py then audits the outcome)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import socketio

from tests.utils.stack import SERVICE_TOKEN

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
# Short dialogs that need the bot and its action server (greeting, FAQ, verification, balance).
DIALOGS = [
    ["hi", "how much do I owe?", "1000002", "92694", "what are your office hours?", "thank you"],
    ["hello", "what are your office hours?", "how can I pay my bill?", "where is your office?",
     "thanks, bye"],
]


class SteadyCustomer:
    def __init__(self, url: str, tag: str) -> None:
        self.url, self.tag = url, tag
        self.session_id: str | None = None
        self.secret: str | None = None
        self.seen: dict[int, dict[str, Any]] = {}  # seq -> what the socket delivered
        self.sent: dict[str, str] = {}  # client_id -> text
        self.acked: dict[str, int] = {}
        self.reconnects = 0
        self.in_flight = False  # a message sent and not yet acknowledged
        self._sio: socketio.AsyncClient | None = None
        self._dropped = asyncio.Event()

    def _record(self, data: Any) -> None:
        if isinstance(data, dict) and isinstance(data.get("seq"), int):
            self.seen.setdefault(data["seq"], data)

    async def _open(self) -> None:
        sio = socketio.AsyncClient(reconnection=False)
        loop = asyncio.get_running_loop()
        confirmed, stated = loop.create_future(), loop.create_future()
        dropped = asyncio.Event()

        async def on_confirm(data: Any) -> None:
            if not confirmed.done():
                confirmed.set_result(data)

        async def on_state(data: Any) -> None:
            if not stated.done():
                stated.set_result(data)

        async def on_message(data: Any) -> None:
            self._record(data)

        async def on_bot(data: Any) -> None:
            # As the widget reads it: the hub's seq and sender travel under metadata.
            if isinstance(data, dict):
                self._record({**(data.get("metadata") or {}),
                              **{k: v for k, v in data.items() if k != "metadata"}})

        async def on_disconnect(*_: Any) -> None:
            dropped.set()

        sio.on("session_confirm", on_confirm)
        sio.on("session_state", on_state)
        sio.on("bot_uttered", on_bot)
        sio.on("customer_uttered", on_message)
        sio.on("disconnect", on_disconnect)
        try:
            await sio.connect(self.url, transports=["websocket"], namespaces=["/"],
                              wait_timeout=5)
        except BaseException:
            await _discard(sio)
            raise
        request: dict[str, Any] = {"session_id": self.session_id}
        if self.session_id:
            request.update(session_secret=self.secret, last_seq=max(self.seen, default=0))
        try:
            await sio.emit("session_request", request)
            got = await asyncio.wait_for(confirmed, 10)
            state = await asyncio.wait_for(stated, 10)
        except BaseException:
            await _discard(sio)
            raise
        if self.session_id is None:
            self.session_id, self.secret = got, state.get("session_secret")
        assert got == self.session_id, f"{self.tag}: resumed into another conversation"
        self._sio, self._dropped = sio, dropped

    async def connect(self, patience: float = 120) -> None:
        deadline = time.monotonic() + patience
        if self._sio is not None:
            await self._close()
        while True:
            try:
                await self._open()
                return
            except (OSError, TimeoutError, socketio.exceptions.ConnectionError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def _close(self) -> None:
        sio, self._sio = self._sio, None
        if sio is not None:
            await _discard(sio)

    async def say(self, text: str, *, ack_timeout: float = 45, patience: float = 240) -> dict:
        """Sends one message and returns its ack, resending with the same client_id after a
        drop or a missing ack, as the widget's outbox does."""
        client_id = f"{self.tag}-{len(self.sent) + 1}"
        self.sent[client_id] = text
        deadline = time.monotonic() + patience
        self.in_flight = True
        try:
            while time.monotonic() < deadline:
                if self._sio is None or not self._sio.connected or self._dropped.is_set():
                    self.reconnects += self.session_id is not None
                    await self.connect(patience=max(1.0, deadline - time.monotonic()))
                assert self._sio is not None
                call = asyncio.ensure_future(self._sio.call(
                    "user_uttered", {"message": text, "session_id": self.session_id,
                                     "client_id": client_id}, timeout=ack_timeout))
                drop = asyncio.ensure_future(self._dropped.wait())
                await asyncio.wait({call, drop}, return_when=asyncio.FIRST_COMPLETED)
                drop.cancel()
                if not call.done():
                    call.cancel()  # the connection went: reconnect and send it again
                    continue
                try:
                    ack = call.result()
                except socketio.exceptions.TimeoutError:
                    await self._close()
                    continue
                if isinstance(ack, dict) and ack.get("ok"):
                    self.acked[client_id] = ack["seq"]
                    return ack
                if isinstance(ack, dict) and ack.get("error") in ("rate_limited", "server_error"):
                    self.reconnects += 1  # counted with the reconnects: a resend all the same
                    await asyncio.sleep(float(ack.get("retry_after") or 1))
                    continue
                raise AssertionError(f"{self.tag}: {text!r} refused: {ack}")
            raise TimeoutError(f"{self.tag}: {text!r} was never acknowledged")
        finally:
            self.in_flight = False

    async def catch_up(self) -> None:
        """One more resume, as a widget reopened later would: replay from the last seq seen."""
        await self.connect()
        await asyncio.sleep(0.5)
        await self._close()

    async def close(self) -> None:
        """Let go of the socket: each asyncio.run has its own loop, and a socket can't move."""
        await self._close()
        self._dropped = asyncio.Event()


async def _discard(sio: socketio.AsyncClient) -> None:
    """Disconnect, and close the HTTP session even when the connection never came up."""
    try:
        await sio.disconnect()
    except Exception:  # already gone with its server
        pass
    http = getattr(sio.eio, "http", None)
    if http is not None and not http.closed:
        await http.close()


class RestCustomer:
    """An integration on POST /conversations/{id}/messages."""

    def __init__(self, url: str, tag: str) -> None:
        self.url, self.tag = url, tag
        self.session_id: str | None = None
        self.sent: dict[str, str] = {}
        self.acked: dict[str, int] = {}
        self.seen: dict[int, dict[str, Any]] = {}
        self.reconnects = 0  # retries after a lost answer
        # Stored, but the answer was lost and can't be asked for again: the endpoint takes no
        # idempotency key, so a resend would be a second message.
        self.lost_answers: set[str] = set()
        self.in_flight = False
        self._client: httpx.AsyncClient | None = None

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:  # made inside the running loop
            self._client = httpx.AsyncClient(base_url=self.url, headers=SERVICE, timeout=60)
        return self._client

    async def connect(self, patience: float = 120) -> None:
        deadline = time.monotonic() + patience
        while self.session_id is None:
            try:
                r = await self._http.post("/api/v1/conversations")
                if r.status_code == 201:
                    self.session_id = r.json()["id"]
                    return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.5)

    async def _stored(self, text: str) -> bool | None:
        """Whether the conversation holds `text` from the customer; None when unknown."""
        try:
            r = await self._http.get(f"/api/v1/conversations/{self.session_id}")
        except httpx.TransportError:
            return None
        if r.status_code != 200:
            return None
        return any(m["sender"] == "customer" and m["text"] == text for m in r.json()["messages"])

    async def say(self, text: str, *, patience: float = 240, **_: Any) -> dict:
        key = f"{self.tag}-{len(self.sent) + 1}"
        self.sent[key] = text
        deadline = time.monotonic() + patience
        self.in_flight = True
        try:
            while time.monotonic() < deadline:
                try:
                    r = await self._http.post(f"/api/v1/conversations/{self.session_id}/messages",
                                              json={"text": text},
                                              headers={"Idempotency-Key": key})
                    if r.status_code == 200:
                        self.acked[key] = -1
                        for m in r.json()["replies"]:
                            self.seen.setdefault(m["seq"], m)
                        return r.json()
                    assert r.status_code >= 500, f"{self.tag}: {text!r}: {r.status_code} {r.text}"
                except httpx.TransportError:
                    pass
                # No answer: it may have been stored all the same. Find out before sending again.
                self.reconnects += 1
                while (stored := await self._stored(text)) is None:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{self.tag}: the backend never came back")
                    await asyncio.sleep(0.5)
                if stored:
                    self.acked[key] = -1  # stored; its answer went with the failure
                    self.lost_answers.add(text)
                    return {"replies": [], "lost_answer": True}
                await asyncio.sleep(0.5)
            raise TimeoutError(f"{self.tag}: {text!r} was never taken")
        finally:
            self.in_flight = False

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


AnyCustomer = SteadyCustomer | RestCustomer


async def converse(customer: AnyCustomer, lines: list[str], *, pause: float = 0.8,
                   barrier: asyncio.Barrier | None = None, at: int = 0) -> None:
    """Says each line in turn, pausing as a person reading the answer would; with a barrier,
    line `at` waits for the other parties, so the fault finds every customer mid-message."""
    try:
        if customer.session_id is None:
            await customer.connect()
        for i, line in enumerate(lines):
            if barrier is not None and i == at:
                await barrier.wait()
            await customer.say(line)
            await asyncio.sleep(pause)
    finally:
        await customer.close()
