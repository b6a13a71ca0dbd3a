"""Real Socket.IO clients for end-to-end tests: a customer speaking Rasa's socketio protocol
and a rep's console connection (see docs/hub-protocol.md)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import socketio

CUSTOMER_EVENTS = ("session_confirm", "session_state", "bot_uttered", "customer_uttered",
                   "message_ack", "handoff", "typing", "error")
REP_EVENTS = ("queue", "message", "conversation", "typing")


class Client:
    def __init__(self, url: str, namespace: str, events: tuple[str, ...]) -> None:
        self.url, self.namespace = url, namespace
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Event()
        for name in events:
            self.sio.on(name, self._recorder(name), namespace=namespace)

    def _recorder(self, name: str):  # type: ignore[no-untyped-def]
        async def record(data: Any = None) -> None:
            self.events[name].append(data)
            self._changed.set()
        return record

    async def wait_for(self, name: str, predicate=lambda d: True, *,  # type: ignore[no-untyped-def]
                       timeout: float = 60.0, after: int = 0) -> Any:
        """The first `name` event (from index `after` on) that matches, waiting up to timeout."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for data in self.events[name][after:]:
                if predicate(data):
                    return data
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError(f"no matching {name!r} in {timeout}s; got {dict(self.events)}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=left)
            except TimeoutError:
                pass

    async def disconnect(self) -> None:
        await self.sio.disconnect()


class Customer(Client):
    def __init__(self, url: str) -> None:
        super().__init__(url, "/", CUSTOMER_EVENTS)
        self.session_id: str | None = None
        self.secret: str | None = None  # the reconnect secret, as the widget keeps it

    async def connect(self, session_id: str | None = None, last_seq: int | None = None,
                      language: str | None = None, secret: str | None = None,
                      headers: dict[str, str] | None = None) -> str:
        """Open a conversation, or resume one: resuming needs its reconnect secret."""
        await self.sio.connect(self.url, transports=["websocket"], namespaces=["/"],
                               headers=headers or {})
        seen = len(self.events["session_confirm"]), len(self.events["session_state"])
        request: dict[str, Any] = {"session_id": session_id}
        if secret:
            request["session_secret"] = secret
        if last_seq is not None:
            request["last_seq"] = last_seq
        if language:
            request["language"] = language
        await self.sio.emit("session_request", request)
        self.session_id = await self.wait_for("session_confirm", after=seen[0], timeout=20)
        state = await self.wait_for("session_state", after=seen[1], timeout=20)
        self.secret = state.get("session_secret") or secret
        return self.session_id  # type: ignore[return-value]

    async def say(self, text: str, *, client_id: str | None = None) -> dict[str, Any]:
        """Send a message; returns the server's ack (after the bot has answered)."""
        return await self.sio.call("user_uttered", {"message": text, "session_id": self.session_id,
                                                    "client_id": client_id}, timeout=90)

    def texts(self) -> list[str]:
        return [m["text"] for m in self.events["bot_uttered"]]


class Rep(Client):
    def __init__(self, url: str, token: str) -> None:
        super().__init__(url, "/rep", REP_EVENTS)
        self.token = token

    async def connect(self) -> None:
        await self.sio.connect(self.url, transports=["websocket"], namespaces=["/rep"],
                               auth={"token": self.token})


def run(coroutine: Any) -> Any:
    """asyncio.run on a thread of its own: Playwright's sync API keeps a loop running in the
    main thread for the rest of the session, and asyncio.run refuses to nest in it."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
