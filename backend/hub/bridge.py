"""The bridge to the Rasa servers, over their REST channel (with channel, conversation and
language as metadata). Several Rasa processes share a tracker store and a lock store; each
conversation sticks to one of them and moves to the next only if its process is gone."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx


# Slots the bot clears when a rep hands a conversation back (bot/domain).
RESET_SLOTS = (("handed_off", False), ("offer", None), ("pending_action", None),
               ("requested_slot", None))


class BotUnavailable(Exception):
    """Rasa or its action server is down, slow, or answered with an error or with nothing."""


def sticky_order(conversation_id: str, urls: list[str]) -> list[str]:
    """The conversation's own process first, then the others in a fixed order (failover)."""
    if len(urls) <= 1:
        return list(urls)
    # A stable hash (not Python's salted hash()), so every backend process agrees.
    start = int.from_bytes(hashlib.blake2b(conversation_id.encode(), digest_size=8).digest(),
                           "big") % len(urls)
    return urls[start:] + urls[:start]


class RasaBridge:
    def __init__(self, *, urls: list[str] | str, token: str, api_token: str = "",
                 timeout: float = 15.0, per_process: int = 2, queue_timeout: float = 60.0) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        self.urls = [u.rstrip("/") for u in self.urls]
        self.timeout = timeout
        # Rasa's REST channel answers only the hub (bot/channels.py).
        self.headers = {"X-Hub-Token": token}
        self.api_token = api_token  # Rasa's own HTTP API (rasa run --auth-token)
        # A Rasa process works through one message's CPU at a time; more in flight only makes
        # each wait longer (and time out). Messages wait here instead, first come first served,
        # and the timeout counts only their time at Rasa.
        self.queue_timeout = queue_timeout
        self._slots = {url: asyncio.Semaphore(per_process) for url in self.urls}
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        # Made on first use, inside the running loop; nothing happens at construction.
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=200, max_keepalive_connections=100))
        return self._client

    async def send(self, *, conversation_id: str, text: str,
                   metadata: dict[str, Any]) -> list[dict]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        last: Exception | None = None
        for url in sticky_order(conversation_id, self.urls):
            slot = self._slots[url]
            try:
                async with asyncio.timeout(self.queue_timeout):
                    await slot.acquire()
            except TimeoutError as exc:
                raise BotUnavailable("the bot is too busy to answer in time") from exc
            try:
                r = await self._http().post(f"{url}/webhooks/rest/webhook", json=body,
                                            headers=self.headers)
            except httpx.ConnectError as exc:
                # Nothing reached that process, so another may safely take the message.
                last = exc
                continue
            except httpx.HTTPError as exc:
                # A timeout may mean the message is being processed: don't send it twice.
                raise BotUnavailable(str(exc) or exc.__class__.__name__) from exc
            finally:
                slot.release()
            if r.status_code != 200:
                raise BotUnavailable(f"Rasa answered {r.status_code}")
            try:
                replies = r.json()
            except ValueError as exc:
                raise BotUnavailable("Rasa answered something that isn't JSON") from exc
            if not isinstance(replies, list) or not replies:
                # Rasa logs a failed custom action (its action server down or erroring) and
                # carries on without its events, so the customer would get nothing at all.
                raise BotUnavailable("the bot had no answer (is its action server down?)")
            return replies
        raise BotUnavailable(f"no Rasa process answered ({last})")

    async def parse(self, *, conversation_id: str, text: str) -> dict[str, Any]:
        """The NLU's reading of a text (Rasa's /model/parse): no turn, nothing stored."""
        last: Exception | None = None
        for url in sticky_order(conversation_id, self.urls):
            try:
                r = await self._http().post(f"{url}/model/parse", params={"token": self.api_token},
                                            json={"text": text})
            except httpx.ConnectError as exc:
                last = exc
                continue
            except httpx.HTTPError as exc:
                raise BotUnavailable(str(exc) or exc.__class__.__name__) from exc
            if r.status_code != 200:
                raise BotUnavailable(f"Rasa answered {r.status_code} to a parse")
            try:
                data = r.json()
            except ValueError as exc:
                raise BotUnavailable("Rasa answered something that isn't JSON") from exc
            return data if isinstance(data, dict) else {}
        raise BotUnavailable(f"no Rasa process answered ({last})")

    async def reset(self, *, conversation_id: str) -> None:
        """The bot takes a conversation back from a rep: its handoff state and any form are
        cleared (what it learnt stays), so its own safety net works again."""
        events = [{"event": "slot", "name": name, "value": value} for name, value in RESET_SLOTS]
        events.append({"event": "active_loop", "name": None})
        last: Exception | None = None
        # Trackers are shared by every Rasa process: any one that answers will do.
        for url in sticky_order(conversation_id, self.urls):
            try:
                r = await self._http().post(
                    f"{url}/conversations/{conversation_id}/tracker/events",
                    params={"token": self.api_token, "include_events": "NONE"}, json=events)
            except httpx.HTTPError as exc:
                last = exc
                continue
            if r.status_code == 200:
                return
            last = BotUnavailable(f"Rasa answered {r.status_code}")
        raise BotUnavailable(f"could not reset the bot's state ({last})")

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
