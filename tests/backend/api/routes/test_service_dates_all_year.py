"""Service dates with the clock set to every day of 2027: the answers follow the calendar.

The API is asked, in process, what it thinks of yesterday, today, the 60th and 61st days ahead
and the first business day past the window, at one minute past midnight and at one minute to
midnight in the district (when the UTC date is already tomorrow). The expected answers come
from the hand-written table below, not from backend.domain.calendar, so a wrong holiday rule,
a UTC "today" or an off-by-one at the window's edge shows up as the day it goes wrong on.
"""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from backend.core.db import make_engine
from backend.main import create_app
from backend.prestart import upgrade_database
from common import clock
from tests.utils.api import SERVICE
from tests.utils.db import make_test_settings

LA = ZoneInfo("America/Los_Angeles")
YEAR = 2027
WINDOW = 60  # district.yml: policies.service_orders.max_days_ahead

# The district's observed holidays from the last days of 2026 to the spring of 2028, worked out
# by hand from district.yml: (name, observed on another day than its own date).
HOLIDAYS: dict[date, tuple[str, bool]] = {
    date(2026, 12, 24): ("Christmas Eve", False),
    date(2026, 12, 25): ("Christmas Day", False),
    date(2027, 1, 1): ("New Year's Day", False),
    date(2027, 1, 18): ("Martin Luther King Jr. Day", False),
    date(2027, 2, 15): ("Presidents' Day", False),
    date(2027, 5, 31): ("Memorial Day", False),
    date(2027, 7, 5): ("Independence Day", True),  # July 4 is a Sunday
    date(2027, 9, 6): ("Labor Day", False),
    date(2027, 11, 11): ("Veterans Day", False),
    date(2027, 11, 25): ("Thanksgiving Day", False),
    date(2027, 11, 26): ("Day after Thanksgiving", False),
    # Christmas is a Saturday and Christmas Eve, on Friday, keeps its day: Christmas moves on
    # to Thursday (district.yml's rule: a weekday holiday keeps its day, a moved one moves on).
    date(2027, 12, 23): ("Christmas Day", True),
    date(2027, 12, 24): ("Christmas Eve", False),
    date(2027, 12, 31): ("New Year's Day", True),  # Jan 1, 2028 is a Saturday
    date(2028, 1, 17): ("Martin Luther King Jr. Day", False),
    date(2028, 2, 21): ("Presidents' Day", False),
}
LAST_COVERED = date(2028, 3, 31)  # every date the sweep asks about is before this


def is_business(day: date) -> bool:
    assert day < LAST_COVERED, f"{day} is past the hand-written holiday table"
    return day.weekday() < 5 and day not in HOLIDAYS


def step_to_business(day: date, step: int) -> date:
    while not is_business(day):
        day += timedelta(days=step)
    return day


def long_date(day: date) -> str:
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def expected(requested: date, today: date) -> list[tuple[str, list[str]]]:
    """(code, phrases its English text must contain) for each problem, in order."""
    if requested < today:
        day = f"{requested:%B} {requested.day}, {requested.year}"
        return [("date_in_past", [f"{day} has already passed"])]
    latest = today + timedelta(days=WINDOW)
    problems: list[tuple[str, list[str]]] = []
    if not is_business(requested):
        if requested in HOLIDAYS:
            name, shifted = HOLIDAYS[requested]
            phrases = [f"({name}{', observed' if shifted else ''})"]
            code = "holiday"
        else:
            phrases, code = ["is not a business day"], "not_business_day"
        suggestion = step_to_business(requested + timedelta(days=1), 1)
        if suggestion <= latest:
            phrases.append(f"The next business day is {long_date(suggestion)}.")
        problems.append((code, phrases))
    if requested > latest:
        last_ok = step_to_business(latest, -1)
        problems.append(("too_far_ahead", [f"more than {WINDOW} days away",
                                           f"on or before {long_date(last_ok)}."]))
    return problems


def matches(got: list[dict[str, Any]], want: list[tuple[str, list[str]]]) -> bool:
    return [p["code"] for p in got] == [code for code, _ in want] and all(
        phrase in p["en"] for p, (_, phrases) in zip(got, want) for phrase in phrases)


ADDRESS = {"street": "31 Calle Aria", "city": "Rancho Santa Margarita", "zip": "92688"}
BODIES: dict[str, dict[str, Any]] = {
    "start": {"kind": "start", "account_type": "residential", "service_address": ADDRESS,
              "mailing_address": ADDRESS,
              "identity": {"first_name": "Ana", "last_name": "Reyes", "phone": "949-555-0777",
                           "email": "ana@example.com", "preferred_language": "es"}},
    "stop": {"kind": "stop", "forwarding_address": {"street": "9 Elm St", "city": "Irvine",
                                                    "zip": "92618"}},
    "transfer": {"kind": "transfer", "service_address": ADDRESS},
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on an empty migrated SQLite database: no date here depends on stored data."""
    tmp: Path = tmp_path_factory.mktemp("sweep")
    settings = make_test_settings(database_url=f"sqlite:///{tmp / 'sweep.sqlite3'}", data_dir=tmp)
    engine = make_engine(settings)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    with TestClient(create_app(settings)) as client:
        yield client


def check_day(api: TestClient, today: date) -> list[str]:
    """What the API got wrong with the clock on `today`, one line per wrong answer."""
    wrong: list[str] = []

    def ask(requested: date) -> None:
        r = api.get(f"/api/v1/district/service-dates/{requested.isoformat()}", headers=SERVICE)
        assert r.status_code == 200, r.text
        body, want = r.json(), expected(requested, today)
        if body["ok"] != (not want) or not matches(body["problems"], want):
            wrong.append(f"today {today}, asked {requested}: got {body['problems']}, want {want}")

    def order(requested: date) -> None:
        kind = ("start", "stop", "transfer")[today.toordinal() % 3]
        r = api.post("/api/v1/service-orders", headers=SERVICE,
                     json={**BODIES[kind], "requested_date": requested.isoformat()})
        want = expected(requested, today)
        assert want, "only refused dates are ordered: nothing may be written"
        detail = r.json().get("detail")
        got = detail[0] if r.status_code == 422 and isinstance(detail, list) else {}
        if got.get("loc") != ["body", "requested_date"] or not all(
                phrase in got.get("msg", "") for phrase in want[0][1]):
            wrong.append(f"today {today}, {kind} on {requested}: got {r.status_code} {detail}, "
                         f"want the first of {want}")

    # One minute past midnight in the district (08:01 or 07:01 UTC, the same date).
    with clock.frozen(datetime.combine(today, time(0, 1), tzinfo=LA)):
        for requested in (today - timedelta(days=1), today, today + timedelta(days=WINDOW),
                          today + timedelta(days=WINDOW + 1)):
            ask(requested)
    # One minute to midnight: in UTC it is already tomorrow, in the district it is still today.
    with clock.frozen(datetime.combine(today, time(23, 59), tzinfo=LA)):
        ask(today)
        order(today - timedelta(days=1))
        order(step_to_business(today + timedelta(days=WINDOW + 1), 1))
    return wrong


@pytest.mark.parametrize("month", range(1, 13))
def test_every_day_of_the_month_gets_the_calendar_answer(api: TestClient, month: int) -> None:
    day = date(YEAR, month, 1)
    checked, wrong = 0, []
    while day.month == month:
        wrong += check_day(api, day)
        day, checked = day + timedelta(days=1), checked + 1
    assert checked in (28, 29, 30, 31)
    assert wrong == [], f"{len(wrong)} wrong answers, first ones:\n" + "\n".join(wrong[:10])


def test_the_sweep_meets_every_kind_of_answer() -> None:
    # The year's days, between them, ask about weekends, every holiday in the table (observed
    # or not), both edges of the 60-day window and the past: the sweep can't pass by missing them.
    codes: set[str] = set()
    holidays_hit: set[date] = set()
    for n in range(365):
        today = date(YEAR, 1, 1) + timedelta(days=n)
        for requested in (today - timedelta(days=1), today, today + timedelta(days=WINDOW),
                          today + timedelta(days=WINDOW + 1)):
            codes.update(code for code, _ in expected(requested, today))
            if requested in HOLIDAYS and requested >= today:
                holidays_hit.add(requested)
    assert codes == {"date_in_past", "holiday", "not_business_day", "too_far_ahead"}
    assert holidays_hit == {d for d in HOLIDAYS if date(YEAR, 1, 1) <= d}
    # The day the suite first went red: 75 days after 2026-12-02 is Presidents' Day 2027.
    assert HOLIDAYS[date(2026, 12, 2) + timedelta(days=75)] == ("Presidents' Day", False)


def test_the_holiday_table_agrees_with_the_district_file() -> None:
    # The oracle above is hand-written; the district's own calendar must name the same days.
    from backend.domain.calendar import holiday_on
    from backend.domain.district import load_district

    district = load_district()
    day, found = date(2026, 12, 20), {}
    while day < LAST_COVERED:
        holiday = holiday_on(district=district, day=day)
        if holiday is not None:
            found[day] = (holiday.name, holiday.is_shifted)
        day += timedelta(days=1)
    assert found == HOLIDAYS
