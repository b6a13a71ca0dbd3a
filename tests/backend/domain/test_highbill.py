from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.domain.district import District
from backend.domain.highbill import HighBillAnalysis, PeriodUsage, analyze_high_bill
from backend.domain.policy import add_months


def _periods(
    hcfs: list[int], *, last_end: date = date(2026, 8, 1), schedule: str = "FY2026-27"
) -> list[PeriodUsage]:
    """Monthly read-to-read periods, oldest first, the last one ending on `last_end`."""
    periods = []
    for i, hcf in enumerate(hcfs):
        end = add_months(day=last_end, months=i - len(hcfs) + 1)
        start = add_months(day=end, months=-1)
        periods.append(
            PeriodUsage(
                period_start=start,
                period_end=end,
                consumption_hcf=hcf,
                total=Decimal("80.00"),
                schedule_name=schedule,
            )
        )
    return periods


def _with_current(periods: list[PeriodUsage], **changes: object) -> list[PeriodUsage]:
    return [*periods[:-1], replace(periods[-1], **changes)]  # type: ignore[arg-type]


def _analyze(district: District, periods: list[PeriodUsage]) -> HighBillAnalysis:
    return analyze_high_bill(district=district, periods=periods)


def _codes(analysis: HighBillAnalysis) -> list[str]:
    return [c.code for c in analysis.causes]


def test_comparisons(district: District) -> None:
    # 13 earlier periods: the oldest drops out of the 12-period trailing average.
    periods = _periods([50, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 14, 21])
    analysis = _analyze(district, periods)
    assert analysis.trailing_periods == 12
    assert analysis.trailing_average_hcf == Decimal("10.3")  # (11 x 10 + 14) / 12
    assert analysis.previous == periods[-2]
    assert analysis.last_year == periods[1]  # ends Aug 1, 2025: 365 days before
    assert analysis.percent_vs_average == Decimal("103.9")
    assert analysis.percent_vs_last_year == Decimal("110.0")
    assert analysis.is_high is True


@pytest.mark.parametrize(
    ("current", "high"),
    [(15, False),  # exactly 1.5x the average is not above it
     (16, True),   # above 1.5x and 6 HCF more
     (10, False)],
)  # fmt: skip
def test_is_high_threshold(district: District, current: int, high: bool) -> None:
    analysis = _analyze(district, _periods([10] * 6 + [current]))
    assert analysis.last_year is None
    assert analysis.is_high is high


def test_small_users_need_at_least_5_hcf_more(district: District) -> None:
    assert _analyze(district, _periods([4] * 6 + [8])).is_high is False  # 2x but only +4
    assert _analyze(district, _periods([4] * 6 + [9])).is_high is True


def test_high_against_last_year_only(district: District) -> None:
    # Average is high because of a busy winter, but this August is far above last August.
    hcfs = [6, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 16]
    analysis = _analyze(district, _periods(hcfs))
    assert analysis.last_year is not None and analysis.last_year.consumption_hcf == 30
    hcfs[1] = 6
    analysis = _analyze(district, _periods(hcfs))
    assert analysis.last_year.consumption_hcf == 6  # type: ignore[union-attr]
    assert analysis.percent_vs_average is not None and analysis.percent_vs_average < 0
    assert analysis.is_high is True


def test_last_year_window(district: District) -> None:
    periods = _periods([10] * 10)  # about 9 months of history: nothing 330-400 days back
    assert _analyze(district, periods).last_year is None
    current = PeriodUsage(
        period_start=date(2026, 7, 1),
        period_end=date(2026, 8, 1),
        consumption_hcf=10,
        total=Decimal(80),
    )
    too_recent = PeriodUsage(
        period_start=date(2025, 8, 6),
        period_end=date(2025, 9, 6),
        consumption_hcf=10,
        total=Decimal(80),
    )  # 329 days before
    in_window = PeriodUsage(
        period_start=date(2025, 6, 28),
        period_end=date(2025, 7, 28),
        consumption_hcf=10,
        total=Decimal(80),
    )  # 369 days before
    too_old = PeriodUsage(
        period_start=date(2025, 5, 27),
        period_end=date(2025, 6, 27),
        consumption_hcf=10,
        total=Decimal(80),
    )  # 400 days before
    assert _analyze(district, [too_recent, current]).last_year is None
    assert _analyze(district, [in_window, current]).last_year == in_window
    assert _analyze(district, [too_old, current]).last_year == too_old
    assert _analyze(district, [too_old, in_window, current]).last_year == in_window


def test_single_period_has_nothing_to_compare(district: District) -> None:
    analysis = _analyze(district, _periods([40]))
    assert analysis.trailing_average_hcf is None and analysis.previous is None
    assert analysis.percent_vs_average is None
    assert analysis.is_high is False
    assert analysis.summary.code == "usual_bill"


def test_zero_average_has_no_percent(district: District) -> None:
    analysis = _analyze(district, _periods([0, 0, 0, 12]))
    assert analysis.percent_vs_average is None
    assert analysis.is_high is True


# -- causes --------------------------------------------------------------------------------


def test_continuous_use_is_the_most_likely_cause(district: District) -> None:
    periods = _with_current(_periods([10] * 12 + [31]), night_flow_gph=30.0, read_type="estimated")
    analysis = _analyze(district, periods)
    assert analysis.is_high is True
    assert _codes(analysis) == ["continuous_use", "estimated_read"]
    leak = analysis.causes[0]
    assert leak.evidence["night_flow_gph"] == 30.0
    assert leak.evidence["gallons_per_day"] == 720.0
    assert leak.evidence["estimated_leak_gallons"] == 720 * 31
    assert leak.evidence["estimated_leak_hcf"] == Decimal("29.8")
    assert "running all night, every night" in leak.reason.en
    assert "a running toilet or an irrigation line" in leak.reason.en
    assert "toda la noche, todas las noches" in leak.reason.es
    assert analysis.summary.code == "high_bill"
    assert "The most likely reason: Water was running all night" in analysis.summary.en
    assert "La razón más probable: El agua estuvo corriendo" in analysis.summary.es


@pytest.mark.parametrize(("gph", "found"), [(1.9, False), (2.0, True)])
def test_continuous_use_threshold(district: District, gph: float, found: bool) -> None:
    periods = _with_current(_periods([10] * 6 + [20]), night_flow_gph=gph)
    assert ("continuous_use" in _codes(_analyze(district, periods))) is found


def test_continuous_use_needs_quiet_nights_before(district: District) -> None:
    periods = [replace(p, night_flow_gph=3.0) for p in _periods([10] * 6 + [20])]
    assert "continuous_use" not in _codes(_analyze(district, periods))


def test_seasonal_irrigation(district: District) -> None:
    # Last August used 18 HCF against an average of 11.3: summer watering.
    hcfs = [8, 18, 14, 10, 9, 8, 8, 8, 8, 9, 12, 15, 17, 20]
    analysis = _analyze(district, _periods(hcfs))
    assert analysis.trailing_average_hcf == Decimal("11.3")
    assert analysis.last_year is not None and analysis.last_year.consumption_hcf == 18
    assert "seasonal_irrigation" in _codes(analysis)
    cause = next(c for c in analysis.causes if c.code == "seasonal_irrigation")
    assert cause.evidence["last_year_hcf"] == 18
    assert "the same period last year used 18 HCF" in cause.reason.en
    assert "el mismo periodo del año pasado usó 18 HCF" in cause.reason.es


def test_no_seasonal_cause_in_winter_or_without_a_summer_peak(district: District) -> None:
    winter = _periods([8, 18, 14, 10, 9, 8, 8, 8, 8, 9, 12, 15, 17, 20], last_end=date(2027, 1, 1))
    assert "seasonal_irrigation" not in _codes(_analyze(district, winter))
    flat = _periods([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 20])
    assert "seasonal_irrigation" not in _codes(_analyze(district, flat))


def test_estimated_previous_read(district: District) -> None:
    periods = _periods([10] * 5 + [4, 22])
    periods[-2] = replace(periods[-2], read_type="estimated")
    analysis = _analyze(district, periods)
    assert _codes(analysis) == ["estimated_read"]
    assert analysis.causes[0].evidence["estimated"] == "previous"
    assert "Your previous bill was based on an estimated read" in analysis.causes[0].reason.en


def test_estimated_current_read(district: District) -> None:
    analysis = _analyze(district, _with_current(_periods([10] * 6 + [25]), read_type="estimated"))
    assert analysis.causes[0].evidence["estimated"] == "current"
    assert analysis.causes[0].reason.en == (
        "This bill was based on an estimated read, not an actual meter read; the next actual "
        "read corrects it."
    )


def test_rate_change(district: District) -> None:
    periods = _periods([10] * 6, last_end=date(2026, 7, 1), schedule="FY2024-25")
    current = PeriodUsage(
        period_start=date(2026, 7, 1),
        period_end=date(2026, 8, 1),
        consumption_hcf=10,
        total=Decimal("84.12"),
        schedule_name="FY2026-27",
    )
    analysis = _analyze(district, [*periods, current])
    assert _codes(analysis) == ["rate_change"]
    assert analysis.causes[0].evidence == {
        "previous_schedule": "FY2024-25",
        "current_schedule": "FY2026-27",
    }
    assert analysis.causes[0].reason.en == (
        "New rates took effect: this bill uses the FY2026-27 rates; your previous bill used "
        "FY2024-25."
    )
    assert analysis.is_high is False
    assert "Still, note: New rates took effect" in analysis.summary.en


@pytest.mark.parametrize(("days", "found"), [(34, False), (35, True), (40, True)])
def test_longer_period_absolute(district: District, days: int, found: bool) -> None:
    periods = _periods([10] * 6 + [20])
    periods[-1] = replace(periods[-1], period_start=periods[-1].period_end - timedelta(days=days))
    assert ("longer_period" in _codes(_analyze(district, periods))) is found


def test_longer_period_relative_to_typical(district: District) -> None:
    # Every period 28 days: 33 days is >= 1.15 x 28 (32.2) even though it's under 35.
    periods = []
    end = date(2026, 1, 1)
    for _ in range(6):
        periods.append(
            PeriodUsage(
                period_start=end - timedelta(days=28),
                period_end=end,
                consumption_hcf=10,
                total=Decimal(80),
            )
        )
        end += timedelta(days=28)
    periods.append(
        PeriodUsage(
            period_start=end - timedelta(days=33),
            period_end=end + timedelta(days=5),
            consumption_hcf=14,
            total=Decimal(90),
        )
    )
    analysis = _analyze(district, periods)
    assert _codes(analysis) == ["longer_period"]
    assert analysis.causes[0].evidence == {"days": 38, "typical_days": 28}
    periods[-1] = replace(periods[-1], period_start=periods[-1].period_end - timedelta(days=32))
    assert _codes(_analyze(district, periods)) == []


def test_causes_are_ordered_by_likelihood(district: District) -> None:
    periods = _periods([8, 18, 14, 10, 9, 8, 8, 8, 8, 9, 12, 15, 17, 40])
    periods[-2] = replace(periods[-2], schedule_name="FY2024-25")
    periods[-1] = replace(
        periods[-1],
        night_flow_gph=12.0,
        read_type="estimated",
        period_start=periods[-1].period_end - timedelta(days=40),
    )
    assert _codes(_analyze(district, periods)) == [
        "continuous_use",
        "estimated_read",
        "seasonal_irrigation",
        "longer_period",
        "rate_change",
    ]


def test_high_bill_without_a_clear_cause(district: District) -> None:
    analysis = _analyze(district, _periods([10] * 12 + [30]))
    assert analysis.causes == ()
    assert analysis.summary.en == (
        "Your bill for the period ending August 1, 2026 ($80.00) shows 30 HCF (22,440 gallons), "
        "200% more than your average of 10.0 HCF and 200% more than the same period last year "
        "(10 HCF). We did not find a clear reason in your meter data; a representative can help, "
        "for example by checking your meter for a leak."
    )
    assert analysis.summary.es.startswith(
        "Su factura del periodo que terminó el 1 de agosto de 2026 ($80.00) muestra 30 HCF "
        "(22,440 galones), 200% más que su promedio de 10.0 HCF"
    )


def test_usual_bill_summary(district: District) -> None:
    analysis = _analyze(district, _periods([10] * 6 + [9]))
    assert analysis.summary.code == "usual_bill"
    assert "10% less than your average of 10.0 HCF" in analysis.summary.en
    assert analysis.summary.en.endswith("That is within your usual range.")
    assert analysis.summary.es.endswith("Eso está dentro de su rango habitual.")


# -- input checks ----------------------------------------------------------------------------


def test_periods_must_be_oldest_first(district: District) -> None:
    periods = _periods([10, 11, 12])
    with pytest.raises(ValueError, match="oldest first"):
        _analyze(district, list(reversed(periods)))
    with pytest.raises(ValueError, match="oldest first"):
        _analyze(district, [periods[0], periods[0]])


def test_no_periods(district: District) -> None:
    with pytest.raises(ValueError, match="at least one period"):
        _analyze(district, [])


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"read_type": "guessed"}, "unknown read type"),
     ({"period_start": date(2026, 8, 1)}, "must be after period_start"),
     ({"consumption_hcf": -3}, "whole number >= 0"),
     ({"consumption_hcf": 2.5}, "whole number >= 0")],
)  # fmt: skip
def test_period_usage_is_validated(changes: dict[str, object], message: str) -> None:
    base = {
        "period_start": date(2026, 7, 1),
        "period_end": date(2026, 8, 1),
        "consumption_hcf": 10,
        "total": Decimal("80.00"),
    }
    with pytest.raises(ValueError, match=message):
        PeriodUsage(**{**base, **changes})  # type: ignore[arg-type]
