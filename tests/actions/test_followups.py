"""What the bot offered or was told is honoured, against the real backend: orders read back
before they are placed, offers of a person or a next step taken on a yes, details given in the
request kept, nothing queued for a review nobody needs, and a second request done in turn."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from actions.billing import ActionCheckBalance, ActionFeeWaiver, ActionShutoff
from actions.general import ActionAcceptOffer, ActionDeclineOffer
from actions.handoff import ActionHandleComplaint
from actions.service import ActionBeginServiceForm, ActionStopService
from actions.verification import ActionVerify
from common import clock
from tests.actions.test_topics import verified
from tests.utils.trackers import run, slot, texts, tracker

pytestmark = pytest.mark.usefixtures("backend")


def weekday_ahead(days: int) -> str:
    day = clock.today(ZoneInfo("America/Los_Angeles")) + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def handed_off(messages: list[dict]) -> bool:
    return any(m.get("custom", {}).get("handoff") for m in messages)


def test_a_stop_order_is_read_back_and_placed_only_after_a_yes():
    day = weekday_ahead(20)
    slots = {**verified("1000002", "92694"), "language": "en", "service_date": day,
             "forwarding_address": "9 Elm St, Irvine CA 92618"}
    messages, events = run(ActionStopService(), tracker(sender="stop-readback", slots=slots))
    said = texts(messages)
    assert said.startswith("To confirm: stop service on account 1000002") and "9 Elm St" in said
    assert "order" in said and "SO-" not in said
    assert slot(events, "offer") == "order:action_stop_service"
    no, _ = run(ActionDeclineOffer(), tracker(text="no", intent="deny", sender="stop-readback",
                                              slots={**slots, "offer": slot(events, "offer")}))
    assert "haven't placed the order" in texts(no)
    yes, events = run(ActionAcceptOffer(), tracker(
        text="yes", intent="affirm", sender="stop-readback",
        slots={**slots, "offer": "order:action_stop_service"}))
    assert "Done. Service on account 1000002 stops" in texts(yes)
    assert slot(events, "offer") is None


def test_the_date_and_address_in_the_request_fill_the_form_and_are_not_verification_factors():
    day = weekday_ahead(20)
    entities = [{"entity": "address", "value": "5 Oso Pkwy", "start": 22, "end": 32},
                {"entity": "zip", "value": "92688", "start": 34, "end": 39},
                {"entity": "date", "value": day, "start": 43, "end": 55}]
    _, events = run(ActionBeginServiceForm(), tracker(
        text="move my service to 5 Oso Pkwy, 92688 on march 3rd please",
        intent="transfer_service", entities=entities))
    assert slot(events, "service_address") == "5 Oso Pkwy" and slot(events, "service_date") == day
    # The ZIP is the new address's, so the verification form must not take it as the factor.
    assert {"event": "slot", "name": "zip", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]
    phone = [{"entity": "phone", "value": "9495550199", "start": 19, "end": 31}]
    _, events = run(ActionBeginServiceForm(), tracker(
        text="change my phone to 949 555 0199", intent="update_contact", entities=phone))
    assert slot(events, "contact_change") == "change my phone to 949 555 0199"
    assert {"event": "slot", "name": "phone", "value": None} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events]


def test_nothing_to_waive_is_said_plainly_without_a_referral():
    slots = {**verified("1000001", "92688"), "language": "en"}
    messages, events = run(ActionFeeWaiver(), tracker(
        text="can you waive my late fee", intent="fee_waiver", sender="waiver-none", slots=slots))
    assert "no late fee" in texts(messages) and not handed_off(messages)
    assert slot(events, "handed_off") is None


def test_a_yes_to_the_offer_of_a_person_hands_off_in_both_languages():
    for lang, yes in (("en", "yes"), ("es", "sí")):
        messages, events = run(ActionHandleComplaint(), tracker(
            text="I'm not happy with how my last call went", intent="complain",
            slots={"language": lang}))
        assert slot(events, "offer") == "handoff:request"
        messages, _ = run(ActionAcceptOffer(), tracker(
            text=yes, intent="affirm", slots={"language": lang, "offer": "handoff:request"}))
        assert handed_off(messages), texts(messages)


def test_a_yes_to_checking_a_plan_after_a_shutoff_notice_checks_it():
    slots = {**verified("2000001", "92691"), "language": "en"}
    messages, events = run(ActionShutoff(), tracker(text="am i getting shut off", intent="shutoff",
                                                    sender="shutoff-plan", slots=slots))
    assert slot(events, "offer") == "run:action_payment_arrangement"
    messages, _ = run(ActionAcceptOffer(), tracker(
        text="yes", intent="affirm", sender="shutoff-plan",
        slots={**slots, "offer": "run:action_payment_arrangement"}))
    assert "payment" in texts(messages).lower() and "Great! What can I help" not in texts(messages)


@pytest.mark.parametrize(("text", "lang", "told"), [
    ("is a shut-off scheduled, and what is the reconnection fee?", "en", True),
    ("¿me van a cortar el agua? ¿cuánto cuesta reconectar?", "es", True),
    ("am i getting shut off", "en", False),
])
def test_no_shutoff_scheduled_and_what_reconnecting_would_cost(text, lang, told):
    slots = {**verified("1000002", "92694"), "language": lang}
    messages, _ = run(ActionShutoff(), tracker(text=text, intent="shutoff", slots=slots))
    reply = texts(messages)
    assert "no shut-off scheduled" in reply or "no hay corte programado" in reply
    assert ("$75.00" in reply and "$150.00" in reply) is told, reply


def test_a_second_request_is_done_after_the_first_even_across_verification():
    t = tracker(text="what do i owe and also sign me up for autopay", intent="check_balance")
    t.latest_message["intent_ranking"] = [{"name": "check_balance", "confidence": 0.6},
                                          {"name": "autopay", "confidence": 0.3}]
    _, events = run(ActionCheckBalance(), t)
    assert slot(events, "next_request") == "autopay" and slot(events, "pending_action")
    messages, events = run(ActionVerify(), tracker(slots={
        "account_number": "1000002", "zip": "92694", "language": "en",
        "pending_action": "action_check_balance", "next_request": "autopay"}))
    said = texts(messages)
    assert "$312.40" in said and "autopay" in said.lower()
    assert slot(events, "next_request") is None


def test_a_request_only_the_intent_model_heard_is_asked_about_not_assumed():
    from actions.handoff import ActionHandoff

    messages, events = run(ActionHandoff(), tracker(
        text="how do I add my wife as an authorized person on the account",
        intent="request_human"))
    assert not handed_off(messages) and "connect you with a representative?" in texts(messages)
    assert slot(events, "offer") == "handoff:request"
    urgent = [{"entity": "urgency", "value": "request_person", "confidence_entity": 0.9}]
    for text, entities in (("can i talk to a real person", []), ("operadora", urgent),
                           ("/request_human", [])):
        messages, _ = run(ActionHandoff(), tracker(text=text, intent="request_human",
                                                   entities=entities))
        assert handed_off(messages), text


def test_unsure_between_two_requests_the_bot_asks_which():
    from actions.general import ActionDefaultFallback

    t = tracker(text="can i split my bill", intent="nlu_fallback", sender="torn", slots={})
    t.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.4},
                                          {"name": "pay_bill", "confidence": 0.41},
                                          {"name": "payment_arrangement", "confidence": 0.39}]
    messages, _ = run(ActionDefaultFallback(), t)
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert payloads == ["/pay_bill", "/payment_arrangement"], texts(messages)
    t.latest_message["intent_ranking"][2] = {"name": "greet", "confidence": 0.39}
    messages, _ = run(ActionDefaultFallback(), t)
    assert "/pay_bill" not in [b["payload"] for m in messages for b in m.get("buttons") or []]
