"""common/signals.py: the control messages the bot adds to its answers, and the hub's reading
of them; anything meant for the customer is never taken for one."""

from common.signals import (
    is_signal,
    nlu_message,
    split_signals,
    task_done_payload,
)


def test_the_hub_reads_what_the_bot_side_makes():
    replies = [{"recipient_id": "c", "text": "Done."},
               {"recipient_id": "c", "custom": task_done_payload("action_update_contact")},
               nlu_message("update_contact", 0.912345)]
    kept, signals = split_signals(replies)
    assert kept == [{"recipient_id": "c", "text": "Done."}]
    assert signals.tasks_done == ["action_update_contact"]
    assert signals.intents == [("update_contact", 0.9123)]
    assert signals.intent == "update_contact"


def test_several_turns_keep_the_first_reading():
    _, signals = split_signals([nlu_message("check_balance", 0.9), {"text": "a"},
                                nlu_message("pay_bill", 0.8)])
    assert signals.intent == "check_balance" and len(signals.intents) == 2


def test_messages_for_the_customer_are_never_signals():
    handoff = {"custom": {"handoff": {"reason_code": "request"}}}
    with_text = {"text": "hi", "custom": {"task_done": "x"}}
    with_buttons = {"buttons": [{"title": "Yes"}], "custom": {"nlu": {"intent": "x"}}}
    mixed = {"custom": {"nlu": {"intent": "x"}, "other": 1}}
    for reply in (handoff, with_text, with_buttons, mixed, {"custom": {}}, {"text": ""}, "x"):
        assert not is_signal(reply)
    kept, signals = split_signals([handoff, with_text, with_buttons, mixed])
    assert kept == [handoff, with_text, with_buttons, mixed] and signals.intent is None


def test_a_malformed_signal_is_dropped_not_shown():
    kept, signals = split_signals([{"custom": {"nlu": "greet"}},
                                   {"custom": {"nlu": {"intent": "", "confidence": 1}}},
                                   {"custom": {"nlu": {"intent": "greet", "confidence": "?"}}},
                                   {"custom": {"task_done": 42}}])
    assert kept == []
    assert signals.intents == [("greet", 0.0)] and signals.tasks_done == []
