"""Which sentences of an email are requests, and what the bot is sent for them."""

from __future__ import annotations

import asyncio

import pytest

from backend.email import reading
from backend.email.reading import Sentence


def s(text: str, intent: str, confidence: float = 0.9, *entities: str) -> Sentence:
    return Sentence(text=text, intent=intent, confidence=confidence, entities=frozenset(entities))


def test_sentences_split_paragraphs_and_sentences_but_not_abbreviations():
    text = ("Good morning,\n\nWe moved to 14 Vista Ridge St. last month. What is the amount due? "
            "Thanks!\n\n----\n2026-11-30 12:00:01 ERROR 42\n")
    assert reading.sentences(text) == [
        "Good morning,", "We moved to 14 Vista Ridge St. last month.", "What is the amount due?",
        "Thanks!", "2026-11-30 12:00:01 ERROR 42"]


def test_a_long_paste_is_read_only_so_far():
    assert len(reading.sentences("line of a log.\n" * 500)) == reading.MAX_SENTENCES


def test_pleasantries_and_context_are_not_requests_but_their_details_go_with_the_first():
    number = Sentence(text="Our account number is 2000001.", intent="inform", confidence=0.8,
                      entities=frozenset({"account_number"}),
                      details=("Our account number is 2000001",))
    body = [s("Hello,", "greet"), number,
            s("What is the amount due?", "check_balance"), s("And how can we pay?", "pay_bill"),
            s("Thank you in advance.", "thank")]
    assert reading.turns(None, body, "whole") == [
        "What is the amount due? Our account number is 2000001", "And how can we pay?"]


def test_sentences_asking_the_same_thing_are_one_turn():
    body = [s("Please stop my service.", "stop_service"),
            s("I need it stopped on the 15th.", "stop_service", 0.8, "date")]
    assert reading.turns(None, body, "whole") == [
        "Please stop my service. I need it stopped on the 15th."]


def test_a_subject_only_request_is_sent_and_an_explained_one_is_not_repeated():
    subject = s("Stop service", "stop_service")
    assert reading.turns(subject, [], "Stop service") == ["Stop service"]
    body = [s("Please stop it on Friday.", "stop_service", 0.9, "date")]
    assert reading.turns(subject, body, "whole") == ["Please stop it on Friday."]


def test_nothing_understood_sends_the_whole_email_and_unsure_requests_are_not_requests():
    body = [s("My neighbour's fence is on my lot.", "complain", 0.3), s("Regards", "goodbye")]
    assert reading.turns(None, body, "the whole email") == ["the whole email"]


def test_an_urgent_sentence_goes_first_and_an_unsure_one_is_no_request():
    body = [s("How do I pay?", "pay_bill"), s("Water is gushing from the street!", "urgent", 0.9)]
    assert reading.turns(None, body, "whole")[0] == "Water is gushing from the street!"
    unsure = [s("How do I pay?", "pay_bill"), s("I'm the office manager.", "urgent", 0.56)]
    assert reading.turns(None, unsure, "whole") == ["How do I pay?"]


def test_a_signature_after_a_closing_is_not_read():
    text = ("Could you tell me the amount due?\n\nThank you,\nLinda Park\nOffice Manager | Shah "
            "Dental Group\n(949) 555-0199")
    assert reading.sentences(text) == ["Could you tell me the amount due?"]
    story = "Thanks for the quick fix last week.\nBut what do I owe now?"
    assert reading.sentences(story) == ["Thanks for the quick fix last week.", "But what do I owe now?"]


def test_each_sentence_is_classified_by_the_bots_nlu():
    async def parse(text: str) -> dict:
        return {"intent": {"name": "faq" if "hours" in text else "greet", "confidence": 0.95},
                "entities": [{"entity": "zip"}] if "92688" in text else []}

    got = asyncio.run(reading.classify(["Hi", "What are your hours in 92688?"], parse))
    assert [(x.intent, x.request, x.entities) for x in got] == [
        ("greet", False, frozenset()), ("faq", True, frozenset({"zip"}))]


@pytest.mark.parametrize("subject, worth", [
    ("Stop service", True), ("Question", False), ("Re: Your message", False), ("", False),
    ("Pregunta", False), ("Water leak on my street", True), ("(no subject)", False)])
def test_generic_subjects_are_not_read(subject, worth):
    assert reading.worth_reading(subject) is worth


@pytest.mark.parametrize("last, choice, answers", [
    (None, False, False),
    ("Shall I place this order?", False, True),
    ("Please reply with:\n- the service address", False, True),
    ("Your balance is $312.40. Anything else I can help with?", False, False),
    ("Your balance is $312.40.", True, True),
    ("Your balance is $312.40.", False, False)])
def test_a_reply_to_the_bots_question_goes_whole(last, choice, answers):
    assert reading.answers_question(last, choice=choice) is answers


def test_hard_wrapped_prose_is_rejoined_and_a_disclaimer_is_not_read():
    text = ("I have the paper bills in a pile on my desk but I am not sure which\n"
            "ones are current. Could you please tell me the total amount currently\n"
            "due on our account 2000001?\n\n"
            "Kind regards,\nPriya Shah, DDS\nOwner | Shah Dental Group\n\n"
            "CONFIDENTIALITY NOTICE: This e-mail and any attachments are intended only for the\n"
            "named recipient(s) and may contain confidential and/or privileged information,\n"
            "including protected health information.")
    assert reading.sentences(text) == [
        "I have the paper bills in a pile on my desk but I am not sure which ones are current.",
        "Could you please tell me the total amount currently due on our account 2000001?"]


def test_an_unsure_urgency_reading_gives_way_to_the_nlus_own():
    async def parse(text: str) -> dict:
        return {"intent": {"name": "urgent", "confidence": 0.63},
                "intent_ranking": [{"name": "urgent", "confidence": 0.63},
                                   {"name": "check_balance", "confidence": 0.91}]}

    [got] = asyncio.run(reading.classify(["How much do we owe, so the water isn't cut off?"], parse))
    assert (got.intent, got.confidence, got.request) == ("check_balance", 0.91, True)


def test_details_are_sent_with_their_labels_not_the_story_around_them():
    async def parse(text: str) -> dict:
        spans = [("address", "27001 La Paz Rd"), ("zip", "92691"), ("account_number", "2000001")]
        return {"intent": {"name": "inform", "confidence": 0.9},
                "entities": [{"entity": e, "start": text.index(v), "end": text.index(v) + len(v)}
                             for e, v in spans if v in text]}

    text = ("I'm the property manager for the medical building at 27001 La Paz Rd. "
            "Account 2000001 - service ZIP 92691.")
    [got] = asyncio.run(reading.classify([text], parse))
    assert got.details == ("27001 La Paz Rd", "Account 2000001 - service ZIP 92691"), got.details


def test_two_questions_in_one_sentence_are_read_apart():
    async def parse(text: str) -> dict:
        intent = ("check_balance" if "owe" in text else "pay_bill" if "pay" in text
                  else "nlu_fallback")
        return {"intent": {"name": intent, "confidence": 0.95 if "," not in text else 0.4}}

    got = asyncio.run(reading.classify(
        ["Two quick questions about account 1000002: how much do I owe right now, and what's "
         "the fastest way to pay it?"], parse))
    assert [(x.text, x.intent) for x in got if x.request] == [
        ("how much do I owe right now", "check_balance"),
        ("what's the fastest way to pay it?", "pay_bill")]
    assert reading.sentences("1. What are your hours?\n2) ¿Dónde pago?") == [
        "What are your hours?", "¿Dónde pago?"]
