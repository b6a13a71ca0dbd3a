"""The message's language, found inside the NLU pipeline rather than by a custom action.

The `language` slot follows the customer: an explicit switch ("en español por favor", DIET's
`language` entity) wins, else the words themselves when the evidence is clear
(common/language.py). Done here, it costs microseconds; done by action_validate_slot_mappings
it cost an action-server round trip with the whole tracker on every message.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from common.language import detect_language, named_language

LANGUAGES = ("en", "es")
ASKED = "language"  # DIET's entity: the customer asked for a language
DETECTED = "detected_language"  # ours: the language the message is written in


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Keeps only a `language` entity naming a language we speak, and adds `detected_language`
    when there is none and the text is clearly English or Spanish."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LanguageDetector:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):  # a button's payload says nothing of language
                continue
            entities = [e for e in message.get(ENTITIES, [])
                        if e.get("entity") != ASKED or e.get("value") in LANGUAGES]
            if not any(e.get("entity") == ASKED for e in entities):
                found = named_language(text) or detect_language(text)
                if found:
                    entities += self.add_extractor_name([
                        {"entity": DETECTED, "value": found, "start": 0, "end": len(text)}])
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
