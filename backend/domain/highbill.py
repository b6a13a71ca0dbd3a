"""The high-bill analyzer: is this bill high, compared with what, and the likely causes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from backend.domain.district import District
from backend.domain.i18n import Reason, format_date, format_money, format_number, format_percent
from backend.domain.usage import PeriodUsage, check_periods, percent_change, tenth

__all__ = ["Cause", "HighBillAnalysis", "PeriodUsage", "analyze_high_bill"]

HIGH_RATIO = Decimal("1.5")
HIGH_MIN_EXTRA_HCF = 5
TRAILING_PERIODS = 12
LAST_YEAR_DAYS = (330, 400)
LEAK_GPH = 2.0  # steady overnight flow that means water never stops
QUIET_GPH = 0.5  # below this the usual overnight flow counts as ~0
IRRIGATION_MONTHS = range(5, 11)  # May through October
SEASONAL_RATIO = Decimal("1.3")
LONG_PERIOD_DAYS = 35
LONG_PERIOD_RATIO = 1.15

# Higher = more likely: a measured leak beats an estimate, which beats explanations
# that only shift or season the use.
_LIKELIHOOD = {
    "continuous_use": 100,
    "estimated_read": 80,
    "seasonal_irrigation": 60,
    "longer_period": 40,
    "rate_change": 30,
}


@dataclass(frozen=True)
class Cause:
    code: str
    reason: Reason
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HighBillAnalysis:
    current: PeriodUsage
    previous: PeriodUsage | None
    last_year: PeriodUsage | None  # the period ending 330-400 days before, nearest a year
    trailing_average_hcf: Decimal | None  # of up to 12 periods before the current one
    trailing_periods: int
    percent_vs_average: Decimal | None
    percent_vs_last_year: Decimal | None
    is_high: bool
    causes: tuple[Cause, ...]  # most likely first
    summary: Reason


def _is_higher(*, current: int, reference: Decimal | int | None) -> bool:
    if reference is None:
        return False
    return (
        current > HIGH_RATIO * Decimal(reference)
        and current - Decimal(reference) >= HIGH_MIN_EXTRA_HCF
    )


def _last_year(*, current: PeriodUsage, earlier: Sequence[PeriodUsage]) -> PeriodUsage | None:
    low, high = LAST_YEAR_DAYS
    candidates = [p for p in earlier if low <= (current.period_end - p.period_end).days <= high]
    return min(
        candidates, key=lambda p: abs((current.period_end - p.period_end).days - 365), default=None
    )


def _continuous_use(
    *, current: PeriodUsage, history: Sequence[PeriodUsage], gallons_per_unit: int
) -> Cause | None:
    usual = median(p.night_flow_gph for p in history) if history else 0.0
    if current.night_flow_gph < LEAK_GPH or usual >= QUIET_GPH:
        return None
    per_day = current.night_flow_gph * 24
    total = Decimal(str(round(per_day * current.days)))
    gallons = format_number(total)
    return Cause(
        code="continuous_use",
        evidence={
            "night_flow_gph": current.night_flow_gph,
            "usual_night_flow_gph": usual,
            "gallons_per_day": round(per_day, 1),
            "estimated_leak_gallons": int(total),
            "estimated_leak_hcf": tenth(total / gallons_per_unit),
        },
        reason=Reason(
            code="continuous_use",
            en=(
                "Water was running all night, every night (about "
                f"{current.night_flow_gph:.1f} gallons an hour, roughly {gallons} gallons over "
                "this period): that usually means a leak such as a running toilet or an "
                "irrigation line."
            ),
            es=(
                f"El agua estuvo corriendo toda la noche, todas las noches (unos "
                f"{current.night_flow_gph:.1f} galones por hora, cerca de {gallons} galones en "
                "este periodo): eso suele indicar una fuga, como un inodoro que no deja de "
                "correr o una línea de riego."
            ),
        ),
    )


def _seasonal(
    *, current: PeriodUsage, last_year: PeriodUsage | None, average: Decimal | None
) -> Cause | None:
    middle = current.period_start + timedelta(days=current.days // 2)
    if middle.month not in IRRIGATION_MONTHS or last_year is None or not average:
        return None
    if Decimal(last_year.consumption_hcf) < SEASONAL_RATIO * average:
        return None
    return Cause(
        code="seasonal_irrigation",
        evidence={
            "last_year_hcf": last_year.consumption_hcf,
            "average_hcf": average,
            "last_year_ratio": tenth(Decimal(last_year.consumption_hcf) / average),
        },
        reason=Reason(
            code="seasonal_irrigation",
            en=(
                f"This bill covers the warm months, when outdoor watering goes up: the same "
                f"period last year used {last_year.consumption_hcf} HCF, well above your "
                f"average of {average} HCF."
            ),
            es=(
                f"Esta factura cubre los meses de calor, cuando aumenta el riego al aire libre: "
                f"el mismo periodo del año pasado usó {last_year.consumption_hcf} HCF, muy por "
                f"encima de su promedio de {average} HCF."
            ),
        ),
    )


def _estimated(*, current: PeriodUsage, previous: PeriodUsage | None) -> Cause | None:
    if current.read_type == "estimated":
        en = (
            "This bill was based on an estimated read, not an actual meter read; the next "
            "actual read corrects it."
        )
        es = (
            "Esta factura se basó en una lectura estimada, no en una lectura real del medidor; "
            "la próxima lectura real la corrige."
        )
        which = "current"
    elif previous is not None and previous.read_type == "estimated":
        en = (
            "Your previous bill was based on an estimated read. This bill's actual read "
            "corrects it, so it can include water used earlier that was not billed then."
        )
        es = (
            "Su factura anterior se basó en una lectura estimada. La lectura real de esta "
            "factura la corrige, así que puede incluir agua usada antes que no se cobró entonces."
        )
        which = "previous"
    else:
        return None
    return Cause(
        code="estimated_read",
        reason=Reason(code="estimated_read", en=en, es=es),
        evidence={
            "estimated": which,
            "current_read_type": current.read_type,
            "previous_read_type": previous.read_type if previous else None,
        },
    )


def _rate_change(*, current: PeriodUsage, previous: PeriodUsage | None) -> Cause | None:
    if previous is None or not current.schedule_name or not previous.schedule_name:
        return None
    if current.schedule_name == previous.schedule_name:
        return None
    new, old = current.schedule_name, previous.schedule_name
    return Cause(
        code="rate_change",
        evidence={"previous_schedule": old, "current_schedule": new},
        reason=Reason(
            code="rate_change",
            en=(
                f"New rates took effect: this bill uses the {new} rates; "
                f"your previous bill used {old}."
            ),
            es=(
                f"Entraron en vigor nuevas tarifas: esta factura usa las tarifas {new}; "
                f"su factura anterior usó {old}."
            ),
        ),
    )


def _longer_period(*, current: PeriodUsage, history: Sequence[PeriodUsage]) -> Cause | None:
    typical = median(p.days for p in history) if history else None
    long_vs_typical = typical is not None and current.days >= LONG_PERIOD_RATIO * typical
    if current.days < LONG_PERIOD_DAYS and not long_vs_typical:
        return None
    usual_en = f", longer than your usual {typical:g} days" if typical else ""
    usual_es = f", más que sus {typical:g} días habituales" if typical else ""
    return Cause(
        code="longer_period",
        evidence={"days": current.days, "typical_days": typical},
        reason=Reason(
            code="longer_period",
            en=(
                f"This billing period was {current.days} days long{usual_en}, so it "
                "includes more days of water use."
            ),
            es=(
                f"Este periodo de facturación duró {current.days} días{usual_es}, así que "
                "incluye más días de consumo."
            ),
        ),
    )


def _summary(*, a: HighBillAnalysis, gallons_per_unit: int) -> Reason:
    cur = a.current
    gallons = format_number(cur.consumption_hcf * gallons_per_unit)
    end_en, end_es = (
        format_date(day=cur.period_end, lang="en"),
        format_date(day=cur.period_end, lang="es"),
    )
    en = (
        f"Your bill for the period ending {end_en} ({format_money(cur.total)}) shows "
        f"{cur.consumption_hcf} HCF ({gallons} gallons)"
    )
    es = (
        f"Su factura del periodo que terminó el {end_es} ({format_money(cur.total)}) muestra "
        f"{cur.consumption_hcf} HCF ({gallons} galones)"
    )
    comparisons_en, comparisons_es = [], []
    if a.trailing_average_hcf is not None and a.percent_vs_average is not None:
        word_en, word_es = ("more", "más") if a.percent_vs_average >= 0 else ("less", "menos")
        pct = format_percent(a.percent_vs_average)
        comparisons_en.append(f"{pct} {word_en} than your average of {a.trailing_average_hcf} HCF")
        comparisons_es.append(f"{pct} {word_es} que su promedio de {a.trailing_average_hcf} HCF")
    if a.last_year is not None and a.percent_vs_last_year is not None:
        word_en, word_es = ("more", "más") if a.percent_vs_last_year >= 0 else ("less", "menos")
        ly = a.last_year.consumption_hcf
        pct = format_percent(a.percent_vs_last_year)
        comparisons_en.append(f"{pct} {word_en} than the same period last year ({ly} HCF)")
        comparisons_es.append(f"{pct} {word_es} que el mismo periodo del año pasado ({ly} HCF)")
    if comparisons_en:
        en += ", " + " and ".join(comparisons_en)
        es += ", " + " y ".join(comparisons_es)
    en, es = en + ".", es + "."
    top = a.causes[0].reason if a.causes else None
    if a.is_high and top:
        en += f" The most likely reason: {top.en}"
        es += f" La razón más probable: {top.es}"
    elif a.is_high:
        en += (
            " We did not find a clear reason in your meter data; a representative can help, "
            "for example by checking your meter for a leak."
        )
        es += (
            " No encontramos una razón clara en los datos de su medidor; un representante "
            "puede ayudarle, por ejemplo revisando su medidor para detectar una fuga."
        )
    else:
        en += " That is within your usual range."
        es += " Eso está dentro de su rango habitual."
        if top:
            en += f" Still, note: {top.en}"
            es += f" Aun así, tenga en cuenta: {top.es}"
    return Reason(code="high_bill" if a.is_high else "usual_bill", en=en, es=es)


def analyze_high_bill(*, district: District, periods: Sequence[PeriodUsage]) -> HighBillAnalysis:
    """Analyze the last period (the bill asked about) against the ones before it."""
    ordered = check_periods(periods)
    if not ordered:
        raise ValueError("at least one period is needed to analyze a bill")
    current, earlier = ordered[-1], ordered[:-1]
    history = earlier[-TRAILING_PERIODS:]
    previous = earlier[-1] if earlier else None
    average = (
        tenth(Decimal(sum(p.consumption_hcf for p in history)) / len(history)) if history else None
    )
    last_year = _last_year(current=current, earlier=earlier)
    ly_hcf = last_year.consumption_hcf if last_year else None
    is_high = _is_higher(current=current.consumption_hcf, reference=average) or _is_higher(
        current=current.consumption_hcf, reference=ly_hcf
    )
    found = [
        _continuous_use(
            current=current, history=history, gallons_per_unit=district.gallons_per_unit
        ),
        _seasonal(current=current, last_year=last_year, average=average),
        _estimated(current=current, previous=previous),
        _rate_change(current=current, previous=previous),
        _longer_period(current=current, history=history),
    ]
    causes = tuple(sorted((c for c in found if c is not None), key=lambda c: -_LIKELIHOOD[c.code]))
    draft = HighBillAnalysis(
        current=current,
        previous=previous,
        last_year=last_year,
        trailing_average_hcf=average,
        trailing_periods=len(history),
        percent_vs_average=None
        if average is None
        else percent_change(current=current.consumption_hcf, reference=average),
        percent_vs_last_year=None
        if ly_hcf is None
        else percent_change(current=current.consumption_hcf, reference=ly_hcf),
        is_high=is_high,
        causes=causes,
        summary=Reason(code="", en="", es=""),
    )
    return replace(draft, summary=_summary(a=draft, gallons_per_unit=district.gallons_per_unit))
