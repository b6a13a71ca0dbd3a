"""The bridge to the Rasa server, over its REST channel (with the channel, conversation and language)."""

from __future__ import annotations

from typing import Any

import httpx


class BotUnavailable(Exception):
    """Rasa or its action server is down, slow, or answered with an error."""


class RasaBridge:
    def __init__(self, *, url: str, timeout: float = 15.0) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.Client(timeout=timeout)

    def send(self, *, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        try:
            r = self._client.post(
                f"{self.url}/webhooks/rest/webhook",
                json={"sender": conversation_id, "message": text, "metadata": metadata},
            )
        except httpx.HTTPError as exc:
            raise BotUnavailable(str(exc) or exc.__class__.__name__) from exc
        if r.status_code != 200:
            raise BotUnavailable(f"Rasa answered {r.status_code}")
        try:
            replies = r.json()
        except ValueError as exc:
            raise BotUnavailable("Rasa answered something that isn't JSON") from exc
        return replies if isinstance(replies, list) else []

    def close(self) -> None:
        self._client.close()
