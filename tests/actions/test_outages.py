"""No water and low pressure: a report, answered by a known outage or by a crew; a question about
outages is looked up; without a place, the bot asks where (no verification needed)."""

import sqlite3
from datetime import timedelta
from itertools import count

import pytest

from actions.outages import ActionReportOutage, ActionWaterOutage, ValidateOutageForm
from common import clock
from tests.actions.test_topics import verified
from tests.utils.trackers import run, slot, texts
from tests.utils.trackers import tracker as base_tracker

pytestmark = pytest.mark.usefixtures("backend")
_turns = count()


def tracker(**kwargs):  # type: ignore[no-untyped-def]
    """Each its own conversation: the actions' writes are idempotent per conversation and turn."""
    return base_tracker(sender=f"outages-{next(_turns)}", **kwargs)


def database(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    """The backend fixture's own SQLite database (tests/actions/conftest.py)."""
    found = sorted(tmp_path_factory.getbasetemp().glob("backend*/waterdesk.sqlite3"))
    assert found, "the backend fixture's database was not found"
    return sqlite3.connect(found[0])


def zip_entity(text: str, value: str) -> list[dict]:
    start = text.index(value)
    return [{"entity": "zip", "value": value, "start": start, "end": start + len(value)}]


def test_no_water_at_a_zip_is_reported_and_a_crew_sent():
    text = "no tengo agua en 92694"
    messages, events = run(ActionWaterOutage(), tracker(
        text=text, intent="water_outage", entities=zip_entity(text, "92694"),
        slots={"language": "es"}))
    reply = texts(messages)
    assert "OR-" in reply and "WO-" in reply and "prioridad alta" in reply, reply
    assert slot(events, "outage_kind") is None  # cleared once filed


def test_low_pressure_gets_a_normal_visit_and_tips():
    text = "the water pressure is really weak at 14 Vista Ridge 92694"
    entities = [{"entity": "address", "value": "14 Vista Ridge", "start": 37, "end": 51},
                *zip_entity(text, "92694")]
    messages, _ = run(ActionWaterOutage(), tracker(text=text, intent="water_outage",
                                                   entities=entities))
    reply = texts(messages)
    assert "low pressure" in reply and "one business day" in reply and "aerator" in reply, reply
    assert "14 Vista Ridge 92694" in reply


def test_without_a_place_the_bot_asks_where_and_verification_is_not_needed():
    _, events = run(ActionWaterOutage(), tracker(text="i have no water", intent="water_outage"))
    assert {"event": "active_loop", "name": "outage_form"} in [
        {k: e[k] for k in ("event", "name") if k in e} for e in events]
    assert slot(events, "outage_kind") == "no_water" and slot(events, "pending_action") is None
    form = ValidateOutageForm()
    assert form.validate_outage_address("22 alondra", None, None, {}) == {  # type: ignore[arg-type]
        "outage_address": "22 alondra"}
    # After the form: the report at the place given.
    messages, _ = run(ActionReportOutage(), tracker(
        text="22 Alondra 92688", slots={"outage_kind": "no_water",
                                        "outage_address": "22 Alondra 92688"}))
    assert "OR-" in texts(messages)


def test_a_place_that_is_no_place_is_asked_again():
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    result = ValidateOutageForm().validate_outage_address(
        "idk", dispatcher, tracker(text="idk"), {})
    assert result == {"outage_address": None} and "ZIP" in texts(dispatcher.messages)


def test_a_verified_customer_reports_at_their_premise():
    slots = verified("1000002", "92694")
    messages, _ = run(ActionWaterOutage(), tracker(text="low water pressure", intent="water_outage",
                                                   slots=slots))
    assert "14 Vista Ridge" in texts(messages) and "OR-" in texts(messages)


def test_a_known_outage_answers_the_report(tmp_path_factory):
    now = clock.now()
    db = database(tmp_path_factory)
    # The suite's clock may differ from the real one: the outage spans both.
    stamp = "%Y-%m-%d %H:%M:%S.000000"
    db.execute("INSERT INTO outage (title, description, zips, streets, planned, starts_at, "
               "expected_restore_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
               ("Main break on Los Alisos", "Crews are repairing a broken main.", "92630",
                "Los Alisos", (now - timedelta(days=800)).strftime(stamp),
                (now + timedelta(days=800)).strftime(stamp)))
    db.commit()
    text = "no water since this morning at 92630"
    messages, _ = run(ActionWaterOutage(), tracker(text=text, intent="water_outage",
                                                   entities=zip_entity(text, "92630")))
    reply = texts(messages)
    assert "known outage" in reply and "Main break on Los Alisos" in reply, reply
    assert "WO-" not in reply and "OR-" in reply


def test_a_question_with_no_outage_offers_a_report_and_a_yes_asks_which():
    text = "is there an outage in 92679"
    messages, events = run(ActionWaterOutage(), tracker(text=text, intent="water_outage",
                                                        entities=zip_entity(text, "92679")))
    assert "don't see any outage" in texts(messages)
    assert slot(events, "offer") == "run:action_report_outage"
    assert slot(events, "outage_address") == "92679"
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert '/water_outage{"outage_kind": "no_water"}' in payloads and "/report_leak" in payloads
    messages, _ = run(ActionReportOutage(), tracker(
        text="yes", intent="affirm", slots={"offer": "run:action_report_outage",
                                            "outage_address": "92679"}))
    assert "no water at all" in texts(messages)
    # The button reports at the place looked up.
    payload = '/water_outage{"outage_kind": "low_pressure"}'
    messages, _ = run(ActionWaterOutage(), tracker(text=payload, intent="water_outage",
        entities=[{"entity": "outage_kind", "value": "low_pressure"}],
        slots={"outage_address": "92679"}))
    assert "ZIP 92679" in texts(messages) and "OR-" in texts(messages)
