from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backend.domain.calendar import (
    add_business_days,
    holiday_date,
    holiday_on,
    holidays_for_year,
    is_business_day,
    is_open,
    next_business_day,
    next_opening,
    office_hours,
    previous_business_day,
    validate_requested_date,
)
from backend.domain.district import District, Holiday, parse_district

LA = ZoneInfo("America/Los_Angeles")


def _observed(district: District, year: int) -> dict[str, date]:
    return {h.name: h.observed for h in holidays_for_year(district=district, year=year)}


def test_holidays_2026(district: District) -> None:
    assert _observed(district, 2026) == {
        "New Year's Day": date(2026, 1, 1),
        "Martin Luther King Jr. Day": date(2026, 1, 19),
        "Presidents' Day": date(2026, 2, 16),
        "Memorial Day": date(2026, 5, 25),
        "Independence Day": date(2026, 7, 3),  # July 4 is a Saturday: observed Friday
        "Labor Day": date(2026, 9, 7),
        "Veterans Day": date(2026, 11, 11),
        "Thanksgiving Day": date(2026, 11, 26),
        "Day after Thanksgiving": date(2026, 11, 27),
        "Christmas Eve": date(2026, 12, 24),
        "Christmas Day": date(2026, 12, 25),
    }


def test_observed_holiday_keeps_its_actual_date(district: District) -> None:
    july4 = holiday_on(district=district, day=date(2026, 7, 3))
    assert july4 is not None
    assert (july4.actual, july4.observed, july4.is_shifted) == (
        date(2026, 7, 4),
        date(2026, 7, 3),
        True,
    )
    assert july4.name_es == "Día de la Independencia"


def test_sunday_holiday_is_observed_monday(district: District) -> None:
    assert _observed(district, 2027)["Independence Day"] == date(2027, 7, 5)
    assert _observed(district, 2023)["New Year's Day"] == date(2023, 1, 2)


def test_day_after_thanksgiving_when_november_starts_on_friday(district: District) -> None:
    # Nov 1, 2024 was a Friday: the 4th Friday (Nov 22) is not the day after Thanksgiving.
    observed = _observed(district, 2024)
    assert observed["Thanksgiving Day"] == date(2024, 11, 28)
    assert observed["Day after Thanksgiving"] == date(2024, 11, 29)
    naive_rule = Holiday(name="x", month=11, nth=4, weekday=4)
    assert holiday_date(holiday=naive_rule, year=2024) == date(2024, 11, 22)


def test_new_years_day_on_saturday_is_observed_the_friday_before(district: District) -> None:
    # Jan 1, 2028 is a Saturday, so the office closes on Dec 31, 2027.
    holiday = holiday_on(district=district, day=date(2027, 12, 31))
    assert holiday is not None and holiday.name == "New Year's Day"
    assert not is_business_day(district=district, day=date(2027, 12, 31))


def test_colliding_observances_do_not_lose_a_day_off(district: District) -> None:
    # 2027: Christmas Eve is a Friday and Christmas a Saturday, so both Dec 23 and 24 are off.
    assert not is_business_day(district=district, day=date(2027, 12, 23))
    assert not is_business_day(district=district, day=date(2027, 12, 24))
    # 2028: Christmas Eve is a Sunday and Christmas a Monday: Dec 25 and 26 are off.
    assert not is_business_day(district=district, day=date(2028, 12, 25))
    assert not is_business_day(district=district, day=date(2028, 12, 26))
    assert is_business_day(district=district, day=date(2028, 12, 27))


def test_last_and_fifth_weekday_rules() -> None:
    memorial = Holiday(name="Memorial Day", month=5, nth=-1, weekday=0)
    assert holiday_date(holiday=memorial, year=2026) == date(2026, 5, 25)
    assert holiday_date(holiday=memorial, year=2027) == date(2027, 5, 31)
    fifth_friday = Holiday(name="x", month=2, nth=5, weekday=4)
    assert holiday_date(holiday=fifth_friday, year=2026) is None  # no 5th Friday in Feb 2026
    last_of_december = Holiday(name="y", month=12, nth=-1, weekday=3)
    assert holiday_date(holiday=last_of_december, year=2026) == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 7, 2), True),
        (date(2026, 7, 3), False),  # Independence Day observed
        (date(2026, 7, 4), False),  # Saturday
        (date(2026, 7, 6), True),
        (date(2026, 11, 25), True),
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 27), False),  # day after Thanksgiving
        (date(2026, 11, 30), True),
        (date(2026, 11, 11), False),  # Veterans Day on a Wednesday
        (date(2026, 3, 8), False),  # Sunday
    ],
)
def test_is_business_day(district: District, day: date, expected: bool) -> None:
    assert is_business_day(district=district, day=day) is expected


def test_next_and_previous_business_day(district: District) -> None:
    assert next_business_day(district=district, day=date(2026, 11, 25)) == date(2026, 11, 30)
    assert next_business_day(district=district, day=date(2026, 7, 2)) == date(2026, 7, 6)
    assert next_business_day(district=district, day=date(2026, 7, 2), inclusive=True) == date(
        2026, 7, 2
    )
    assert next_business_day(district=district, day=date(2026, 7, 3), inclusive=True) == date(
        2026, 7, 6
    )
    assert previous_business_day(district=district, day=date(2026, 11, 30)) == date(2026, 11, 25)


def test_add_business_days_skips_weekends_and_holidays(district: District) -> None:
    assert add_business_days(district=district, day=date(2026, 11, 24), days=2) == date(
        2026, 11, 30
    )
    assert add_business_days(district=district, day=date(2026, 11, 24), days=3) == date(2026, 12, 1)
    assert add_business_days(district=district, day=date(2026, 11, 30), days=-1) == date(
        2026, 11, 25
    )
    assert add_business_days(district=district, day=date(2026, 7, 4), days=0) == date(2026, 7, 4)
    assert add_business_days(district=district, day=date(2026, 6, 29), days=5) == date(2026, 7, 7)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 7, 2, 7, 29), False),
        (datetime(2026, 7, 2, 7, 30), True),
        (datetime(2026, 7, 2, 17, 29, 59), True),
        (datetime(2026, 7, 2, 17, 30), False),
        (datetime(2026, 7, 3, 10, 0), False),  # observed holiday
        (datetime(2026, 7, 5, 10, 0), False),  # Sunday
    ],
)
def test_is_open_in_local_time(district: District, local: datetime, expected: bool) -> None:
    assert is_open(district=district, at=local.replace(tzinfo=LA)) is expected


def test_is_open_converts_other_time_zones(district: District) -> None:
    # 14:30 UTC on July 2, 2026 is 07:30 PDT; 00:15 UTC on July 3 is 17:15 PDT on July 2.
    assert is_open(district=district, at=datetime(2026, 7, 2, 14, 30, tzinfo=timezone.utc))
    assert not is_open(district=district, at=datetime(2026, 7, 2, 14, 29, tzinfo=timezone.utc))
    assert is_open(district=district, at=datetime(2026, 7, 3, 0, 15, tzinfo=timezone.utc))
    # In winter the offset is -8: 15:29 UTC is 07:29 PST.
    assert not is_open(district=district, at=datetime(2026, 1, 6, 15, 29, tzinfo=timezone.utc))
    assert is_open(district=district, at=datetime(2026, 1, 6, 15, 30, tzinfo=timezone.utc))


def test_naive_datetimes_are_refused(district: District) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(district=district, at=datetime(2026, 7, 2, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        next_opening(district=district, at=datetime(2026, 7, 2, 10, 0))


def test_next_opening_after_hours_before_thanksgiving(district: District) -> None:
    opening = next_opening(district=district, at=datetime(2026, 11, 25, 18, 0, tzinfo=LA))
    assert opening == datetime(2026, 11, 30, 7, 30, tzinfo=LA)
    assert opening.utcoffset() == timedelta(hours=-8)
    assert opening.tzinfo == LA


def test_next_opening_while_open_is_now(district: District) -> None:
    at = datetime(2026, 7, 2, 18, 0, tzinfo=timezone.utc)  # 11:00 PDT
    assert next_opening(district=district, at=at) == at


def test_next_opening_early_morning_is_the_same_day(district: District) -> None:
    at = datetime(2026, 7, 2, 6, 0, tzinfo=LA)
    assert next_opening(district=district, at=at) == datetime(2026, 7, 2, 7, 30, tzinfo=LA)


def test_next_opening_across_daylight_saving_change(district: District) -> None:
    # Saturday evening Mar 7, 2026 (PST); clocks spring forward Sunday; opens Monday in PDT.
    at = datetime(2026, 3, 8, 1, 0, tzinfo=timezone.utc)
    opening = next_opening(district=district, at=at)
    assert opening == datetime(2026, 3, 9, 7, 30, tzinfo=LA)
    assert opening.utcoffset() == timedelta(hours=-7)


def test_office_hours_sentence(district: District) -> None:
    hours = office_hours(district)
    assert hours.en == (
        "Our representatives are available Monday to Friday, 7:30 a.m. to 5:30 p.m., "
        "except holidays."
    )
    assert hours.es == (
        "Nuestros representantes atienden de lunes a viernes, de 07:30 a 17:30, "
        "excepto días festivos."
    )


def test_office_hours_with_non_contiguous_days(raw_district: dict[str, Any]) -> None:
    raw_district["hours"]["days"] = ["mon", "wed", "fri"]
    raw_district["hours"]["close"] = "12:00"
    hours = office_hours(parse_district(data=raw_district))
    assert "Monday, Wednesday, Friday, 7:30 a.m. to 12:00 p.m." in hours.en
    assert "los días lunes, miércoles, viernes" in hours.es


# -- requested service dates ----------------------------------------------------------------

TODAY = date(2026, 6, 20)  # a Saturday


def test_valid_requested_date_has_no_problems(district: District) -> None:
    assert (
        validate_requested_date(district=district, requested=date(2026, 6, 22), today=TODAY) == []
    )


def test_today_is_allowed_when_it_is_a_business_day(district: District) -> None:
    today = date(2026, 6, 22)
    assert validate_requested_date(district=district, requested=today, today=today) == []


def test_past_date(district: District) -> None:
    problems = validate_requested_date(district=district, requested=date(2026, 6, 1), today=TODAY)
    assert [p.code for p in problems] == ["date_in_past"]
    assert problems[0].en == "June 1, 2026 has already passed. Please choose today or a later date."
    assert problems[0].es == (
        "El 1 de junio de 2026 ya pasó. Por favor elija hoy o una fecha posterior."
    )


def test_weekend_date_suggests_the_next_business_day(district: District) -> None:
    problems = validate_requested_date(district=district, requested=date(2026, 6, 27), today=TODAY)
    assert [p.code for p in problems] == ["not_business_day"]
    assert problems[0].en == (
        "Saturday, June 27, 2026 is not a business day; we schedule service Monday to Friday, "
        "except holidays. The next business day is Monday, June 29, 2026."
    )
    assert "El siguiente día hábil es el lunes, 29 de junio de 2026." in problems[0].es


def test_holiday_names_the_holiday(district: District) -> None:
    problems = validate_requested_date(district=district, requested=date(2026, 7, 3), today=TODAY)
    assert [p.code for p in problems] == ["holiday"]
    assert problems[0].en == (
        "Friday, July 3, 2026 is a holiday (Independence Day, observed) and our office is closed. "
        "The next business day is Monday, July 6, 2026."
    )
    assert "Día de la Independencia, día observado" in problems[0].es


def test_thanksgiving_friday_is_refused(district: District) -> None:
    problems = validate_requested_date(
        district=district, requested=date(2026, 11, 27), today=date(2026, 11, 1)
    )
    assert [p.code for p in problems] == ["holiday"]
    assert "Day after Thanksgiving" in problems[0].en
    assert "Monday, November 30, 2026" in problems[0].en


def test_max_days_ahead_boundary(district: District) -> None:
    today = date(2026, 6, 22)
    limit = today + timedelta(days=60)  # Friday, Aug 21, 2026
    assert validate_requested_date(district=district, requested=limit, today=today) == []
    problems = validate_requested_date(
        district=district, requested=limit + timedelta(days=3), today=today
    )
    assert [p.code for p in problems] == ["too_far_ahead"]
    assert problems[0].en == (
        "August 24, 2026 is more than 60 days away. We can schedule up to 60 days ahead, so "
        "please choose a date on or before Friday, August 21, 2026."
    )
    assert problems[0].es.startswith("El 24 de agosto de 2026 está a más de 60 días.")


def test_too_far_and_weekend_reports_both_without_an_unusable_suggestion(
    district: District,
) -> None:
    problems = validate_requested_date(district=district, requested=date(2026, 9, 5), today=TODAY)
    assert [p.code for p in problems] == ["not_business_day", "too_far_ahead"]
    assert "next business day" not in problems[0].en
    assert "on or before Wednesday, August 19, 2026" in problems[1].en
