"""Slots filled after every customer message, whatever the intent (action_validate_slot_mappings)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker, ValidationAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from common.language import detect_language, named_language


class ValidateSlotMappings(ValidationAction):
    """The conversation's language: an explicit switch, else the customer's words when clear."""

    async def extract_language(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        asked = [e.get("value") for e in tracker.latest_message.get("entities", [])
                 if e.get("entity") == "language" and e.get("value") in ("en", "es")]
        if asked:
            return {"language": asked[-1]}
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/"):  # a button payload says nothing about language
            return {}
        detected = named_language(text) or detect_language(text)
        return {"language": detected} if detected else {}
