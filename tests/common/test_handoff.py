"""The handoff contract both interpreters share."""

import pytest

from common.handoff import PRIORITIES, SKILLS, Handoff, Skill, priority_rank, read_handoff


def test_priorities_and_skills():
    assert PRIORITIES == ("emergency", "distressed", "complex", "request")
    assert SKILLS == ("spanish", "billing", "field", "supervisor")
    assert Skill("supervisor") is Skill.supervisor
    assert [priority_rank(p) for p in (*PRIORITIES, "whatever", None)] == [0, 1, 2, 3, 3, 3]


def test_the_message_the_bot_sends_is_what_the_hub_reads():
    sent = Handoff(reason_code="threat", reason_en="Threat", reason_es="Amenaza",
                   priority="complex", skills=("supervisor", "spanish"), language="es",
                   summary="…", verified_account="1000001", collected={"zip": "92688"})
    payload = sent.to_payload()
    assert payload["skills"] == ["spanish", "supervisor"]  # SKILLS order
    assert payload["reason"] == {"en": "Threat", "es": "Amenaza"}
    assert read_handoff({"handoff": payload}) == payload


def test_the_bot_cannot_send_an_unknown_priority_or_skill():
    with pytest.raises(ValueError):
        Handoff(reason_code="x", reason_en="", reason_es="", priority="urgent!!")
    with pytest.raises(ValueError):
        Handoff(reason_code="x", reason_en="", reason_es="", skills=("plumbing",))


@pytest.mark.parametrize("custom", [None, "handoff", {}, {"handoff": "yes"}, {"other": {}}])
def test_no_handoff(custom):
    assert read_handoff(custom) is None


def test_a_malformed_handoff_is_read_safely():
    read = read_handoff({"handoff": {"priority": "top", "skills": ["billing", 7, "plumbing"],
                                     "reason": "angry"}})
    assert read is not None
    assert read["priority"] == "request" and read["skills"] == ["billing"]
    assert read["reason"] == {"en": "", "es": ""}
