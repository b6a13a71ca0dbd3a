"""actions/common.py: an action that finishes a customer's task says so to the hub with a
`task_done` control message (common/signals.py); one that asks, hands off or fails doesn't."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import APIError
from actions.common import REGISTRY, TASKS_DONE, Context, WaterDeskAction, finished_task
from common.signals import split_signals
from tests.utils.trackers import tracker


class Scripted(WaterDeskAction):
    """An action whose outcome the test sets; its name is set per instance, so the registry of
    real actions is left alone."""

    def __init__(self, name: str, outcome: object) -> None:
        self.action_name = name  # type: ignore[misc]
        self.outcome = outcome

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        dispatcher.utter_message(text="Done.")
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def _safely(action: WaterDeskAction, **kw: object) -> list[dict]:
    t = tracker(text="yes", **kw)  # type: ignore[arg-type]
    dispatcher = CollectingDispatcher()
    asyncio.run(action.safely(dispatcher, t, Context.of(t)))
    return dispatcher.messages


def test_a_finished_task_is_marked_after_its_answer() -> None:
    messages = _safely(Scripted("action_update_contact", [SlotSet("contact_change", None)]))
    kept, signals = split_signals(messages)
    assert [m["text"] for m in kept] == ["Done."]
    assert signals.tasks_done == ["action_update_contact"]
    assert messages[-1]["custom"] == {"task_done": "action_update_contact"}


@pytest.mark.parametrize("outcome", [
    [SlotSet("offer", "order:action_stop_service")],  # a read-back waiting for a yes
    [ActiveLoop("verify_form")],  # verifying first
    [SlotSet("handed_off", True)],  # a person takes it
    APIError(422, "no such date"),  # the backend refused
])
def test_no_mark_while_asking_handing_off_or_failing(outcome: object) -> None:
    messages = _safely(Scripted("action_stop_service", outcome))
    assert split_signals(messages)[1].tasks_done == []


def test_only_task_actions_are_marked() -> None:
    assert not split_signals(_safely(Scripted("action_ask_rates", [])))[1].tasks_done
    assert "action_greet" not in TASKS_DONE
    # Every name in the set is a real action, so a rename can't silently stop the marks.
    import importlib

    for topic in ("billing", "contact_check", "general", "leaks", "orders", "outages",
                  "service"):
        importlib.import_module(f"actions.{topic}")
    assert TASKS_DONE <= set(REGISTRY)


def test_a_yes_to_an_offer_finishes_the_task_that_offered_it() -> None:
    yes = tracker(text="yes", intent="affirm", slots={"offer": "autopay:on"})
    assert finished_task("action_accept_offer", yes, [SlotSet("offer", None)]) == "action_autopay"
    plan = tracker(text="yes", intent="affirm", slots={"offer": "arrangement:6"})
    assert finished_task("action_accept_offer", plan, [SlotSet("offer", None)]) == \
        "action_payment_arrangement"
    # A yes to "talk to a person?" or a menu is not a finished task.
    person = tracker(text="yes", intent="affirm", slots={"offer": "handoff:request"})
    assert finished_task("action_accept_offer", person, [SlotSet("handed_off", True)]) is None
    menu = tracker(text="yes", intent="affirm", slots={"offer": "high_bill"})
    assert finished_task("action_accept_offer", menu, []) is None
