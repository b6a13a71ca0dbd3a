"""Usage history: per-period rows, averages, extremes and year-over-year change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from backend.domain.district import District
from backend.domain.i18n import Reason, format_number, format_percent, month_label, month_year

READ_TYPES: tuple[str, ...] = ("actual", "estimated", "customer", "reread")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class PeriodUsage:
    """One billing period's consumption. Days = period_end - period_start (read to read)."""

    period_start: date
    period_end: date
    consumption_hcf: int
    total: Decimal
    read_type: str = "actual"
    night_flow_gph: float = 0.0  # lowest overnight hourly flow, averaged; > 0 = never stops
    schedule_name: str = ""

    def __post_init__(self) -> None:
        if self.read_type not in READ_TYPES:
            raise ValueError(
                f"unknown read type {self.read_type!r} (allowed: {', '.join(READ_TYPES)})"
            )
        if self.period_end <= self.period_start:
            raise ValueError(
                f"period_end {self.period_end} must be after period_start {self.period_start}"
            )
        if (
            isinstance(self.consumption_hcf, bool)
            or not isinstance(self.consumption_hcf, int)
            or self.consumption_hcf < 0
        ):
            raise ValueError(
                f"consumption_hcf must be a whole number >= 0, got {self.consumption_hcf!r}"
            )

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days


@dataclass(frozen=True)
class UsageRow:
    period_start: date
    period_end: date
    label: str  # period end month, "Jun 2026"
    label_es: str  # "jun 2026"
    hcf: int
    gallons: int
    days: int
    gallons_per_day: Decimal  # one decimal place
    total: Decimal
    read_type: str


@dataclass(frozen=True)
class UsageSummary:
    rows: tuple[UsageRow, ...]  # oldest first
    average_hcf: Decimal | None
    average_gallons_per_day: Decimal | None  # total gallons / total days
    highest: UsageRow | None  # ties go to the most recent period
    lowest: UsageRow | None
    latest_12_hcf: int | None  # only with 24 or more periods
    previous_12_hcf: int | None
    year_over_year_pct: Decimal | None
    summary: Reason


def tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def percent_change(*, current: Decimal | int, reference: Decimal | int) -> Decimal | None:
    """Percent change to one decimal place; None when the reference is zero."""
    if reference == 0:
        return None
    return tenth((Decimal(current) - Decimal(reference)) * 100 / Decimal(reference))


def check_periods(periods: Sequence[PeriodUsage]) -> tuple[PeriodUsage, ...]:
    """The periods as a tuple, after checking they are oldest-first without repeats."""
    ordered = tuple(periods)
    for earlier, later in pairwise(ordered):
        if later.period_end <= earlier.period_end:
            raise ValueError("periods must be oldest first, each ending after the one before")
    return ordered


def usage_row(*, district: District, period: PeriodUsage) -> UsageRow:
    gallons = period.consumption_hcf * district.gallons_per_unit
    return UsageRow(
        period_start=period.period_start,
        period_end=period.period_end,
        label=month_label(day=period.period_end, lang="en"),
        label_es=month_label(day=period.period_end, lang="es"),
        hcf=period.consumption_hcf,
        gallons=gallons,
        days=period.days,
        gallons_per_day=tenth(Decimal(gallons) / period.days),
        total=period.total,
        read_type=period.read_type,
    )


def _summary_text(*, s: UsageSummary, unit: str) -> Reason:
    if not s.rows or s.average_hcf is None or s.highest is None or s.lowest is None:
        return Reason(
            code="no_usage_history",
            en="We don't have any usage history for this account yet.",
            es="Todavía no tenemos historial de consumo para esta cuenta.",
        )
    n = len(s.rows)
    gpd = format_number(s.average_gallons_per_day or 0)
    if n == 1:
        en = f"Your last bill used {s.rows[0].hcf} {unit} (about {gpd} gallons a day)."
        es = f"Su última factura usó {s.rows[0].hcf} {unit} (unos {gpd} galones al día)."
    else:
        en = (f"Over your last {n} bills you used an average of {s.average_hcf} {unit} "
              f"(about {gpd} gallons a day).")
        es = (f"En sus últimas {n} facturas usó un promedio de {s.average_hcf} {unit} "
              f"(unos {gpd} galones al día).")
    if n > 1:
        hi, lo = s.highest, s.lowest
        en += (
            f" Your highest use was {hi.hcf} {unit} in "
            f"{month_year(day=hi.period_end, lang='en')} and your lowest was {lo.hcf} {unit} "
            f"in {month_year(day=lo.period_end, lang='en')}."
        )
        es += (
            f" Su consumo más alto fue de {hi.hcf} {unit} en "
            f"{month_year(day=hi.period_end, lang='es')} y el más bajo de {lo.hcf} {unit} "
            f"en {month_year(day=lo.period_end, lang='es')}."
        )
    pct = s.year_over_year_pct
    if pct is not None:
        if format_percent(pct) == "0%":
            en += " Your last 12 bills used the same amount as the 12 before."
            es += " Sus últimas 12 facturas usaron lo mismo que las 12 anteriores."
        else:
            more_en, more_es = ("more", "más") if pct > 0 else ("less", "menos")
            en += f" Your last 12 bills used {format_percent(pct)} {more_en} than the 12 before."
            es += (
                f" Sus últimas 12 facturas usaron {format_percent(pct)} {more_es} "
                "que las 12 anteriores."
            )
    return Reason(code="usage_summary", en=en, es=es)


def summarize_usage(*, district: District, periods: Sequence[PeriodUsage]) -> UsageSummary:
    ordered = check_periods(periods)
    rows = tuple(usage_row(district=district, period=p) for p in ordered)
    average_hcf = average_gpd = highest = lowest = None
    if rows:
        average_hcf = tenth(Decimal(sum(r.hcf for r in rows)) / len(rows))
        average_gpd = tenth(Decimal(sum(r.gallons for r in rows)) / sum(r.days for r in rows))
        # >= / <= so that ties pick the most recent period
        highest = lowest = rows[0]
        for row in rows[1:]:
            highest = row if row.hcf >= highest.hcf else highest
            lowest = row if row.hcf <= lowest.hcf else lowest
    latest = previous = pct = None
    if len(rows) >= 24:
        latest = sum(r.hcf for r in rows[-12:])
        previous = sum(r.hcf for r in rows[-24:-12])
        pct = percent_change(current=latest, reference=previous)
    draft = UsageSummary(
        rows=rows,
        average_hcf=average_hcf,
        average_gallons_per_day=average_gpd,
        highest=highest,
        lowest=lowest,
        latest_12_hcf=latest,
        previous_12_hcf=previous,
        year_over_year_pct=pct,
        summary=Reason(code="", en="", es=""),
    )
    return replace(draft, summary=_summary_text(s=draft, unit=district.billing_unit))
