"""The shapes of the customer socket's events (backend/hub/events.py), held against the rules
rasa-webchat 1.0.1 renders by (src/components/Widget/msgProcessor.js and index.js)."""

from datetime import UTC, datetime
from typing import Any

from backend.hub.events import bot_uttered, customer_uttered, rep_message
from backend.models.conversations import Message, Sender

AT = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
# Keys of `metadata` that rasa-webchat acts on (propagateMetadata, customCss).
WEBCHAT_COMMANDS = {"linkTarget", "userInput", "pageChangeCallbacks", "domHighlight",
                    "forceOpen", "forceClose", "pageEventCallbacks", "customCss"}


def message(**kw: Any) -> Message:
    return Message(**{"conversation_id": "c" * 32, "seq": 4, "sender": Sender.bot,
                      "text": "Hello", "created_at": AT, **kw})


def webchat_renders(event: dict[str, Any]) -> str | None:
    """What rasa-webchat 1.0.1 makes of a bot_uttered: it drops `metadata`, then shows text
    alone or text with quick_replies/buttons; anything else goes to a custom component."""
    keys = set(event) - {"metadata", "customCss"}
    if keys == {"text"}:
        return "text"
    if len(keys) == 2 and "text" in keys and keys & {"quick_replies", "buttons"}:
        return "buttons"
    return None


def test_a_bot_message_is_rasa_text_with_the_hub_extras_under_metadata() -> None:
    event = bot_uttered(message())
    assert event == {"text": "Hello", "metadata": {
        "seq": 4, "sender": "bot", "created_at": "2026-12-02T17:00:00+00:00"}}
    assert webchat_renders(event) == "text"


def test_buttons_are_rasa_quick_replies() -> None:
    buttons = [{"title": "My balance", "payload": "/check_balance"}, {"title": "Talk"}]
    event = bot_uttered(message(payload={"buttons": buttons, "custom": {"x": 1}}))
    assert event["quick_replies"] == [
        {"content_type": "text", "title": "My balance", "payload": "/check_balance"},
        {"content_type": "text", "title": "Talk", "payload": ""}]
    assert webchat_renders(event) == "buttons"


def test_a_rep_message_names_the_rep_in_metadata_only() -> None:
    event = bot_uttered(message(sender=Sender.rep, rep_id=1, text="Hi, Maria here"), "Maria")
    assert event["metadata"]["sender"] == "rep" and event["metadata"]["rep_name"] == "Maria"
    assert webchat_renders(event) == "text"
    assert not set(event["metadata"]) & WEBCHAT_COMMANDS


def test_the_customer_echo_and_the_console_message_stay_flat() -> None:
    said = message(sender=Sender.customer, client_id="k1", text="hi")
    assert customer_uttered(said) == {"text": "hi", "seq": 4, "client_id": "k1",
                                      "created_at": "2026-12-02T17:00:00+00:00"}
    assert rep_message(said)["sender"] == "customer" and rep_message(said)["seq"] == 4
