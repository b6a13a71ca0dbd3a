"""Urgent messages against the real backend: the emergency line and a crew where the customer
said, health advice with a work order, and the right reason for every other kind of urgency."""

import pytest

from actions.leaks import ActionWaterQuality
from actions.urgent import ActionUrgent, place_in
from tests.utils.trackers import run, slot, texts, tracker

pytestmark = pytest.mark.usefixtures("backend")
PHONE = "(949) 459-6420, option 1"  # backend/district.yml


def urgent(text: str, category: str, *, lang: str = "en", sender: str,
           entities: list[dict] | None = None, second: str = "report_leak") -> tuple:
    t = tracker(text=text, intent="urgent", sender=sender, slots={"language": lang},
                entities=[*(entities or []), {"entity": "urgency", "value": category,
                                              "confidence_entity": 0.9}])
    t.latest_message["intent_ranking"] = [{"name": "urgent", "confidence": 0.9},
                                          {"name": second, "confidence": 0.6}]
    messages, events = run(ActionUrgent(), t)
    handoff = next(m["custom"]["handoff"] for m in messages if m.get("custom"))
    return texts(messages), handoff, events


@pytest.mark.parametrize(("text", "place"), [
    ("hydrant knocked over at Alondra and Oso Pkwy, water everywhere", "Alondra and Oso Pkwy"),
    ("main break on Crown Valley near the school!!", "Crown Valley near the school"),
    ("se rompio un tubo en la esquina de Antonio y Oso, sale mucha agua", "Antonio y Oso"),
    ("water is pouring into my house", None),
    ("there's a sinkhole in my street", None),
])
def test_a_place_in_the_message_is_found(text, place):
    assert place_in(text) == place


def test_an_emergency_gives_the_line_first_and_sends_a_crew_where_the_customer_said():
    said, handoff, events = urgent("hydrant knocked over at Alondra and Oso Pkwy, water everywhere",
                                   "emergency", sender="urgent-hydrant")
    first = said.splitlines()[0]
    assert PHONE in first  # the first line the customer reads
    assert "WO-" in said and "Alondra and Oso Pkwy" in said
    assert "address or nearest intersection" not in said
    assert handoff["priority"] == "emergency" and handoff["reason_code"] == "emergency"
    assert slot(events, "handed_off") is True


def test_an_emergency_without_a_place_still_goes_to_a_person_in_spanish():
    said, handoff, _ = urgent("hay agua saliendo con fuerza de la calle y entra a mi casa",
                              "emergency", lang="es", sender="urgent-es")
    assert PHONE in said.splitlines()[0] and "emergencias" in said
    assert "WO-" not in said and "calles más cercanas" in said
    assert handoff["priority"] == "emergency" and "spanish" in handoff["skills"]


@pytest.mark.parametrize(("text", "category", "code", "priority", "skill"), [
    ("my husband passed away last week and the bill is in his name", "bereavement", "distress",
     "distressed", None),
    ("the meter reader yelled at me and called me names", "misconduct", "misconduct", "complex",
     "supervisor"),
    ("they treat me different because of my accent", "discrimination", "misconduct", "complex",
     "supervisor"),
    ("voy a llamar a la policia si no arreglan esto", "threat", "threat", "complex", "supervisor"),
    ("shut off tomorrow and i have 3 kids at home, please", "hardship", "distress", "distressed",
     "billing"),
])
def test_each_kind_of_urgency_keeps_its_reason_priority_and_skills(text, category, code,
                                                                    priority, skill):
    _, handoff, _ = urgent(text, category, sender=f"urgent-{category}", second="check_balance")
    assert handoff["reason_code"] == code and handoff["priority"] == priority
    assert skill is None or skill in handoff["skills"]
    assert handoff["summary"] and handoff["reason"]["en"] and handoff["reason"]["es"]


def test_symptoms_get_advice_a_high_priority_order_and_a_person_never_the_standards_line():
    entities = [{"entity": "address", "value": "22 Alondra", "start": 40, "end": 50}]
    said, handoff, _ = urgent("my kids got a rash after a bath, water at 22 Alondra smells like "
                              "bleach", "health", sender="urgent-health", entities=entities,
                              second="water_quality")
    assert "meets all state and federal standards" not in said
    assert "bottled water" in said and "WO-" in said
    assert handoff["reason_code"] == "health_concern"


def test_water_quality_with_symptoms_is_not_met_with_the_standards_line():
    messages, events = run(ActionWaterQuality(), tracker(
        text="el agua huele a quimico y a mi hijo le dio diarrea", intent="water_quality",
        sender="quality-es", slots={"language": "es"}))
    said = texts(messages)
    assert "cumple con todas las normas" not in said and "agua embotellada" in said
    assert slot(events, "handed_off") is True
