"""The queue's rules: priority order, skills routing, waits and the out-of-hours notice."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from backend.domain.district import load_district
from backend.hub import queue as rules

T0 = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # a Monday, 10:00 in the district


@dataclass
class Entry:
    id: str
    handoff_priority: str | None
    queued_at: datetime | None
    skills: list[str] = field(default_factory=list)


@dataclass
class R:
    id: int
    skills: list[str]
    role: str = "rep"


def test_priority_then_age():
    entries = [Entry("req-old", "request", T0), Entry("emg", "emergency", T0 + timedelta(minutes=9)),
               Entry("cx", "complex", T0), Entry("dis", "distressed", T0 + timedelta(minutes=1)),
               Entry("req-new", "request", T0 + timedelta(minutes=5)),
               Entry("odd", "whatever", T0 - timedelta(minutes=1))]
    assert [e.id for e in rules.order(entries)] == ["emg", "dis", "cx", "odd", "req-old",
                                                    "req-new"]


def test_skills_routing_falls_back_to_anyone_when_nobody_has_them():
    spanish = Entry("es", "request", T0, ["spanish"])
    maria, sam = R(1, ["spanish", "billing"]), R(2, ["field"])
    assert rules.eligible(entry=spanish, rep=maria, reps_on_shift=[maria, sam])
    assert not rules.eligible(entry=spanish, rep=sam, reps_on_shift=[maria, sam])
    # With no Spanish speaker on shift, the customer isn't left waiting for nobody.
    assert rules.eligible(entry=spanish, rep=sam, reps_on_shift=[sam])


def test_a_supervisor_conversation_goes_to_a_supervisor():
    threat = Entry("cx", "complex", T0, ["supervisor"])
    maria, dana = R(1, ["spanish", "billing"]), R(3, ["billing"], role="supervisor")
    assert rules.eligible(entry=threat, rep=dana, reps_on_shift=[maria, dana])
    assert not rules.eligible(entry=threat, rep=maria, reps_on_shift=[maria, dana])


def test_expected_wait_and_after_hours_notice():
    district = load_district(None)
    open_avail = rules.availability(district=district, now=T0, reps_on_shift=2)
    assert open_avail.live
    state = rules.handoff_state(status="queued", position=3, avail=open_avail, handle_minutes=6)
    assert state["expected_wait_minutes"] == 9 and not state["can_leave_email"]
    assert "number 3" in rules.queue_notice(state=state, avail=open_avail, language="en")
    # Thanksgiving evening: closed until Friday's opening.
    closed = rules.availability(district=district, now=datetime(2026, 11, 27, 3, tzinfo=UTC),
                                reps_on_shift=0)
    state = rules.handoff_state(status="queued", position=1, avail=closed, handle_minutes=6)
    assert state["can_leave_email"] and state["expected_wait_minutes"] is None
    es = rules.queue_notice(state=state, avail=closed, language="es")
    assert "correo" in es and "a las" in es
    en = rules.queue_notice(state=state, avail=closed, language="en")
    assert "leave your email" in en
