"""backend.crud.analytics: a period's rows, loaded from both databases, give the domain's
numbers."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from backend.crud import analytics
from backend.domain.analytics import Rate
from backend.domain.district import load_district
from backend.models import Conversation, Message, Rating
from backend.models.conversations import ConversationStatus, Sender

TZ = load_district().tz  # America/Los_Angeles: UTC-8 in January
JAN10 = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)  # 10 AM on Jan 10 in the district
# (January: long before the six weeks of conversation history the demo seed adds.)


def _conversation(session, cid, created, *, language="en", channel="web", status="bot",
                  queued=None, wait=None, code=None, priority=None, messages=()):
    session.add(Conversation(
        id=cid, created_at=created, updated_at=created, channel=channel, language=language,
        status=ConversationStatus(status), queued_at=queued,
        claimed_at=queued + timedelta(seconds=wait) if wait is not None else None,
        handoff_priority=priority, handoff_reason=code and f"because {code}",
        handoff={"reason_code": code, "reason": {"en": f"{code} (en)", "es": f"{code} (es)"}}
        if code else {}))
    session.flush()
    for seq, (sender, intent) in enumerate(messages, start=1):
        session.add(Message(conversation_id=cid, seq=seq, sender=Sender(sender), text="x",
                            intent=intent, created_at=created))


def seed(session):
    """Three conversations on Jan 10 (one created at 23:30 district time, already Jan 11 in UTC),
    one the day before, and ratings on both days of the period and before it."""
    _conversation(session, "a" * 32, JAN10, messages=[
        ("customer", "pay_bill"), ("bot", None), ("customer", "nlu_fallback"), ("bot", None)])
    _conversation(session, "b" * 32, JAN10, language="es", status="closed", queued=JAN10,
                  wait=120, code="strong_emotion", priority="distressed", messages=[
                      ("customer", "report_leak"), ("bot", None), ("rep", None)])
    late = datetime(2026, 1, 11, 7, 30, tzinfo=UTC)  # 11:30 PM on Jan 10 in the district
    _conversation(session, "c" * 32, late, status="assigned", queued=late, wait=60,
                  code="request", priority="request", messages=[
                      ("customer", "request_human"), ("customer", None), ("rep", None)])
    _conversation(session, "d" * 32, datetime(2026, 1, 10, 7, 59, tzinfo=UTC),
                  messages=[("customer", "pay_bill")])  # 11:59 PM on Jan 9: outside
    for score, at, channel, lang, person, cid in (
            (5, JAN10, "web", "en", False, "a"),
            (2, datetime(2026, 1, 11, 20, 0, tzinfo=UTC), "email", "es", True, "b"),
            (1, datetime(2026, 1, 10, 7, 0, tzinfo=UTC), "web", "en", False, "d")):
        session.add(Rating(score=score, created_at=at, channel=channel, language=lang,
                           person_involved=person, conversation_id=cid * 32))
    session.commit()


def test_a_period_from_the_database(fresh_client):
    with Session(fresh_client.app.state.engine) as session:
        seed(session)
        rep = analytics.report(session=session, start=date(2026, 1, 10),
                               end=date(2026, 1, 11), tz=TZ)
    jan10, jan11 = rep.days
    assert (jan10.day, jan11.day) == (date(2026, 1, 10), date(2026, 1, 11))
    t = jan10.totals
    assert t.conversations == 3
    assert t.containment == Rate(count=1, total=3, rate=1 / 3)
    assert t.handoffs == 2 and t.priorities["distressed"] == 1 and t.priorities["request"] == 1
    # pay_bill, nlu_fallback, report_leak, request_human: the message said to a rep has none.
    assert t.fallback == Rate(count=1, total=4, rate=0.25)
    assert (t.waits, t.wait_p50_s, t.wait_p90_s) == (2, 60, 120)
    assert t.csat.ratings == 1 and t.csat.average == 5.0
    assert jan11.totals.conversations == 0 and jan11.totals.csat.average == 2.0
    assert jan10.by_language["es"].containment == Rate(count=0, total=1, rate=0.0)
    assert jan10.by_language["en"].containment == Rate(count=1, total=2, rate=0.5)
    assert [(r.key, r.count, r.label_es) for r in rep.handoff_reasons] == [
        ("request", 1, "request (es)"), ("strong_emotion", 1, "strong_emotion (es)")]
    assert [(i.key, i.count) for i in rep.top_intents] == [
        ("pay_bill", 1), ("report_leak", 1), ("request_human", 1)]
    assert rep.csat_by_channel["email"].average == 2.0
    assert rep.csat_by_involvement["person"].ratings == 1
    assert rep.totals.csat.ratings == 2  # the rating given on Jan 9 is outside
