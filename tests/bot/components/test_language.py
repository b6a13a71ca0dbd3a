"""The language component: an explicit request wins, else the words, else nothing."""

import pytest

pytest.importorskip("rasa", reason="the Rasa components run in the bot environment")

from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.components.language import LanguageDetector  # noqa: E402


def entities(text, found=()):
    message = Message(data={"text": text, "entities": list(found)})
    [out] = LanguageDetector().process([message])
    return {e["entity"]: e["value"] for e in out.get("entities")}


def test_the_words_give_the_language():
    assert entities("hola, cuanto debo este mes") == {"detected_language": "es"}
    assert entities("hi, how much do I owe this month") == {"detected_language": "en"}


def test_an_explicit_request_wins_and_nothing_else_is_added():
    asked = {"entity": "language", "value": "en"}
    assert entities("hola, english please", [asked]) == {"language": "en"}


def test_a_language_we_do_not_speak_is_dropped_and_the_words_decide():
    assert entities("quiero hablar en frances", [{"entity": "language", "value": "fr"}]) == {
        "detected_language": "es"}


def test_unclear_text_and_button_payloads_add_nothing():
    assert entities("1000002") == {}
    assert entities("/check_balance") == {}
