from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.domain.i18n import (
    Reason,
    format_date,
    format_money,
    format_number,
    format_percent,
    format_weekday_date,
    month_label,
    month_year,
    normalize_lang,
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("es", "es"), ("ES", "es"), ("es-MX", "es"), ("en", "en"), ("en-US", "en"), ("fr", "en"),
     ("", "en"), (None, "en")],
)  # fmt: skip
def test_normalize_lang(lang: str | None, expected: str) -> None:
    assert normalize_lang(lang) == expected


def test_reason_text_picks_the_language() -> None:
    reason = Reason(code="x", en="Hello", es="Hola")
    assert reason.text() == "Hello"
    assert reason.text("es") == "Hola"
    assert reason.text("es-US") == "Hola"
    assert reason.text("de") == "Hello"
    assert reason.to_dict() == {"code": "x", "en": "Hello", "es": "Hola"}


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0", "$0.00"), ("3.1", "$3.10"), ("1234.5", "$1,234.50"), ("-10", "-$10.00"),
     ("2.675", "$2.68"), ("1000000", "$1,000,000.00")],
)  # fmt: skip
def test_format_money(amount: str, expected: str) -> None:
    assert format_money(Decimal(amount)) == expected


def test_dates_in_both_languages() -> None:
    day = date(2026, 3, 3)
    assert format_date(day=day) == "March 3, 2026"
    assert format_date(day=day, lang="es") == "3 de marzo de 2026"
    assert format_weekday_date(day=date(2026, 7, 3)) == "Friday, July 3, 2026"
    assert format_weekday_date(day=date(2026, 7, 3), lang="es") == "viernes, 3 de julio de 2026"
    assert month_label(day=date(2026, 9, 30)) == "Sep 2026"
    assert month_label(day=date(2026, 9, 30), lang="es") == "sep 2026"
    assert month_year(day=date(2026, 12, 1), lang="es") == "diciembre de 2026"


def test_numbers_and_percents() -> None:
    assert format_number(22440) == "22,440"
    assert format_number(Decimal("284.5")) == "285"
    assert format_percent(Decimal("-24.5")) == "25%"
    assert format_percent(Decimal("8.04")) == "8%"
