"""The Socket.IO events a stored message becomes, in one place (docs/hub-protocol.md).

`bot_uttered` keeps Rasa's socketio shape at the top level and WaterDesk's extras under
`metadata`: rasa-webchat 1.0.1 renders a message only when, without `metadata`, it is `text`
alone or `text` with `quick_replies`, and anything else it hands to a custom component a
plain script embed doesn't have, so nothing shows. It reads a few keys of `metadata` as
commands (linkTarget, userInput, pageChangeCallbacks, domHighlight, forceOpen, forceClose,
pageEventCallbacks, customCss); nothing here may use those names."""

from __future__ import annotations

from typing import Any

from backend.crud.ratings import REQUEST_KEY
from backend.models.conversations import Message

# Namespaces, and one room per conversation in each.
CUSTOMERS, REPS = "/", "/rep"


def room(conversation_id: str) -> str:
    return f"conv:{conversation_id}"


def bot_uttered(message: Message, rep_name: str | None = None) -> dict[str, Any]:
    """A stored bot, rep or system message for the customer: `text` (and `quick_replies`, as
    Rasa's socketio channel sends buttons) plus `metadata` with seq, sender, created_at and,
    from a rep, rep_name."""
    metadata: dict[str, Any] = {"seq": message.seq, "sender": message.sender,
                                "created_at": message.created_at.isoformat()}
    if rep_name:
        metadata["rep_name"] = rep_name
    if message.payload and isinstance(message.payload.get(REQUEST_KEY), dict):
        # The request for a 1-to-5 rating (hub/voice.py): the widget shows its rating form.
        metadata[REQUEST_KEY] = message.payload[REQUEST_KEY]
    out: dict[str, Any] = {"text": message.text}
    buttons = message.payload.get("buttons") if message.payload else None
    if buttons:
        out["quick_replies"] = [{"content_type": "text", "title": b.get("title", ""),
                                 "payload": b.get("payload", "")} for b in buttons]
    out["metadata"] = metadata
    return out


def customer_uttered(message: Message) -> dict[str, Any]:
    """The customer's own stored message, for their other tabs and replay (not Rasa's: flat)."""
    return {"text": message.text, "seq": message.seq, "client_id": message.client_id,
            "created_at": message.created_at.isoformat()}


def rep_message(message: Message) -> dict[str, Any]:
    """A stored message for the rep console (`/rep` `message`, the REST transcript)."""
    return {"conversation_id": message.conversation_id, "seq": message.seq,
            "sender": message.sender, "text": message.text, "payload": message.payload,
            "internal": message.internal, "rep_id": message.rep_id,
            "created_at": message.created_at.isoformat()}
