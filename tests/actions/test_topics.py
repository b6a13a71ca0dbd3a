"""Topic actions against the real backend: verification first, then the records, in both languages."""

import pytest

from actions.billing import ActionCheckBalance, ActionHighBill, ActionPayBill
from actions.general import ActionAcceptOffer, ActionDefaultFallback
from actions.handoff import ActionHandoff
from actions.leaks import ActionReportLeak
from actions.outages import ActionWaterOutage
from actions.verification import ActionVerify
from tests.utils.trackers import close_api, run, slot, texts, tracker

pytestmark = pytest.mark.usefixtures("backend")


def verified(account: str, zip_code: str, lang: str = "en") -> dict:
    _, events = run(ActionVerify(), tracker(slots={"account_number": account, "zip": zip_code,
                                                   "language": lang}))
    return {"verified": True, "verification_token": slot(events, "verification_token"),
            "verified_account": account, "customer_name": slot(events, "customer_name"),
            "language": slot(events, "language")}


def test_balance_asks_for_verification_first_and_reveals_nothing():
    messages, events = run(ActionCheckBalance(), tracker(text="how much do i owe",
                                                          intent="check_balance"))
    assert "$" not in texts(messages)
    assert slot(events, "pending_action") == "action_check_balance"
    assert {"event": "active_loop", "name": "verify_form"} in [
        {k: e[k] for k in ("event", "name") if k in e} for e in events]


def test_verification_resumes_the_pending_request_in_the_preferred_language():
    messages, events = run(ActionVerify(), tracker(
        slots={"account_number": "1000001", "zip": "92688",
               "pending_action": "action_check_balance"}))
    text = texts(messages)
    # Maria prefers Spanish, and she hadn't written in English.
    assert "Gracias, Maria" in text and "Su saldo es de $84.12" in text
    assert slot(events, "verified") is True and slot(events, "language") == "es"


def test_wrong_details_count_failures_and_offer_a_person_at_three():
    t = tracker(slots={"account_number": "1000001", "zip": "90210", "verify_failures": 2})
    messages, events = run(ActionVerify(), t)
    assert "representative" in texts(messages)
    assert slot(events, "offer") == "handoff:verification_failed"
    assert slot(events, "verified") is None


def test_high_bill_explains_the_leak_and_offers_next_steps():
    slots = verified("1000002", "92694")
    messages, events = run(ActionHighBill(), tracker(text="why is my bill so high",
                                                     intent="high_bill", slots=slots))
    text = texts(messages).lower()
    assert "night" in text or "leak" in text
    buttons = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert '/inform{"option": "reread"}' in buttons
    assert slot(events, "offer") == "high_bill"


def test_payment_info_never_takes_a_card_and_masks_one_sent():
    card = [{"entity": "card_number", "value": "**** **** **** 1111", "start": 0, "end": 19}]
    messages, _ = run(ActionPayBill(), tracker(text="4111 1111 1111 1111", intent="pay_bill",
                                               entities=card))
    text = texts(messages)
    assert "never take card numbers" in text and "pay.smwd.example.com" in text
    assert "4111" not in text


def test_accepting_autopay_enrolls_the_account():
    slots = {**verified("1000001", "92688"), "language": "en", "offer": "autopay:on"}
    messages, _ = run(ActionAcceptOffer(), tracker(text="yes", intent="affirm", slots=slots))
    assert "signed up for autopay" in texts(messages)


def test_emergency_leak_creates_an_emergency_order_and_hands_off():
    t = tracker(text="water gushing from the street", intent="report_leak",
                slots={"leak_location": "street", "severity": "emergency",
                       "leak_address": "Antonio Pkwy at Oso Pkwy"})
    messages, events = run(ActionReportLeak(), t)
    assert "WO-" in texts(messages)
    handoff = next(m["custom"]["handoff"] for m in messages if m.get("custom"))
    assert handoff["priority"] == "emergency"
    assert slot(events, "handed_off") is True


def test_outage_lookup_by_zip():
    t = tracker(text="any outage in 92688", intent="water_outage",
                entities=[{"entity": "zip", "value": "92688", "start": 14, "end": 19}])
    messages, _ = run(ActionWaterOutage(), t)
    assert "Antonio" in texts(messages)


def test_second_fallback_in_a_row_hands_off():
    miss = {"event": "user", "text": "asdf", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    t = tracker(text="zzzz", intent="nlu_fallback", events=[miss])
    t.latest_message["intent"]["name"] = "nlu_fallback"
    messages, _ = run(ActionDefaultFallback(), t)
    assert any(m.get("custom", {}).get("handoff") for m in messages)


def test_explicit_request_and_a_threat_are_handed_off_with_reasons():
    messages, _ = run(ActionHandoff(), tracker(text="let me talk to a person",
                                               intent="request_human"))
    handoff = next(m["custom"]["handoff"] for m in messages if m.get("custom"))
    assert handoff["reason_code"] == "request" and handoff["priority"] == "request"
    messages, _ = run(ActionCheckBalance(), tracker(
        text="if this isn't fixed today I'm calling my lawyer", intent="check_balance"))
    handoff = next(m["custom"]["handoff"] for m in messages if m.get("custom"))
    assert handoff["reason_code"] == "threat" and "supervisor" in handoff["skills"]


def test_backend_down_is_told_plainly_and_queued(monkeypatch):
    from actions.api.client import WaterDeskAPI

    slots = verified("1000001", "92688")
    # Nothing listens on port 9: the same client, pointed at a backend that is down.
    dead = WaterDeskAPI(base_url="http://127.0.0.1:9", token="x", timeout=2)
    monkeypatch.setattr("actions.common.get_api", lambda: dead)
    messages, _ = run(ActionCheckBalance(), tracker(text="balance", intent="check_balance",
                                                    slots={**slots, "language": "en"}))
    close_api(dead)
    assert "can't reach our customer records" in texts(messages)
    assert any(m.get("custom", {}).get("handoff") for m in messages)


def test_an_unsure_message_about_gushing_water_still_starts_the_leak_triage():
    entities = [{"entity": "severity", "value": "emergency", "start": 9, "end": 16},
                {"entity": "leak_location", "value": "street", "start": 28, "end": 34}]
    t = tracker(text="water is gushing out of the street", intent="nlu_fallback",
                entities=entities)
    messages, events = run(ActionDefaultFallback(), t)
    assert not messages
    assert slot(events, "severity") == "emergency" and slot(events, "leak_location") == "street"
    assert {"event": "active_loop", "name": "leak_form"} in [
        {k: e[k] for k in ("event", "name") if k in e} for e in events]


@pytest.mark.parametrize(("value", "text", "expected"), [
    ("street", "", "street"),
    ("of the street", "water shooting up out of the street", "street"),
    ("calle", "", "street"),
    ("junto a la caja del", "la fuga esta junto a la caja del medidor", "meter_box"),
    ("en el garage", "en el garage", "inside"),
    ("somewhere", "it's hard to say", None),
])
def test_leak_places_from_loose_spans(value, text, expected):
    from actions.leaks import PLACES, canonical

    assert canonical(value, choices=PLACES, text=text) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("shooting", "emergency"), ("a chorros", "emergency"), ("goteando poquito", "minor"),
    ("emergency", "emergency"), ("hmm", None),
])
def test_leak_severity_from_loose_spans(value, expected):
    from actions.leaks import SEVERITY, canonical

    assert canonical(value, choices=SEVERITY) == expected


@pytest.mark.parametrize(("slot", "text", "entities", "expected"), [
    ("severity", "just a small puddle", [], {"severity": "minor"}),
    ("severity", "sale a chorros", [], {"severity": "emergency"}),
    ("leak_location", "by the curb out front", [], {"leak_location": "sidewalk"}),
    ("severity", "hmm not sure", [], {}),
    # A span the NLU found is the form's own mapping to validate, not ours to guess.
    ("severity", "small puddle", [{"entity": "severity", "value": "minor"}], {}),
])
def test_the_leak_forms_question_is_answered_by_the_customers_words(slot, text, entities,
                                                                     expected):
    import asyncio

    from actions.leaks import ValidateLeakForm

    form = ValidateLeakForm()
    t = tracker(text=text, entities=entities, slots={"requested_slot": slot})
    extract = getattr(form, f"extract_{slot}")
    assert asyncio.run(extract(None, t, {})) == expected
    other = "severity" if slot == "leak_location" else "leak_location"
    asked_other = tracker(text=text, entities=entities, slots={"requested_slot": other})
    assert asyncio.run(extract(None, asked_other, {})) == {}
