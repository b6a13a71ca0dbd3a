"""Our pipeline (bot/config.yml) builds and validates as a Rasa 3.6 graph with the rule component."""

from pathlib import Path

import pytest

pytest.importorskip("rasa", reason="the Rasa components run in the bot environment")

import yaml  # noqa: E402
from rasa.engine import validation  # noqa: E402
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.shared.data import TrainingType  # noqa: E402

import bot.components.rule_entities  # noqa: E402,F401  (registers the component)

RULES = "bot.components.rule_entities.RuleEntityExtractor"
CONFIG = Path(__file__).resolve().parents[3] / "bot" / "config.yml"


def test_the_bot_pipeline_validates_with_the_rule_component() -> None:
    config = yaml.safe_load(CONFIG.read_text())
    graph = DefaultV1Recipe().graph_config_for_recipe(config, {}, training_type=TrainingType.NLU)
    validation.validate(graph)  # raises GraphSchemaValidationException on a bad signature
    [name] = [n for n in graph.predict_schema.nodes if RULES in n]
    node = graph.predict_schema.nodes[name]
    # Not trainable: loaded once per model, then `process` per message.
    assert (node.constructor_name, node.fn, node.eager) == ("load", "process", True)
    assert not any(RULES in n for n in graph.train_schema.nodes)
    names = [c["name"] for c in config["pipeline"]]
    assert names[:2] == ["SpacyNLP", "SpacyTokenizer"] and "FallbackClassifier" in names
