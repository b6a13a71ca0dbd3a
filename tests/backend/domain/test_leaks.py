"""backend.domain.leaks: episodes of continuous overnight flow, when one alerts, and its cost."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.domain.district import ClassRates, Sewer, Tier
from backend.domain.leaks import (
    Episode,
    Night,
    cost_cents,
    episodes,
    leaked_gallons,
    ongoing_leak,
)

TODAY = date(2026, 12, 2)


def series(flows: list[float | None], *, end: date = TODAY - timedelta(days=1),
           gallons: int = 400) -> list[Night]:
    """Nights ending on `end` (yesterday), one per value, oldest first; None: no data that day."""
    start = end - timedelta(days=len(flows) - 1)
    return [Night(day=start + timedelta(days=i), min_gph=f, gallons=gallons)
            for i, f in enumerate(flows) if f is not None]


def test_exactly_two_nights_of_flow_is_no_alert():
    assert ongoing_leak(nights=series([0, 0, 0, 2.0, 2.0]), today=TODAY) is None


def test_three_nights_of_flow_ending_yesterday_is_an_alert():
    found = ongoing_leak(nights=series([0, 0, 1.5, 2.0, 2.5]), today=TODAY)
    assert found == Episode(start=TODAY - timedelta(days=3), last_day=TODAY - timedelta(days=1),
                            days=3, gallons=36 + 48 + 60)


def test_a_long_leak_counts_every_night():
    found = ongoing_leak(nights=series([4.0] * 14), today=TODAY)
    assert found is not None and found.days == 14 and found.gallons == 14 * 96
    assert found.start == TODAY - timedelta(days=14)


def test_a_dry_night_splits_episodes_and_the_alert_belongs_to_the_new_one():
    nights = series([3.0, 3.0, 3.0, 3.0, 0, 1.0, 1.0, 1.0])
    found = episodes(nights)
    assert [(e.days, e.start) for e in found] == [
        (4, TODAY - timedelta(days=8)), (3, TODAY - timedelta(days=3))]
    assert ongoing_leak(nights=nights, today=TODAY).start == TODAY - timedelta(days=3)


def test_a_leak_that_stopped_is_no_alert_even_after_many_nights():
    nights = series([5.0] * 6 + [0])
    assert episodes(nights)[0].days == 6
    assert ongoing_leak(nights=nights, today=TODAY) is None


def test_a_day_without_data_neither_ends_an_episode_nor_counts():
    nights = series([2.0, None, 2.0, 2.0])
    [episode] = episodes(nights)
    assert episode.days == 3 and episode.start == TODAY - timedelta(days=4)
    assert episode.gallons == 3 * 48
    # Two nights around a gap are still only two nights.
    assert ongoing_leak(nights=series([0, 2.0, None, 2.0]), today=TODAY) is None


def test_zero_flow_everywhere_has_no_episode():
    assert episodes(series([0.0] * 14)) == []
    assert ongoing_leak(nights=series([0.0] * 14), today=TODAY) is None


def test_no_data_at_all_or_stale_data_is_no_alert():
    assert ongoing_leak(nights=[], today=TODAY) is None
    stale = series([3.0] * 5, end=TODAY - timedelta(days=5))
    assert ongoing_leak(nights=stale, today=TODAY) is None
    recent = series([3.0] * 5, end=TODAY - timedelta(days=2))
    assert ongoing_leak(nights=recent, today=TODAY) is not None


def test_today_and_later_do_not_count_yet():
    nights = series([2.0, 2.0], end=TODAY - timedelta(days=1)) + [
        Night(day=TODAY, min_gph=2.0, gallons=400)]
    assert ongoing_leak(nights=nights, today=TODAY) is None
    assert ongoing_leak(nights=nights, today=TODAY + timedelta(days=1)) is not None


def test_series_in_any_order_and_a_repeated_day_keeps_the_last():
    nights = list(reversed(series([1.0, 1.0, 1.0])))
    nights.append(Night(day=TODAY - timedelta(days=1), min_gph=0.0, gallons=100))
    assert ongoing_leak(nights=nights, today=TODAY) is None
    assert ongoing_leak(nights=list(reversed(series([1.0, 1.0, 1.0]))), today=TODAY).days == 3


def test_leaked_gallons_is_the_minimum_all_day_capped_by_the_days_use():
    assert leaked_gallons(Night(day=TODAY, min_gph=2.5, gallons=1000)) == 60
    assert leaked_gallons(Night(day=TODAY, min_gph=10.0, gallons=150)) == 150
    assert leaked_gallons(Night(day=TODAY, min_gph=0.3, gallons=0)) == 7  # no day total: rate
    assert leaked_gallons(Night(day=TODAY, min_gph=0.0, gallons=500)) == 0


RESIDENTIAL = ClassRates(
    tiers=(Tier(up_to=10, price=Decimal("3.12")), Tier(up_to=25, price=Decimal("4.13")),
           Tier(up_to=None, price=Decimal("5.66"))),
    sewer=Sewer(fixed=Decimal("21.65"), per_unit=Decimal("1.05"), cap_units=10))
COMMERCIAL = ClassRates(tiers=(Tier(up_to=None, price=Decimal("3.95")),),
                        sewer=Sewer(fixed=Decimal("45.00"), per_unit=Decimal("1.05"),
                                    cap_units=None))


def test_cost_prices_the_leak_on_top_of_usual_use():
    # 748 gallons = 1 HCF; usual use 12 HCF is in tier 2 and past the sewer cap.
    assert cost_cents(rates=RESIDENTIAL, gallons=748, gallons_per_unit=748,
                      baseline_units=12) == 413
    # From 9 HCF: one HCF at tier 1 plus sewer, one at tier 2.
    assert cost_cents(rates=RESIDENTIAL, gallons=2 * 748, gallons_per_unit=748,
                      baseline_units=9) == 312 + 105 + 413
    # Crossing into tier 3.
    assert cost_cents(rates=RESIDENTIAL, gallons=2 * 748, gallons_per_unit=748,
                      baseline_units=24) == 413 + 566


def test_cost_counts_fractions_of_a_unit_and_uncapped_sewer():
    assert cost_cents(rates=COMMERCIAL, gallons=374, gallons_per_unit=748,
                      baseline_units=40) == 250  # half an HCF at (3.95 + 1.05)
    assert cost_cents(rates=RESIDENTIAL, gallons=0, gallons_per_unit=748) == 0


@pytest.mark.parametrize("baseline", [0, 5, 10, 30])
def test_cost_grows_with_gallons(baseline):
    costs = [cost_cents(rates=RESIDENTIAL, gallons=g, gallons_per_unit=748,
                        baseline_units=baseline) for g in (100, 1000, 5000, 20000)]
    assert costs == sorted(costs) and costs[0] > 0


def test_cost_uses_the_real_district_rates(district):
    rates = district.schedule_for(TODAY).rates_for("residential")
    assert cost_cents(rates=rates, gallons=748, gallons_per_unit=district.gallons_per_unit,
                      baseline_units=12) == 413
