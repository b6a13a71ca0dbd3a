"""Building rasa_sdk trackers and running actions the way the action server does."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

DEFAULT_SLOTS: dict[str, Any] = {"language": "en", "verified": False, "verify_failures": 0,
                                 "emotions": [], "handed_off": False}


def tracker(*, text: str = "", intent: str = "inform", entities: list[dict] | None = None,
            slots: dict[str, Any] | None = None, sender: str = "test-conversation",
            events: list[dict] | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95},
              "entities": entities or []}
    history = list(events or []) + [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(sender, {**DEFAULT_SLOTS, **(slots or {})}, latest, history, False, None,
                   {}, "action_listen")


_LOOP: asyncio.AbstractEventLoop | None = None


def run(action: Any, t: Tracker) -> tuple[list[dict], list[dict]]:
    """(messages, events) from running an action once."""
    global _LOOP
    # One loop for the session, as in the action server: the API client pools its connections.
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()
    dispatcher = CollectingDispatcher()
    events = _LOOP.run_until_complete(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def slot(events: list[dict], name: str) -> Any:
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else None


def close_api(api: Any = None) -> None:
    """Close an API client's pooled session on the loop that opened it."""
    from actions.api.client import get_api

    api = api or get_api()
    if _LOOP is not None and api._session is not None and not api._session.closed:
        _LOOP.run_until_complete(api._session.close())
