"""Leaks from a meter's overnight flow: episodes of continuous flow, and what one has cost so far.

A night with flow (the lowest hourly flow between midnight and 5 AM above zero) means water
never stopped that night. Nights of flow in a row are an episode; a night without flow ends it.
A day with no data at all is neither: a missing reading says nothing about the water, so it
neither ends an episode nor counts as a night of flow (the estimate stays on the low side).

Plain Python: no web, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from backend.domain.district import ClassRates

# Three nights of flow in a row: a running toilet or a dripping tap for a night or two is
# common, a third night is what the best utility programs alert on.
ALERT_AFTER_DAYS = 3
# Data older than this (days before today) is too stale to call a leak "still running".
MAX_STALE_DAYS = 2
HOURS_PER_DAY = 24


@dataclass(frozen=True)
class Night:
    day: date
    min_gph: float
    gallons: int  # the whole day's use


@dataclass(frozen=True)
class Episode:
    start: date  # the first night of flow: one alert per episode is keyed by it
    last_day: date  # the latest night of flow
    days: int  # nights with flow (days without data inside it are not counted)
    gallons: int  # estimated water lost

    @property
    def alerts(self) -> bool:
        return self.days >= ALERT_AFTER_DAYS


def leaked_gallons(night: Night) -> int:
    """The water a night's flow says was lost that day: the overnight minimum ran all day (a
    leak doesn't sleep), but never more than the day's whole use."""
    if night.min_gph <= 0:
        return 0
    estimate = int(Decimal(str(night.min_gph * HOURS_PER_DAY)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP))
    return min(estimate, night.gallons) if night.gallons > 0 else estimate


def episodes(nights: Iterable[Night]) -> list[Episode]:
    """The episodes of continuous flow in one meter's series, oldest first (any order in)."""
    by_day: dict[date, Night] = {}
    for night in nights:
        by_day[night.day] = night  # one reading a day; a repeated day keeps the last
    out: list[Episode] = []
    current: list[Night] = []
    for day in sorted(by_day):
        night = by_day[day]
        if night.min_gph > 0:
            current.append(night)
        elif current:
            out.append(_episode(current))
            current = []
    if current:
        out.append(_episode(current))
    return out


def _episode(nights: list[Night]) -> Episode:
    return Episode(start=nights[0].day, last_day=nights[-1].day, days=len(nights),
                   gallons=sum(leaked_gallons(n) for n in nights))


def ongoing_leak(*, nights: Iterable[Night], today: date,
                 max_stale_days: int = MAX_STALE_DAYS) -> Episode | None:
    """The episode still running on the meter's latest day with data, if it has lasted
    ALERT_AFTER_DAYS nights or more and that data is recent (within max_stale_days of today;
    a day not yet over, today or later, doesn't count)."""
    series = [n for n in nights if n.day < today]
    if not series:
        return None
    latest = max(n.day for n in series)
    if latest < today - timedelta(days=max_stale_days):
        return None
    found = episodes(series)
    if not found or found[-1].last_day != latest:
        return None  # the latest night was dry: whatever leaked has stopped
    return found[-1] if found[-1].alerts else None


def cost_cents(*, rates: ClassRates, gallons: int, gallons_per_unit: int,
               baseline_units: int = 0) -> int:
    """What `gallons` of leaked water adds to a bill, in cents: the leaked units priced at the
    account's tiers on top of its usual use (`baseline_units`, e.g. its latest bill's), so a
    household already in tier 2 pays tier 2's price for it, plus sewer by the unit up to its cap.
    Fractions of a unit count: it is an estimate, not a bill."""
    if gallons <= 0:
        return 0
    leaked = Decimal(gallons) / Decimal(gallons_per_unit)
    base = Decimal(max(0, baseline_units))
    total = _tiered(rates=rates, start=base, units=leaked)
    sewer = rates.sewer
    if sewer is not None:
        top = base + leaked if sewer.cap_units is None else min(base + leaked,
                                                                Decimal(sewer.cap_units))
        total += sewer.per_unit * max(Decimal(0), top - base)
    return int((total * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _tiered(*, rates: ClassRates, start: Decimal, units: Decimal) -> Decimal:
    total, lower, end = Decimal(0), Decimal(0), start + units
    for tier in rates.tiers:
        upper = Decimal(tier.up_to) if tier.up_to is not None else end
        overlap = min(end, upper) - max(start, lower)
        if overlap > 0:
            total += overlap * tier.price
        if tier.up_to is None or end <= upper:
            break
        lower = upper
    return total
