"""A second request in one message is found, and only a real one."""

import pytest

from actions.requests import second_request


def parse(text: str, intent: str, *ranked: str) -> dict:
    ranking = [{"name": intent, "confidence": 0.7}] + [{"name": r, "confidence": 0.1}
                                                       for r in ranked]
    return {"text": text, "intent": {"name": intent, "confidence": 0.7}, "intent_ranking": ranking}


@pytest.mark.parametrize(("text", "intent", "ranked", "second"), [
    ("what's my balance and can you sign me up for autopay", "check_balance", ("autopay",),
     "autopay"),
    ("how much do i owe? also i want paperless bills", "check_balance", (), "paperless_billing"),
    ("cuanto debo y tambien quiero el pago automatico", "check_balance", ("autopay",), "autopay"),
    ("i need to stop my service and also what's my balance", "stop_service", ("check_balance",),
     "check_balance"),
    ("my balance please, and i want to move my service", "check_balance", (), "transfer_service"),
    ("what's my balance and sign me up for autopay", "autopay", ("check_balance",),
     "check_balance"),
])
def test_a_second_request_after_a_joining_word_is_found(text, intent, ranked, second):
    assert second_request(parse(text, intent, *ranked)) == second


@pytest.mark.parametrize(("text", "intent", "ranked"), [
    ("how much do i owe and when is it due", "check_balance", ("pay_bill",)),
    ("stop my service on friday and send the bill to 9 Elm St", "stop_service", ("check_balance",)),
    ("what's my balance", "check_balance", ("autopay",)),
    ("yes and thanks", "affirm", ("autopay",)),
    ("/check_balance", "check_balance", ("autopay",)),
    ("my autopay didn't go through and i want to know why", "autopay", ("check_balance",)),
])
def test_one_request_with_details_is_not_two(text, intent, ranked):
    assert second_request(parse(text, intent, *ranked)) is None
