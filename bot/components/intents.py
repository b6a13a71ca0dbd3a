"""The intent classifier and the FAQ response selector in one linear model (EN/ES).

One logistic regression over character and word n-grams of the accent-free text learns every
intent, retrieval intents by their full name (`faq/hours`). On our held-out set it beats DIET
without a transformer (bench/nlu_eval.py), trains in seconds, scores a message in under a
millisecond and needs no TensorFlow graph in memory. Its output is what Rasa's DIET and
ResponseSelector give: the intent and its ranking over base intents (`faq` summing its
sub-intents), and the response selector's pick for each retrieval intent.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (RESPONSE_SELECTOR_PREDICTION_KEY, RESPONSE_SELECTOR_PROPERTY_NAME,
                                RESPONSE_SELECTOR_RANKING_KEY, RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
                                RESPONSE_SELECTOR_UTTER_ACTION_KEY)
from rasa.shared.nlu.constants import (INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY,
                                       INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.linear import Scorer, build, load, save
from common.urgency import normalize

log = logging.getLogger(__name__)
_FILE = "intents.skops"
RANKING_LENGTH = 10


def rank(scores: Dict[str, float]) -> tuple[list[tuple[str, float]], Dict[str, list]]:
    """Base intents by probability (a retrieval intent sums its sub-intents), and for each
    retrieval intent its sub-intents by probability within it."""
    base: Dict[str, float] = {}
    within: Dict[str, list] = {}
    for label, p in scores.items():
        name, _, sub = label.partition("/")
        base[name] = base.get(name, 0.0) + p
        if sub:
            within.setdefault(name, []).append((label, p))
    for name, subs in within.items():
        total = base[name] or 1.0
        within[name] = sorted(((label, p / total) for label, p in subs), key=lambda x: -x[1])
    return sorted(base.items(), key=lambda x: -x[1]), within


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"C": 30.0}  # inverse regularisation: our data is clean, so fit it closely

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "skops"]

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Any = None) -> None:
        self.config = config
        self._storage, self._resource = model_storage, resource
        # Only the scorer is kept: the fitted pipeline would hold its weights a second time.
        self._scorer: Optional[Scorer] = Scorer(model) if model is not None else None

    def train(self, training_data: TrainingData) -> Resource:
        pairs = {(normalize(e.get(TEXT)), e.get_full_intent())
                 for e in training_data.intent_examples if e.get(TEXT)}
        texts, labels = zip(*sorted(pairs))
        model = build(C=self.config["C"]).fit(list(texts), list(labels))
        with self._storage.write_to(self._resource) as folder:
            save(model, folder, name=_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as folder:
                return cls(config, model_storage, resource, load(folder, name=_FILE))
        except ValueError as exc:
            log.warning("intent classifier not loaded: %s", exc)
            return cls(config, model_storage, resource)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._scorer is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            base, within = rank(self._scorer.scores(normalize(text)))
            ranking = [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: p}
                       for name, p in base[:RANKING_LENGTH]]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            self._select_responses(message, within)
        return messages

    @staticmethod
    def _select_responses(message: Message, within: Dict[str, list]) -> None:
        """What Rasa's ResponseSelector adds: the utter action ActionRetrieveResponse sends."""
        selectors: Dict[str, Any] = {RESPONSE_SELECTOR_RETRIEVAL_INTENTS: sorted(within)}
        for name, subs in within.items():
            (top, confidence) = subs[0]
            selectors[name] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: top,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: f"utter_{top}",
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {INTENT_RESPONSE_KEY: label, PREDICTED_CONFIDENCE_KEY: p}
                    for label, p in subs[:RANKING_LENGTH]],
            }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selectors, add_to_output=True)
