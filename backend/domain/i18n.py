"""Bilingual (English/Spanish) texts and the formatting helpers the engines share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

LANGS: tuple[str, ...] = ("en", "es")

MONTHS_EN: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_ES: tuple[str, ...] = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
WEEKDAYS_EN: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
WEEKDAYS_ES: tuple[str, ...] = (
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
)


def normalize_lang(lang: str | None) -> str:
    """Map "es", "es-MX", "ES" to "es"; anything else falls back to English."""
    return "es" if (lang or "").strip().lower().startswith("es") else "en"


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


def format_date(*, day: date, lang: str = "en") -> str:
    """ "March 3, 2026" or "3 de marzo de 2026"."""
    if normalize_lang(lang) == "es":
        return f"{day.day} de {MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def format_weekday_date(*, day: date, lang: str = "en") -> str:
    """ "Friday, July 3, 2026" or "viernes, 3 de julio de 2026"."""
    if normalize_lang(lang) == "es":
        return f"{WEEKDAYS_ES[day.weekday()]}, {format_date(day=day, lang='es')}"
    return f"{WEEKDAYS_EN[day.weekday()]}, {format_date(day=day, lang='en')}"


def month_label(*, day: date, lang: str = "en") -> str:
    """Short month label for tables and charts: "Jun 2026" or "jun 2026"."""
    names = MONTHS_ES if normalize_lang(lang) == "es" else MONTHS_EN
    return f"{names[day.month - 1][:3]} {day.year}"


def month_year(*, day: date, lang: str = "en") -> str:
    """ "June 2026" or "junio de 2026"."""
    if normalize_lang(lang) == "es":
        return f"{MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{MONTHS_EN[day.month - 1]} {day.year}"
