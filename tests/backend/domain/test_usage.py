from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.domain.district import District
from backend.domain.policy import add_months
from backend.domain.usage import PeriodUsage, percent_change, summarize_usage


def _periods(hcfs: list[int], *, last_end: date = date(2026, 7, 1)) -> list[PeriodUsage]:
    periods = []
    for i, hcf in enumerate(hcfs):
        end = add_months(day=last_end, months=i - len(hcfs) + 1)
        periods.append(
            PeriodUsage(
                period_start=add_months(day=end, months=-1),
                period_end=end,
                consumption_hcf=hcf,
                total=Decimal("50.00") + hcf,
            )
        )
    return periods


def test_rows(district: District) -> None:
    summary = summarize_usage(district=district, periods=_periods([9, 12]))
    june, july = summary.rows
    assert (june.label, june.label_es) == ("Jun 2026", "jun 2026")
    assert (july.label, july.label_es) == ("Jul 2026", "jul 2026")
    assert (july.hcf, july.gallons, july.days) == (12, 12 * 748, 30)  # Jun 1 to Jul 1
    assert july.gallons_per_day == Decimal("299.2")  # 8976 / 30
    assert june.days == 31 and june.gallons_per_day == Decimal("217.2")  # 6732 / 31
    assert july.total == Decimal("62.00")
    assert july.period_start == date(2026, 6, 1) and july.read_type == "actual"


def test_averages_highest_and_lowest(district: District) -> None:
    summary = summarize_usage(district=district, periods=_periods([9, 12, 20, 5, 7]))
    assert summary.average_hcf == Decimal("10.6")
    total_gallons = (9 + 12 + 20 + 5 + 7) * 748
    total_days = (date(2026, 7, 1) - date(2026, 2, 1)).days
    assert summary.average_gallons_per_day == (Decimal(total_gallons) / total_days).quantize(
        Decimal("0.1")
    )
    assert summary.highest is not None and summary.highest.hcf == 20
    assert summary.lowest is not None and summary.lowest.hcf == 5
    assert summary.latest_12_hcf is None and summary.year_over_year_pct is None


def test_ties_go_to_the_most_recent_period(district: District) -> None:
    summary = summarize_usage(district=district, periods=_periods([12, 5, 12, 5]))
    assert summary.highest is not None and summary.highest.period_end == date(2026, 6, 1)
    assert summary.lowest is not None and summary.lowest.period_end == date(2026, 7, 1)


def test_year_over_year_needs_24_periods(district: District) -> None:
    assert (
        summarize_usage(district=district, periods=_periods([10] * 23)).year_over_year_pct is None
    )
    summary = summarize_usage(district=district, periods=_periods([10] * 12 + [11] * 12))
    assert (summary.previous_12_hcf, summary.latest_12_hcf) == (120, 132)
    assert summary.year_over_year_pct == Decimal("10.0")
    assert "Your last 12 bills used 10% more than the 12 before." in summary.summary.en
    assert "Sus últimas 12 facturas usaron 10% más que las 12 anteriores." in summary.summary.es


def test_year_over_year_uses_only_the_latest_24(district: District) -> None:
    summary = summarize_usage(district=district, periods=_periods([99] * 3 + [12] * 12 + [9] * 12))
    assert (summary.previous_12_hcf, summary.latest_12_hcf) == (144, 108)
    assert summary.year_over_year_pct == Decimal("-25.0")
    assert "used 25% less than the 12 before" in summary.summary.en
    assert "usaron 25% menos" in summary.summary.es


def test_year_over_year_unchanged(district: District) -> None:
    summary = summarize_usage(district=district, periods=_periods([10] * 24))
    assert summary.year_over_year_pct == Decimal("0.0")
    assert "used the same amount as the 12 before" in summary.summary.en


def test_summary_sentence(district: District) -> None:
    summary = summarize_usage(district=district, periods=_periods([9, 12, 20, 5, 7]))
    assert summary.summary.code == "usage_summary"
    assert summary.summary.en == (
        "Over your last 5 bills you used an average of 10.6 HCF (about 264 gallons a day). "
        "Your highest use was 20 HCF in May 2026 and your lowest was 5 HCF in June 2026."
    )
    assert summary.summary.es == (
        "En sus últimas 5 facturas usó un promedio de 10.6 HCF (unos 264 galones al día). "
        "Su consumo más alto fue de 20 HCF en mayo de 2026 y el más bajo de 5 HCF en "
        "junio de 2026."
    )


def test_single_period_summary(district: District) -> None:
    summary = summarize_usage(district=district, periods=_periods([9]))
    assert summary.summary.en == "Your last bill used 9 HCF (about 224 gallons a day)."
    assert summary.summary.es == "Su última factura usó 9 HCF (unos 224 galones al día)."


def test_no_history(district: District) -> None:
    summary = summarize_usage(district=district, periods=[])
    assert summary.rows == () and summary.average_hcf is None and summary.highest is None
    assert summary.summary.code == "no_usage_history"
    assert summary.summary.es == "Todavía no tenemos historial de consumo para esta cuenta."


def test_periods_must_be_in_order(district: District) -> None:
    with pytest.raises(ValueError, match="oldest first"):
        summarize_usage(district=district, periods=list(reversed(_periods([1, 2]))))


@pytest.mark.parametrize(
    ("current", "reference", "expected"),
    [(15, 10, Decimal("50.0")), (5, 10, Decimal("-50.0")), (10, 3, Decimal("233.3")),
     (1, 0, None)],
)  # fmt: skip
def test_percent_change(current: int, reference: int, expected: Decimal | None) -> None:
    assert percent_change(current=current, reference=reference) == expected
