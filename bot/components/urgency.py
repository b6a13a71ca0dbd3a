"""A learned urgency classifier: does this message need a person at once, and why (EN/ES).

Character and word n-grams with a logistic regression, trained on our labelled messages in
bot/urgency/ plus the NLU examples (requests for a person are `request_person`; the routine
intents are `none`). Word lists miss the next way of saying it; n-grams over accent-free text
carry typos, Spanish without accents and new wordings. It runs last in the pipeline: an urgent
message gets the intent `urgent` (or `request_human`), and every message above a low bar carries
an `urgency` entity with the category and its confidence, for the actions' handoff decision.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY,
                                       PREDICTED_CONFIDENCE_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear import Scorer, build, load, save
from common import urgency
from common.urgency import CATEGORIES, NONE, normalize

log = logging.getLogger(__name__)
_FILE = "urgency.skops"
ROOT = Path(__file__).resolve().parents[2]
# NLU intents whose examples are urgent or mixed are left out of `none`; request_human is a label.
NOT_NEGATIVE = {"request_human", "complain", "report_leak", "water_quality", "high_bill",
                "shutoff", "nlu_fallback"}


def _data_files(config: Dict[Text, Any]) -> List[Path]:
    folder = Path(config["data"])
    folder = folder if folder.is_absolute() else ROOT / folder
    return sorted(folder.glob("*.yml"))


def labelled(config: Dict[Text, Any]) -> List[tuple[str, str]]:
    """(text, category) from bot/urgency/*.yml."""
    pairs: List[tuple[str, str]] = []
    for path in _data_files(config):
        for category, texts in (yaml.safe_load(path.read_text()) or {}).items():
            if category not in CATEGORIES:
                raise InvalidConfigException(f"{path}: unknown urgency category {category!r}")
            pairs += [(str(t), category) for t in texts or []]
    return pairs


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UrgencyClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "data": "bot/urgency",  # labelled messages, one file per language
            "hint": urgency.HINT,  # P(not none) from which the reading is passed on
            "C": 10.0,  # inverse regularisation of the logistic regression
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "skops"]

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # The labelled files are outside Rasa's training data, so their content joins the key.
        digest = hashlib.sha256()
        for path in _data_files({**cls.get_default_config(), **config}):
            digest.update(path.name.encode() + path.read_bytes())
        return digest.hexdigest()

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> UrgencyClassifier:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Any = None) -> None:
        self.config = config
        self._storage, self._resource, self.model = model_storage, resource, model
        self._scorer: Optional[Scorer] = None

    def train(self, training_data: TrainingData) -> Resource:
        pairs = labelled(self.config)
        for example in training_data.intent_examples:
            intent, text = example.get(INTENT), example.get(TEXT)
            if text and intent == urgency.HUMAN_INTENT:
                pairs.append((text, "request_person"))
            elif text and intent not in NOT_NEGATIVE:
                pairs.append((text, NONE))
        texts, labels = zip(*{(normalize(t), c) for t, c in pairs})  # duplicates once
        self.model = build(C=self.config["C"], balanced=True).fit(list(texts), list(labels))
        with self._storage.write_to(self._resource) as folder:
            save(self.model, folder, name=_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> UrgencyClassifier:
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as folder:
                return cls(config, model_storage, resource, load(folder, name=_FILE))
        except ValueError as exc:
            log.warning("urgency classifier not loaded: %s", exc)
            return cls(config, model_storage, resource)

    def scores(self, text: str) -> Dict[str, float]:
        if self._scorer is None:
            self._scorer = Scorer(self.model)
        return self._scorer.scores(normalize(text))

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            scores = self.scores(text)
            urgent = 1.0 - scores.get(NONE, 0.0)
            if urgent < self.config["hint"]:
                continue
            category = max((c for c in scores if c != NONE), key=scores.__getitem__)
            entity = {"entity": urgency.ENTITY, "value": category, "start": 0, "end": len(text),
                      "confidence_entity": round(urgent, 4), "extractor": type(self).__name__}
            message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)
            intent = message.get(INTENT) or {}
            if urgency.is_urgent(urgent, intent=intent.get(INTENT_NAME_KEY),
                                 intent_confidence=intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0):
                self._override(message, category, urgent)
        return messages

    @staticmethod
    def _override(message: Message, category: str, confidence: float) -> None:
        name = urgency.HUMAN_INTENT if category == "request_person" else urgency.INTENT
        if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == name:
            return
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: round(confidence, 4)}
        # The NLU's own reading stays second in the ranking: the topic, for the rep.
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                   if r.get(INTENT_NAME_KEY) != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
