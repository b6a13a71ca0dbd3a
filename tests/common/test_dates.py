"""Dates as customers read them, in English and Spanish."""

from datetime import date, datetime

from common.dates import format_date, format_weekday_date, format_weekday_time, month_year


def test_dates():
    day = date(2026, 3, 3)
    assert format_date(day=day) == "March 3, 2026"
    assert format_date(day=day, lang="es-MX") == "3 de marzo de 2026"
    assert format_weekday_date(day=day, lang="es") == "martes, 3 de marzo de 2026"
    assert month_year(day=day, lang="es") == "marzo de 2026"
    at = datetime(2026, 12, 3, 8, 0)
    assert format_weekday_time(at=at) == "Thursday, December 3 at 8:00 AM"
    assert format_weekday_time(at=at, lang="es") == "jueves 3 de diciembre a las 08:00"
