"""The rate engine: a bill's line items from consumption, meter size and the schedule in force."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from backend.domain.district import ClassRates, District, normalize_meter_size
from backend.domain.i18n import format_money, normalize_lang

CENT = Decimal("0.01")

USAGE, METER_CHARGE, SEWER_FIXED, SEWER_USAGE = (
    "usage",
    "meter_charge",
    "sewer_fixed",
    "sewer_usage",
)
COMPUTED_KINDS: tuple[str, ...] = (USAGE, METER_CHARGE, SEWER_FIXED, SEWER_USAGE)
FEE_KINDS: tuple[str, ...] = (
    "late_fee",
    "reconnection_fee",
    "after_hours_reconnection_fee",
    "meter_test_fee",
    "returned_payment_fee",
)
EXTRA_KINDS: tuple[str, ...] = (*FEE_KINDS, "adjustment", "credit")
KIND_LABELS: dict[str, tuple[str, str]] = {
    "late_fee": ("Late fee", "Recargo por pago atrasado"),
    "reconnection_fee": ("Reconnection fee", "Cargo de reconexión"),
    "after_hours_reconnection_fee": (
        "After-hours reconnection fee",
        "Cargo de reconexión fuera de horario",
    ),
    "meter_test_fee": ("Meter test fee", "Cargo por prueba del medidor"),
    "returned_payment_fee": ("Returned payment fee", "Cargo por pago devuelto"),
    "adjustment": ("Adjustment", "Ajuste"),
    "credit": ("Credit", "Crédito"),
    METER_CHARGE: ("Meter charge", "Cargo por medidor"),
    SEWER_FIXED: ("Sewer service charge", "Cargo fijo de alcantarillado"),
    SEWER_USAGE: ("Sewer usage", "Alcantarillado por consumo"),
    USAGE: ("Water usage", "Consumo de agua"),
}


def money(x: Decimal | str | float) -> Decimal:
    """A dollar amount quantized to cents, rounding half up."""
    if isinstance(x, bool):
        raise TypeError("money() does not accept booleans")
    # str() first so a float like 0.1 becomes "0.1", not its binary expansion
    value = Decimal(str(x)) if isinstance(x, float) else Decimal(x)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    return int(money(amount).scaleb(2))


def from_cents(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2).quantize(CENT)


@dataclass(frozen=True)
class BillLineItem:
    kind: str
    description: str
    amount: Decimal
    quantity: int | None = None
    unit_price: Decimal | None = None
    tier: int | None = None
    description_es: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ComputedBill:
    schedule_name: str
    lines: tuple[BillLineItem, ...]
    total: Decimal

    def amount_of(self, kind: str) -> Decimal:
        """Sum of the lines of one kind (e.g. all usage tiers)."""
        return sum((line.amount for line in self.lines if line.kind == kind), Decimal("0.00"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schedule_name": self.schedule_name,
            "total": self.total,
            "lines": [line.to_dict() for line in self.lines],
        }


def _tier_range(*, rates: ClassRates, index: int, unit: str, lang: str) -> str:
    tiers = rates.tiers
    lower = 0 if index == 0 else (tiers[index - 1].up_to or 0) + 1
    upper = tiers[index].up_to
    if upper is not None:
        return f"{lower}-{upper} {unit}"
    if index == 0:
        return f"todos los {unit}" if lang == "es" else f"all {unit}"
    return f"más de {lower - 1} {unit}" if lang == "es" else f"over {lower - 1} {unit}"


def _usage_lines(*, rates: ClassRates, consumption: int, unit: str) -> list[BillLineItem]:
    lines: list[BillLineItem] = []
    lower = 0
    for index, tier in enumerate(rates.tiers):
        upper = consumption if tier.up_to is None else min(consumption, tier.up_to)
        units = upper - lower
        if units > 0:
            lines.append(
                BillLineItem(
                    kind=USAGE,
                    description=(
                        f"Water usage, tier {index + 1} "
                        f"({_tier_range(rates=rates, index=index, unit=unit, lang='en')})"
                    ),
                    description_es=(
                        f"Consumo de agua, nivel {index + 1} "
                        f"({_tier_range(rates=rates, index=index, unit=unit, lang='es')})"
                    ),
                    amount=money(tier.price * units),
                    quantity=units,
                    unit_price=tier.price,
                    tier=index + 1,
                )
            )
        if tier.up_to is None or consumption <= tier.up_to:
            break
        lower = tier.up_to
    return lines


def _checked_extra(line: BillLineItem) -> BillLineItem:
    if line.kind not in EXTRA_KINDS:
        raise ValueError(
            f"unknown extra line kind {line.kind!r} (allowed: {', '.join(EXTRA_KINDS)})"
        )
    amount = money(line.amount)
    if line.kind == "credit" and amount > 0:
        raise ValueError("a credit line must have a negative amount")
    if line.kind in FEE_KINDS and amount < 0:
        raise ValueError(f"a {line.kind} line must not be negative")
    return BillLineItem(
        kind=line.kind,
        description=line.description,
        amount=amount,
        quantity=line.quantity,
        unit_price=line.unit_price,
        tier=line.tier,
        description_es=line.description_es or KIND_LABELS[line.kind][1],
    )


def compute_bill(
    *,
    district: District,
    account_type: str,
    meter_size: str,
    consumption_hcf: int,
    period_end: date,
    extra_lines: Sequence[BillLineItem] = (),
) -> ComputedBill:
    """The bill under the schedule in force on `period_end`; total = sum of the cent lines."""
    if isinstance(consumption_hcf, bool) or not isinstance(consumption_hcf, int):
        raise ValueError(f"consumption_hcf must be a whole number, got {consumption_hcf!r}")
    if consumption_hcf < 0:
        raise ValueError(f"consumption_hcf must not be negative, got {consumption_hcf}")
    schedule = district.schedule_for(period_end)
    rates = schedule.rates_for(account_type)
    meter_charge = schedule.meter_charge_for(meter_size)
    unit = district.billing_unit
    size = normalize_meter_size(meter_size)
    lines = _usage_lines(rates=rates, consumption=consumption_hcf, unit=unit)
    lines.append(
        BillLineItem(
            kind=METER_CHARGE,
            description=f"Meter charge, {size} inch meter",
            description_es=f"Cargo por medidor de {size} de pulgada",
            amount=money(meter_charge),
        )
    )
    sewer = rates.sewer
    if sewer is not None:
        lines.append(
            BillLineItem(
                kind=SEWER_FIXED,
                description=KIND_LABELS[SEWER_FIXED][0],
                description_es=KIND_LABELS[SEWER_FIXED][1],
                amount=money(sewer.fixed),
            )
        )
        billed = (
            consumption_hcf if sewer.cap_units is None else min(consumption_hcf, sewer.cap_units)
        )
        if billed > 0:
            cap_en = (
                f" (billed on up to {sewer.cap_units} {unit})"
                if sewer.cap_units is not None
                else ""
            )
            cap_es = (
                f" (se cobra hasta {sewer.cap_units} {unit})" if sewer.cap_units is not None else ""
            )
            lines.append(
                BillLineItem(
                    kind=SEWER_USAGE,
                    description=f"Sewer usage{cap_en}",
                    description_es=f"Alcantarillado por consumo{cap_es}",
                    amount=money(sewer.per_unit * billed),
                    quantity=billed,
                    unit_price=sewer.per_unit,
                )
            )
    lines.extend(_checked_extra(line) for line in extra_lines)
    total = sum((line.amount for line in lines), Decimal("0.00"))
    return ComputedBill(schedule_name=schedule.name, lines=tuple(lines), total=money(total))


def fee_line(*, district: District, kind: str) -> BillLineItem:
    """A line for one of the district's fees (late_fee, reconnection_fee, ...)."""
    if kind not in FEE_KINDS:
        raise ValueError(f"unknown fee kind {kind!r} (allowed: {', '.join(FEE_KINDS)})")
    en, es = KIND_LABELS[kind]
    return BillLineItem(
        kind=kind, description=en, description_es=es, amount=money(getattr(district.fees, kind))
    )


def late_fee_line(district: District) -> BillLineItem:
    return fee_line(district=district, kind="late_fee")


def credit_line(
    *, amount: Decimal, description: str = "Credit", description_es: str | None = None
) -> BillLineItem:
    """A credit; the amount is stored negative whatever sign it is given with."""
    return BillLineItem(
        kind="credit",
        description=description,
        description_es=description_es or KIND_LABELS["credit"][1],
        amount=-abs(money(amount)),
    )


def _price(value: Decimal) -> str:
    # Unit prices may carry more than cents (e.g. $0.125); show them as written.
    return format_money(value) if value == money(value) else f"${value.normalize()}"


def explain_line(*, line: BillLineItem, lang: str = "en", unit: str = "HCF") -> str:
    es = normalize_lang(lang) == "es"
    if line.kind == USAGE and line.tier is not None:
        label = f"Consumo de agua, nivel {line.tier}" if es else f"Water usage tier {line.tier}"
    elif line.kind in (USAGE, SEWER_USAGE):
        label = KIND_LABELS[line.kind][1 if es else 0]
    elif es:
        label = line.description_es or KIND_LABELS.get(line.kind, (line.description,) * 2)[1]
    else:
        label = line.description
    if line.quantity is not None and line.unit_price is not None:
        at = "a" if es else "at"
        return (
            f"{label}: {line.quantity} {unit} {at} {_price(line.unit_price)} = "
            f"{format_money(line.amount)}"
        )
    return f"{label}: {format_money(line.amount)}"


def explain_lines(
    *, lines: Sequence[BillLineItem], lang: str = "en", unit: str = "HCF"
) -> list[str]:
    """One plain-language sentence per line, e.g. "Water usage tier 1: 10 HCF at $3.12 = $31.20"."""
    return [explain_line(line=line, lang=lang, unit=unit) for line in lines]


def rate_table(*, district: District, account_type: str, day: date) -> list[dict[str, Any]]:
    """The tiers in force on `day` for an account type, for explaining rates."""
    schedule = district.schedule_for(day)
    rates = schedule.rates_for(account_type)
    unit = district.billing_unit
    return [
        {
            "tier": i + 1,
            "up_to": tier.up_to,
            "price": tier.price,
            "range": _tier_range(rates=rates, index=i, unit=unit, lang="en"),
            "range_es": _tier_range(rates=rates, index=i, unit=unit, lang="es"),
        }
        for i, tier in enumerate(rates.tiers)
    ]


def worked_example(
    *,
    district: District,
    account_type: str = "residential",
    meter_size: str = "3/4",
    consumption_hcf: int = 12,
    day: date,
) -> dict[str, Any]:
    """A sample bill with every line explained, in both languages (amounts stay Decimal)."""
    bill = compute_bill(
        district=district,
        account_type=account_type,
        meter_size=meter_size,
        consumption_hcf=consumption_hcf,
        period_end=day,
    )
    schedule = district.schedule_for(day)
    unit = district.billing_unit
    return {
        "schedule_name": bill.schedule_name,
        "effective": schedule.effective,
        "account_type": account_type,
        "meter_size": normalize_meter_size(meter_size),
        "consumption_hcf": consumption_hcf,
        "gallons": consumption_hcf * district.gallons_per_unit,
        "gallons_per_unit": district.gallons_per_unit,
        "rates": rate_table(district=district, account_type=account_type, day=day),
        "lines": [line.to_dict() for line in bill.lines],
        "explanation": {
            lang: explain_lines(lines=bill.lines, lang=lang, unit=unit) for lang in ("en", "es")
        },
        "total": bill.total,
    }
