"""Date resolution: plain function, no Rasa. Today is Thursday 2026-11-26 unless a test says so."""

from datetime import date

import pytest

from bot.components.dates import resolve_dates

THURSDAY = date(2026, 11, 26)
MONDAY = date(2026, 11, 30)
SUNDAY = date(2026, 11, 29)


def values(text: str, *, today: date = THURSDAY) -> list[str]:
    return [iso for _start, _end, iso in resolve_dates(text, today=today)]


def spans(text: str, *, today: date = THURSDAY) -> list[tuple[str, str]]:
    return [(text[start:end], iso) for start, end, iso in resolve_dates(text, today=today)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", "2026-11-26"),
        ("tonight", "2026-11-26"),
        ("tomorrow", "2026-11-27"),
        ("call me tmrw", "2026-11-27"),
        ("day after tomorrow", "2026-11-28"),
        ("the day after tomorrow", "2026-11-28"),
        ("yesterday", "2026-11-25"),
        ("next tuesday", "2026-12-01"),
        ("this friday", "2026-11-27"),
        ("this coming friday", "2026-11-27"),
        ("on monday", "2026-11-30"),
        ("friday", "2026-11-27"),
        ("thursday", "2026-11-26"),  # a bare weekday may be today
        ("this thursday", "2026-11-26"),
        ("next thursday", "2026-12-03"),
        ("on sat", "2026-11-28"),
        ("next tue", "2026-12-01"),
        ("dec 15", "2026-12-15"),
        ("Dec. 15", "2026-12-15"),
        ("december 15th", "2026-12-15"),
        ("December 15, 2026", "2026-12-15"),
        ("15 december", "2026-12-15"),
        ("15th of December 2026", "2026-12-15"),
        ("june 1st", "2027-06-01"),  # month-day without a year: the next one
        ("march 2", "2027-03-02"),
        ("the 15th", "2026-12-15"),
        ("on the 3rd", "2026-12-03"),
        ("the 31st", "2026-12-31"),
        ("the first of next month", "2026-12-01"),
        ("the 15th of next month", "2026-12-15"),
        ("12/15", "2026-12-15"),
        ("12/15/2026", "2026-12-15"),
        ("12/15/26", "2026-12-15"),
        ("12-15-2026", "2026-12-15"),
        ("effective 01/05", "2027-01-05"),
        ("2026-12-15", "2026-12-15"),
        ("in 2 weeks", "2026-12-10"),
        ("in two weeks", "2026-12-10"),
        ("in 3 days", "2026-11-29"),
        ("in a week", "2026-12-03"),
        ("in a couple of days", "2026-11-28"),
        ("2 weeks from now", "2026-12-10"),
        ("3 days ago", "2026-11-23"),
        ("next week", "2026-11-30"),
        ("feb 29", "2028-02-29"),
    ],
)
def test_english(text: str, expected: str) -> None:
    assert values(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoy", "2026-11-26"),
        ("mañana", "2026-11-27"),
        ("manana", "2026-11-27"),
        ("Hasta mañana", "2026-11-27"),
        ("pasado mañana", "2026-11-28"),
        ("ayer", "2026-11-25"),
        ("el próximo martes", "2026-12-01"),
        ("el proximo martes", "2026-12-01"),
        ("el martes", "2026-12-01"),
        ("este lunes", "2026-11-30"),
        ("el lunes que viene", "2026-11-30"),
        ("el miércoles", "2026-12-02"),
        ("el sabado", "2026-11-28"),
        ("el jueves", "2026-11-26"),
        ("el próximo jueves", "2026-12-03"),  # "próximo" is never today
        ("el jueves de la próxima semana", "2026-12-03"),
        ("el 15 de diciembre", "2026-12-15"),
        ("el 15 de diciembre de 2026", "2026-12-15"),
        ("15 de dic", "2026-12-15"),
        ("a partir del 15 de diciembre", "2026-12-15"),
        ("el 3 de enero", "2027-01-03"),
        ("el 1ro de diciembre", "2026-12-01"),
        ("primero de diciembre", "2026-12-01"),
        ("el 15", "2026-12-15"),
        ("antes del 20", "2026-12-20"),
        ("el día 20", "2026-12-20"),
        ("el 15 de este mes", "2026-11-15"),
        ("el primero del mes que entra", "2026-12-01"),
        ("15/12", "2026-12-15"),  # day/month when the first number cannot be a month
        ("en dos semanas", "2026-12-10"),
        ("en 3 días", "2026-11-29"),
        ("dentro de 3 dias", "2026-11-29"),
        ("hace 2 semanas", "2026-11-12"),
        ("la próxima semana", "2026-11-30"),
        ("la semana que viene", "2026-11-30"),
    ],
)
def test_spanish(text: str, expected: str) -> None:
    assert values(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "en la mañana",
        "esta mañana",
        "por la mañana",
        "a las 10 de la mañana",
        "at 8 pm",
        "2 weeks",
        "i paid $84.12",
        "92688",
        "1000001",
        "(949) 555-0101",
        "the 2nd time i call",
        "the first address",
        "the first one",
        "option 2",
        "la 3",
        "el 15%",
        "we need water 24/7",
        "a 3/4 inch meter",
        "what is meter size 3/4 on my bill",
        "medidor de 5/8",
        "visa exp 09/27",
        "i sat down",
        "every monday",
        "los martes",
        "you cut my water off on a friday?",
        "dec 2026",
        "13/13",
        "12/32",
        "2/30/2026",
        "i may 2 things",
        "whats the traffic like on the 5",
        "the reading jumped 40 units in one month",
    ],
)
def test_not_a_date(text: str) -> None:
    assert values(text) == []


def test_mañana_is_tomorrow_only_outside_the_morning() -> None:
    assert spans("mañana en la mañana") == [("mañana", "2026-11-27")]
    assert spans("mañana por la mañana") == [("mañana", "2026-11-27")]


def test_spans_cover_the_words() -> None:
    text = "please stop service next tuesday at 8 PM, not dec 15."
    assert spans(text) == [("next tuesday", "2026-12-01"), ("dec 15", "2026-12-15")]
    assert resolve_dates("Dec. 15", today=THURSDAY) == [(0, 7, "2026-12-15")]
    # A sentence's full stop is not part of a full month name.
    assert spans("cerramos el 15 de diciembre.") == [("el 15 de diciembre", "2026-12-15")]


def test_longest_expression_wins() -> None:
    assert spans("the day after tomorrow") == [("the day after tomorrow", "2026-11-28")]
    assert spans("pasado mañana") == [("pasado mañana", "2026-11-28")]


def test_weekday_next_to_a_date_is_one_date() -> None:
    assert spans("friday, dec 15") == [("friday, dec 15", "2026-12-15")]
    assert spans("el martes 15 de diciembre") == [("el martes 15 de diciembre", "2026-12-15")]
    assert spans("monday the 30th") == [("monday the 30th", "2026-11-30")]
    assert spans("martes 15") == [("martes 15", "2026-12-15")]


def test_several_dates_in_text_order() -> None:
    text = "between dec 1 and dec 15, or tomorrow"
    assert values(text) == ["2026-12-01", "2026-12-15", "2026-11-27"]


def test_next_weekday_is_next_calendar_week_in_english_but_the_coming_one_in_spanish() -> None:
    assert values("next friday", today=MONDAY) == ["2026-12-11"]
    assert values("this friday", today=MONDAY) == ["2026-12-04"]
    assert values("friday", today=MONDAY) == ["2026-12-04"]
    assert values("el próximo viernes", today=MONDAY) == ["2026-12-04"]
    assert values("el viernes de la próxima semana", today=MONDAY) == ["2026-12-11"]


def test_next_week_from_a_sunday_is_tomorrow() -> None:
    assert values("next week", today=SUNDAY) == ["2026-11-30"]
    assert values("next monday", today=SUNDAY) == ["2026-11-30"]
    assert values("monday", today=SUNDAY) == ["2026-11-30"]


def test_year_rollover() -> None:
    today = date(2026, 12, 30)
    assert values("jan 5", today=today) == ["2027-01-05"]
    assert values("the 15th", today=today) == ["2027-01-15"]
    assert values("next week", today=today) == ["2027-01-04"]
    assert values("in 3 days", today=today) == ["2027-01-02"]
    assert values("12/30", today=today) == ["2026-12-30"]  # today counts as "on or after"


def test_day_of_month_skips_short_months() -> None:
    assert values("the 30th", today=date(2027, 2, 10)) == ["2027-03-30"]
    assert values("el 31", today=date(2026, 11, 26)) == ["2026-12-31"]


def test_explicit_past_year_is_kept() -> None:
    assert values("12/15/2025") == ["2025-12-15"]
    assert values("2025-01-02") == ["2025-01-02"]
