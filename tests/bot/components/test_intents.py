"""The linear intent classifier: Rasa's output shapes (intent, ranking, response selector)."""

import pytest

pytest.importorskip("rasa", reason="the Rasa components run in the bot environment")

from rasa.engine.graph import ExecutionContext  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from bot.components.intents import LinearIntentClassifier, rank  # noqa: E402

EXAMPLES = {
    "check_balance": ["how much do I owe", "what is my balance", "cuanto debo", "mi saldo"],
    "pay_bill": ["I want to pay my bill", "pay now", "quiero pagar", "pagar mi recibo"],
    "faq/office_hours": ["when are you open", "office hours", "horario de oficina", "a que hora abren"],
    "faq/service_area": ["do you serve my city", "service area", "area de servicio", "dan servicio en mi ciudad"],
}


def test_a_retrieval_intent_ranks_as_its_base_with_its_sub_intents_summed():
    base, within = rank({"faq/hours": 0.3, "faq/area": 0.2, "pay_bill": 0.4, "greet": 0.1})
    assert base[0] == ("faq", pytest.approx(0.5)) and base[1] == ("pay_bill", 0.4)
    assert within == {"faq": [("faq/hours", pytest.approx(0.6)), ("faq/area", pytest.approx(0.4))]}


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("intents")
    context = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]
    trainer = LinearIntentClassifier.create({}, storage, resource, context)
    messages = []
    for label, texts in EXAMPLES.items():
        intent, _, sub = label.partition("/")
        data = {"intent": intent, **({"intent_response_key": label} if sub else {})}
        messages += [Message(data={"text": t, **data}) for t in texts]
    trainer.train(TrainingData(messages))
    return LinearIntentClassifier.load({}, storage, resource, context)


def test_a_message_gets_an_intent_a_ranking_and_the_faq_answer(classifier):
    [message] = classifier.process([Message(data={"text": "what are your office hours?"})])
    intent, ranking = message.get("intent"), message.get("intent_ranking")
    assert intent["name"] == "faq" and intent == ranking[0]
    assert [r["name"] for r in ranking] == sorted({"faq", "pay_bill", "check_balance"},
                                                  key=[r["name"] for r in ranking].index)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    selector = message.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    assert selector["faq"]["response"]["utter_action"] == "utter_faq/office_hours"
    assert selector["faq"]["ranking"][0]["intent_response_key"] == "faq/office_hours"


def test_spanish_without_accents_and_a_typo_still_reads(classifier):
    [message] = classifier.process([Message(data={"text": "cuanto debo de mi saldo"})])
    assert message.get("intent")["name"] == "check_balance"


def test_an_empty_message_is_left_alone(classifier):
    [message] = classifier.process([Message(data={"text": ""})])
    assert message.get("intent") is None
