"""Month and weekday names and the date formats customers read, in English and Spanish.

The one home of these names: the backend's engines and hub, and the bot's actions, format dates
with them.
"""

from __future__ import annotations

from datetime import date, datetime

MONTHS_EN: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July",
                              "August", "September", "October", "November", "December")
MONTHS_ES: tuple[str, ...] = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
                              "agosto", "septiembre", "octubre", "noviembre", "diciembre")
WEEKDAYS_EN: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                "Saturday", "Sunday")
WEEKDAYS_ES: tuple[str, ...] = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado",
                                "domingo")


def normalize_lang(lang: str | None) -> str:
    """Map "es", "es-MX", "ES" to "es"; anything else falls back to English."""
    return "es" if (lang or "").strip().lower().startswith("es") else "en"


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


def format_weekday_time(*, at: datetime, lang: str = "en") -> str:
    """ "Thursday, December 3 at 8:00 AM" or "jueves 3 de diciembre a las 08:00"."""
    if normalize_lang(lang) == "es":
        return (f"{WEEKDAYS_ES[at.weekday()]} {at.day} de {MONTHS_ES[at.month - 1]} a las "
                f"{at:%H:%M}")
    hour = at.strftime("%I:%M %p").lstrip("0")
    return f"{WEEKDAYS_EN[at.weekday()]}, {MONTHS_EN[at.month - 1]} {at.day} at {hour}"


def month_label(*, day: date, lang: str = "en") -> str:
    """Short month label for tables and charts: "Jun 2026" or "jun 2026"."""
    names = MONTHS_ES if normalize_lang(lang) == "es" else MONTHS_EN
    return f"{names[day.month - 1][:3]} {day.year}"


def month_year(*, day: date, lang: str = "en") -> str:
    """ "June 2026" or "junio de 2026"."""
    if normalize_lang(lang) == "es":
        return f"{MONTHS_ES[day.month - 1]} de {day.year}"
    return f"{MONTHS_EN[day.month - 1]} {day.year}"
