"""Bilingual (English/Spanish) texts and the formatting helpers the engines share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from common.dates import (  # noqa: F401  (the engines format dates through this module)
    MONTHS_EN,
    MONTHS_ES,
    WEEKDAYS_EN,
    WEEKDAYS_ES,
    format_date,
    format_weekday_date,
    month_label,
    month_year,
    normalize_lang,
)

LANGS: tuple[str, ...] = ("en", "es")


@dataclass(frozen=True)
class Reason:
    """One customer-readable statement in both languages, with a stable code."""

    code: str
    en: str
    es: str

    def text(self, lang: str = "en") -> str:
        return self.es if normalize_lang(lang) == "es" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "en": self.en, "es": self.es}


def format_money(amount: Decimal) -> str:
    """ "$1,234.50" and "-$10.00": the sign goes before the dollar sign."""
    cents = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"


def format_number(value: int | Decimal) -> str:
    """A whole number with thousands separators: "22,440"."""
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def format_percent(value: Decimal) -> str:
    """A whole-number percent for customer text ("8%"); the sign is left to the wording."""
    return f"{abs(Decimal(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"
