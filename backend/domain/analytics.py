"""Supervisor analytics: containment, handoffs, intents, wait to claim, CSAT, by day and language.

Pure functions over plain rows (backend.crud.analytics loads them), so every number the console
shows and the CSV exports comes from here, not from the browser.

Definitions (the console and the CSV use these words):
- A conversation belongs to the district day it was *created* on; its handoff, wait and intents
  count on that day too. A rating belongs to the day it was *given*.
- Containment: of the conversations where the customer said something, the share the bot handled
  alone: never queued, never claimed or assigned, and no message from a rep.
- Fallback rate: customer messages the bot read as ``nlu_fallback`` over the customer messages it
  read at all (those with an intent; what a customer writes to a rep has none).
- Wait to claim: claimed_at - queued_at, in seconds. A conversation queued again after its first
  claim (a transfer) has a queued_at later than its claimed_at: its first wait is unknown, skipped.
- Percentiles use the nearest-rank method: the p-th percentile of n sorted values is the value at
  rank ceil(p/100 * n), 1-based; no interpolation, so it is always a wait that happened.
- CSAT: the average score (1-5), and the satisfied share (4 or 5 out of all ratings).
- A rate is a fraction with its counts, and None when there is nothing to divide by.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from common.handoff import DEFAULT_PRIORITY, PRIORITIES

LANGUAGES: tuple[str, ...] = ("en", "es")
FALLBACK_INTENT = "nlu_fallback"
MAX_DAYS = 366
TOP_INTENTS = 10
UNSPECIFIED_REASON = "unspecified"
# Statuses that mean a person has (or had) the conversation in hand.
_PERSON_STATUSES = frozenset({"queued", "assigned"})
# Cells a spreadsheet would run as a formula (CSV injection); tab and CR start one too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ConversationRow:
    id: str
    created_at: datetime
    channel: str = "web"
    language: str = "en"
    status: str = "bot"
    queued_at: datetime | None = None
    claimed_at: datetime | None = None
    assigned_rep_id: int | None = None
    handoff_priority: str | None = None
    handoff: Mapping = field(default_factory=dict)
    customer_messages: int = 0
    rep_messages: int = 0
    # intent -> how many of the customer's messages the bot read as it
    intents: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RatingRow:
    score: int
    created_at: datetime
    channel: str = "web"
    language: str = "en"
    person_involved: bool = False


@dataclass(frozen=True)
class Rate:
    count: int
    total: int
    rate: float | None


@dataclass(frozen=True)
class Csat:
    ratings: int
    average: float | None
    satisfied: Rate


@dataclass(frozen=True)
class Metrics:
    conversations: int
    containment: Rate
    handoffs: int
    fallback: Rate
    waits: int
    wait_p50_s: float | None
    wait_p90_s: float | None
    csat: Csat
    csat_bot: Csat
    csat_person: Csat
    priorities: dict[str, int]
    reasons: dict[str, int]


@dataclass(frozen=True)
class Day:
    day: date
    totals: Metrics
    by_language: dict[str, Metrics]


@dataclass(frozen=True)
class Count:
    key: str
    label_en: str
    label_es: str
    count: int
    share: Rate
    by_language: dict[str, int]


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    timezone: str
    totals: Metrics
    by_language: dict[str, Metrics]
    days: list[Day]
    handoff_reasons: list[Count]
    handoff_priorities: list[Count]
    top_intents: list[Count]
    csat_by_channel: dict[str, Csat]
    csat_by_involvement: dict[str, Csat]


def rate(*, count: int, total: int) -> Rate:
    return Rate(count=count, total=total, rate=count / total if total else None)


def percentile(*, values: Iterable[float], p: float) -> float | None:
    """Nearest-rank percentile (see the module's docstring); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def check_period(*, start: date, end: date) -> None:
    """Raises ValueError naming what is wrong with the period."""
    if start > end:
        raise ValueError("The period's end comes before its start")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValueError(f"The period is longer than {MAX_DAYS} days")


def period_bounds(*, start: date, end: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[since, until) in UTC: the district's midnight starting `start`, and the one after `end`."""
    since = datetime.combine(start, time.min, tzinfo=tz).astimezone(UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return since, until


def local_day(*, at: datetime, tz: tzinfo) -> date:
    # The databases hand back UTC; a naive value is UTC too.
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz).date()


def reason_code(row: ConversationRow) -> str:
    """A stable key for why it was handed off: the bot's code, never the free text."""
    code = row.handoff.get("reason_code") if isinstance(row.handoff, Mapping) else None
    return str(code) if code else UNSPECIFIED_REASON


def is_contained(row: ConversationRow) -> bool:
    return not (row.queued_at or row.claimed_at or row.assigned_rep_id or row.rep_messages
                or row.status in _PERSON_STATUSES)


def is_handed_off(row: ConversationRow) -> bool:
    return bool(row.queued_at or row.status in _PERSON_STATUSES)


def wait_seconds(row: ConversationRow) -> float | None:
    if not (row.queued_at and row.claimed_at):
        return None
    wait = (_aware(row.claimed_at) - _aware(row.queued_at)).total_seconds()
    return wait if wait >= 0 else None


def csat(ratings: Sequence[RatingRow]) -> Csat:
    scores = [r.score for r in ratings]
    return Csat(ratings=len(scores),
                average=round(sum(scores) / len(scores), 2) if scores else None,
                satisfied=rate(count=sum(1 for s in scores if s >= 4), total=len(scores)))


def metrics(*, conversations: Sequence[ConversationRow], ratings: Sequence[RatingRow]) -> Metrics:
    """Every number for one slice (a day, a language, the whole period)."""
    talked = [c for c in conversations if c.customer_messages > 0]
    handed = [c for c in conversations if is_handed_off(c)]
    read = sum(sum(c.intents.values()) for c in conversations)
    fallbacks = sum(c.intents.get(FALLBACK_INTENT, 0) for c in conversations)
    waits = [w for c in conversations if (w := wait_seconds(c)) is not None]
    priorities = Counter(_priority(c) for c in handed)
    return Metrics(
        conversations=len(conversations),
        containment=rate(count=sum(1 for c in talked if is_contained(c)), total=len(talked)),
        handoffs=len(handed),
        fallback=rate(count=fallbacks, total=read),
        waits=len(waits), wait_p50_s=percentile(values=waits, p=50),
        wait_p90_s=percentile(values=waits, p=90),
        csat=csat(ratings),
        csat_bot=csat([r for r in ratings if not r.person_involved]),
        csat_person=csat([r for r in ratings if r.person_involved]),
        priorities={p: priorities.get(p, 0) for p in PRIORITIES},
        reasons=dict(Counter(reason_code(c) for c in handed).most_common()))


def report(*, start: date, end: date, tz: tzinfo, conversations: Sequence[ConversationRow],
           ratings: Sequence[RatingRow]) -> Report:
    """The whole period, every day present (a day with no data has zero counts and None rates).
    Rows outside the period are ignored."""
    check_period(start=start, end=end)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    conv_by_day: dict[date, list[ConversationRow]] = {d: [] for d in days}
    rating_by_day: dict[date, list[RatingRow]] = {d: [] for d in days}
    for c in conversations:
        conv_by_day.get(local_day(at=c.created_at, tz=tz), []).append(c)
    for r in ratings:
        rating_by_day.get(local_day(at=r.created_at, tz=tz), []).append(r)
    convs = [c for d in days for c in conv_by_day[d]]
    rates = [r for d in days for r in rating_by_day[d]]
    handed = [c for c in convs if is_handed_off(c)]
    return Report(
        start=start, end=end, timezone=str(tz),
        totals=metrics(conversations=convs, ratings=rates),
        by_language=_by_language(convs=convs, rates=rates),
        days=[Day(day=d, totals=metrics(conversations=conv_by_day[d], ratings=rating_by_day[d]),
                  by_language=_by_language(convs=conv_by_day[d], rates=rating_by_day[d]))
              for d in days],
        handoff_reasons=_reasons(handed),
        handoff_priorities=_counted(pairs=[(_priority(c), c.language) for c in handed],
                                    order=PRIORITIES),
        top_intents=_intents(convs),
        csat_by_channel={ch: csat([r for r in rates if r.channel == ch])
                         for ch in sorted({r.channel for r in rates})},
        csat_by_involvement={"bot": csat([r for r in rates if not r.person_involved]),
                             "person": csat([r for r in rates if r.person_involved])})


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _priority(row: ConversationRow) -> str:
    return row.handoff_priority if row.handoff_priority in PRIORITIES else DEFAULT_PRIORITY


def _by_language(*, convs: Sequence[ConversationRow],
                 rates: Sequence[RatingRow]) -> dict[str, Metrics]:
    return {lang: metrics(conversations=[c for c in convs if c.language == lang],
                          ratings=[r for r in rates if r.language == lang])
            for lang in LANGUAGES}


def _counted(*, pairs: Sequence[tuple[str, str]], order: Sequence[str] = (),
             labels: Mapping[str, tuple[str, str]] | None = None) -> list[Count]:
    """(key, language) pairs counted, most first (or in `order`, every key of it present)."""
    totals = Counter(k for k, _ in pairs)
    keys = list(order) or [k for k, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    labels = labels or {}
    return [Count(key=k, label_en=labels.get(k, (k, k))[0], label_es=labels.get(k, (k, k))[1],
                  count=totals.get(k, 0), share=rate(count=totals.get(k, 0), total=len(pairs)),
                  by_language={lang: sum(1 for kk, la in pairs if kk == k and la == lang)
                               for lang in LANGUAGES})
            for k in keys]


def _reasons(handed: Sequence[ConversationRow]) -> list[Count]:
    # The label is the bot's own wording for the code, in both languages, as first seen.
    labels: dict[str, tuple[str, str]] = {}
    for c in handed:
        code = reason_code(c)
        reason = c.handoff.get("reason") if isinstance(c.handoff, Mapping) else None
        if code not in labels and isinstance(reason, Mapping) and reason.get("en"):
            labels[code] = (str(reason["en"]), str(reason.get("es") or reason["en"]))
    return _counted(pairs=[(reason_code(c), c.language) for c in handed], labels=labels)


def _intents(convs: Sequence[ConversationRow]) -> list[Count]:
    """The most frequent intents of the customers' messages; the fallback has its own rate."""
    pairs = [(intent, c.language) for c in convs for intent, n in c.intents.items()
             for _ in range(n)]
    counted = _counted(pairs=pairs)
    return [c for c in counted if c.key != FALLBACK_INTENT][:TOP_INTENTS]


# --- CSV -----------------------------------------------------------------------------------

def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (a formula) gets a quote first."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _metric_cells(*, m: Metrics, reasons: Sequence[str]) -> list[object]:
    return [m.conversations, m.containment.total, m.containment.count, _r(m.containment.rate),
            m.handoffs, *(m.priorities.get(p, 0) for p in PRIORITIES),
            *(m.reasons.get(code, 0) for code in reasons),
            m.fallback.total, m.fallback.count, _r(m.fallback.rate),
            m.waits, m.wait_p50_s, m.wait_p90_s,
            m.csat.ratings, m.csat.average, _r(m.csat.satisfied.rate),
            m.csat_bot.ratings, m.csat_bot.average, m.csat_person.ratings, m.csat_person.average]


def _metric_names(reasons: Sequence[str]) -> list[str]:
    return ["conversations", "customer_conversations", "contained", "containment_rate",
            "handoffs", *(f"priority_{p}" for p in PRIORITIES),
            *(f"reason_{code}" for code in reasons),
            "intent_messages", "fallbacks", "fallback_rate",
            "waits", "wait_p50_s", "wait_p90_s",
            "ratings", "csat_average", "csat_satisfied_rate",
            "ratings_bot", "csat_bot_average", "ratings_person", "csat_person_average"]


def csv_text(rep: Report) -> str:
    """One row per day with every metric (all, then English, then Spanish), and a totals row."""
    reasons = [c.key for c in rep.handoff_reasons]
    names = _metric_names(reasons)
    header = ["day", *names, *(f"{lang}_{n}" for lang in LANGUAGES for n in names)]

    def row(label: str, totals: Metrics, by_language: Mapping[str, Metrics]) -> list[str]:
        cells = [label, *_metric_cells(m=totals, reasons=reasons),
                 *(c for lang in LANGUAGES
                   for c in _metric_cells(m=by_language[lang], reasons=reasons))]
        return [safe_cell(c) for c in cells]

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for d in rep.days:
        writer.writerow(row(d.day.isoformat(), d.totals, d.by_language))
    writer.writerow(row("total", rep.totals, rep.by_language))
    return out.getvalue()


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
