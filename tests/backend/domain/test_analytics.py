"""backend.domain.analytics: the numbers, computed by hand for small sets of rows."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.domain import analytics as a
from backend.domain.analytics import ConversationRow, RatingRow

LA = ZoneInfo("America/Los_Angeles")  # the district's zone; UTC-8 in December
DAY1, DAY2 = date(2026, 12, 1), date(2026, 12, 2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A district wall-clock time, as the UTC instant the database stores."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LA).astimezone(UTC)


def conv(cid, created, *, lang="en", queued=None, claimed=None, rep_messages=0, status="bot",
         customer=1, intents=None, priority=None, code=None, reason=None, channel="web"):
    handoff = {}
    if code:
        handoff = {"reason_code": code, "reason": reason or {"en": code, "es": code}}
    return ConversationRow(id=cid, created_at=created, channel=channel, language=lang,
                           status=status, queued_at=queued, claimed_at=claimed,
                           handoff_priority=priority, handoff=handoff,
                           customer_messages=customer, rep_messages=rep_messages,
                           intents=intents or {})


def test_percentile_is_nearest_rank_for_odd_and_even_counts():
    assert a.percentile(values=[], p=50) is None
    assert a.percentile(values=[7], p=50) == 7 and a.percentile(values=[7], p=90) == 7
    odd = [50, 10, 40, 20, 30]  # sorted 10 20 30 40 50
    assert a.percentile(values=odd, p=50) == 30  # rank ceil(2.5) = 3
    assert a.percentile(values=odd, p=90) == 50  # rank ceil(4.5) = 5
    even = [40, 10, 30, 20]  # sorted 10 20 30 40
    assert a.percentile(values=even, p=50) == 20  # rank ceil(2.0) = 2: no interpolation (not 25)
    assert a.percentile(values=even, p=90) == 40  # rank ceil(3.6) = 4
    ten = list(range(1, 11))
    assert a.percentile(values=ten, p=90) == 9  # rank 9 exactly
    with pytest.raises(ValueError):
        a.percentile(values=ten, p=0)


def test_rates_carry_their_counts_and_never_divide_by_zero():
    assert a.rate(count=0, total=0) == a.Rate(count=0, total=0, rate=None)
    assert a.rate(count=1, total=4) == a.Rate(count=1, total=4, rate=0.25)


def test_containment_counts_only_what_no_person_touched():
    t = at(DAY1, 10)
    rows = [
        conv("bot-only", t),
        conv("bot-closed", t, status="closed"),
        conv("queued", t, queued=t, status="queued"),
        conv("claimed", t, queued=t, claimed=t, status="closed"),
        conv("rep-wrote", t, rep_messages=1, status="closed"),  # a rep wrote without a queue
        conv("silent", t, customer=0),  # opened the chat, said nothing: not in the rate
    ]
    m = a.metrics(conversations=rows, ratings=[])
    assert m.conversations == 6
    assert m.containment == a.Rate(count=2, total=5, rate=0.4)
    assert m.handoffs == 2  # queued and claimed; a rep's message alone is no handoff


def test_fallback_rate_and_top_intents():
    t = at(DAY1, 9)
    rows = [conv("1", t, intents={"pay_bill": 3, "nlu_fallback": 1}),
            conv("2", t, lang="es", intents={"pay_bill": 1, "report_leak": 2, "nlu_fallback": 1}),
            conv("3", t, intents={"report_leak": 1, "check_balance": 1})]
    rep = a.report(start=DAY1, end=DAY1, tz=LA, conversations=rows, ratings=[])
    assert rep.totals.fallback == a.Rate(count=2, total=10, rate=0.2)
    assert rep.by_language["en"].fallback == a.Rate(count=1, total=6, rate=1 / 6)
    assert rep.by_language["es"].fallback == a.Rate(count=1, total=4, rate=0.25)
    top = [(i.key, i.count, i.by_language) for i in rep.top_intents]
    # Most first, ties by name; the fallback is left out (it has its own rate).
    assert top == [("pay_bill", 4, {"en": 3, "es": 1}), ("report_leak", 3, {"en": 1, "es": 2}),
                   ("check_balance", 1, {"en": 1, "es": 0})]
    assert rep.top_intents[0].share == a.Rate(count=4, total=10, rate=0.4)


def test_waits_p50_p90_and_a_transfer_skipped():
    t = at(DAY1, 10)
    rows = [conv(str(s), t, queued=t, claimed=t + timedelta(seconds=s), status="closed")
            for s in (30, 60, 90, 120, 600)]
    # Queued again after its first claim (a transfer): its first wait is unknown.
    rows.append(conv("moved", t, queued=t + timedelta(hours=1), claimed=t, status="queued"))
    m = a.metrics(conversations=rows, ratings=[])
    assert (m.waits, m.wait_p50_s, m.wait_p90_s) == (5, 90, 600)
    m = a.metrics(conversations=rows[:4], ratings=[])  # 30 60 90 120
    assert (m.waits, m.wait_p50_s, m.wait_p90_s) == (4, 60, 120)


def test_handoff_reasons_by_code_and_priorities_in_queue_order():
    t = at(DAY1, 11)
    angry = {"en": "The customer is upset", "es": "El cliente está molesto"}
    rows = [conv("1", t, queued=t, priority="distressed", code="strong_emotion", reason=angry),
            conv("2", t, lang="es", queued=t, priority="distressed", code="strong_emotion",
                 reason={"en": "Upset again (other words)", "es": "Otra vez"}),
            conv("3", t, queued=t, priority="request", code="request"),
            conv("4", t, queued=t, priority="bogus"),  # no code, unknown priority
            conv("5", t)]
    rep = a.report(start=DAY1, end=DAY1, tz=LA, conversations=rows, ratings=[])
    reasons = [(r.key, r.count, r.by_language["es"]) for r in rep.handoff_reasons]
    assert reasons == [("strong_emotion", 2, 1), ("request", 1, 0), ("unspecified", 1, 0)]
    first = rep.handoff_reasons[0]
    assert (first.label_en, first.label_es) == (angry["en"], angry["es"])
    assert first.share == a.Rate(count=2, total=4, rate=0.5)
    assert [(p.key, p.count) for p in rep.handoff_priorities] == [
        ("emergency", 0), ("distressed", 2), ("complex", 0), ("request", 2)]
    assert rep.totals.priorities == {"emergency": 0, "distressed": 2, "complex": 0, "request": 2}


def test_csat_by_channel_and_by_bot_or_person():
    t = at(DAY1, 12)
    ratings = [RatingRow(score=5, created_at=t, channel="web"),
               RatingRow(score=4, created_at=t, channel="web", person_involved=True),
               RatingRow(score=2, created_at=t, channel="email", language="es",
                         person_involved=True),
               RatingRow(score=3, created_at=t, channel="web", language="es")]
    rep = a.report(start=DAY1, end=DAY1, tz=LA, conversations=[], ratings=ratings)
    assert rep.totals.csat == a.Csat(ratings=4, average=3.5, satisfied=a.rate(count=2, total=4))
    assert rep.csat_by_channel == {
        "email": a.Csat(ratings=1, average=2.0, satisfied=a.rate(count=0, total=1)),
        "web": a.Csat(ratings=3, average=4.0, satisfied=a.rate(count=2, total=3))}
    assert rep.csat_by_involvement["bot"] == a.Csat(ratings=2, average=4.0,
                                                    satisfied=a.rate(count=1, total=2))
    assert rep.csat_by_involvement["person"] == a.Csat(ratings=2, average=3.0,
                                                       satisfied=a.rate(count=1, total=2))
    assert rep.by_language["es"].csat.average == 2.5
    assert rep.totals.csat_person == rep.csat_by_involvement["person"]


def test_days_follow_the_districts_midnight_not_utc():
    # 23:59 on Dec 1 in Los Angeles is 07:59 UTC on Dec 2; 00:00 on Dec 2 is 08:00 UTC.
    late = datetime(2026, 12, 2, 7, 59, tzinfo=UTC)
    midnight = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    naive_utc = datetime(2026, 12, 2, 7, 30)  # a database's naive UTC: still Dec 1 in LA
    before = datetime(2026, 12, 1, 7, 59, tzinfo=UTC)  # Nov 30 in LA: outside the period
    rows = [conv("late", late), conv("midnight", midnight), conv("naive", naive_utc),
            conv("before", before)]
    ratings = [RatingRow(score=5, created_at=late), RatingRow(score=1, created_at=midnight)]
    rep = a.report(start=DAY1, end=DAY2, tz=LA, conversations=rows, ratings=ratings)
    assert [(d.day, d.totals.conversations, d.totals.csat.average) for d in rep.days] == [
        (DAY1, 2, 5.0), (DAY2, 1, 1.0)]
    assert rep.totals.conversations == 3
    assert a.period_bounds(start=DAY1, end=DAY2, tz=LA) == (datetime(2026, 12, 1, 8, tzinfo=UTC),
                                               datetime(2026, 12, 3, 8, tzinfo=UTC))


def test_an_empty_period_has_every_day_with_zeros():
    rep = a.report(start=date(2026, 11, 1), end=date(2026, 11, 30), tz=LA, conversations=[],
                   ratings=[])
    assert len(rep.days) == 30 and rep.days[0].day == date(2026, 11, 1)
    # 1 Nov 2026 is the day daylight saving ends: still one bucket per calendar day.
    day = rep.days[0]
    assert day.totals.conversations == 0 and day.totals.containment == a.rate(count=0, total=0)
    assert day.totals.wait_p50_s is None and day.totals.csat.average is None
    assert set(day.by_language) == {"en", "es"}
    assert rep.handoff_reasons == [] and rep.top_intents == []
    assert [p.count for p in rep.handoff_priorities] == [0, 0, 0, 0]


def test_the_period_is_checked():
    a.check_period(start=DAY1, end=DAY1)
    a.check_period(start=date(2026, 1, 1), end=date(2026, 12, 31))  # 365 days
    with pytest.raises(ValueError, match="before"):
        a.check_period(start=DAY2, end=DAY1)
    with pytest.raises(ValueError, match="366"):
        a.check_period(start=date(2025, 1, 1), end=date(2026, 1, 2))


def test_csv_has_a_row_per_day_and_totals_and_no_formulas():
    t = at(DAY1, 10)
    rows = [conv("1", t, queued=t, claimed=t + timedelta(seconds=45), status="closed",
                 priority="request", code="=HYPERLINK(\"http://x\")", intents={"pay_bill": 1}),
            conv("2", at(DAY2, 10), lang="es", intents={"nlu_fallback": 1})]
    text = a.csv_text(a.report(start=DAY1, end=DAY2, tz=LA, conversations=rows, ratings=[]))
    table = list(csv.reader(io.StringIO(text)))
    header, *body = table
    assert [r[0] for r in body] == ["2026-12-01", "2026-12-02", "total"]
    col = {name: i for i, name in enumerate(header)}
    assert body[0][col["conversations"]] == "1" and body[0][col["wait_p50_s"]] == "45.0"
    assert body[0][col["containment_rate"]] == "0.0"
    assert body[1][col["es_containment_rate"]] == "1.0"
    assert body[2][col["fallback_rate"]] == "0.5" and body[2][col["es_fallbacks"]] == "1"
    # A reason code is the bot's text: it only ever follows "reason_", and no cell is a formula.
    assert 'reason_=HYPERLINK("http://x")' in header
    assert body[0][header.index('reason_=HYPERLINK("http://x")')] == "1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    assert a.safe_cell("=1+1") == "'=1+1" and a.safe_cell("-3") == "'-3"
    assert a.safe_cell("@SUM(A1)") == "'@SUM(A1)" and a.safe_cell("+1") == "'+1"
    assert a.safe_cell("ok") == "ok" and a.safe_cell(None) == ""
