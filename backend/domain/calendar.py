"""Business days, holidays and office hours of the district."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from backend.domain.district import District, Holiday
from backend.domain.i18n import WEEKDAYS_EN, WEEKDAYS_ES, Reason, format_date, format_weekday_date

_ONE_DAY = timedelta(days=1)
# Spanish names for the usual US holidays; other names are shown as written in the file.
HOLIDAY_NAMES_ES = {
    "New Year's Day": "Año Nuevo",
    "Martin Luther King Jr. Day": "Día de Martin Luther King Jr.",
    "Presidents' Day": "Día de los Presidentes",
    "Memorial Day": "Día de los Caídos",
    "Independence Day": "Día de la Independencia",
    "Labor Day": "Día del Trabajo",
    "Veterans Day": "Día de los Veteranos",
    "Thanksgiving Day": "Día de Acción de Gracias",
    "Day after Thanksgiving": "Día después de Acción de Gracias",
    "Christmas Eve": "Nochebuena",
    "Christmas Day": "Navidad",
}


@dataclass(frozen=True)
class ObservedHoliday:
    name: str
    actual: date  # the calendar date of the holiday
    observed: date  # the weekday the office is closed for it

    @property
    def is_shifted(self) -> bool:
        return self.actual != self.observed

    @property
    def name_es(self) -> str:
        return HOLIDAY_NAMES_ES.get(self.name, self.name)


def holiday_date(*, holiday: Holiday, year: int) -> date | None:
    """The actual date of a holiday in a year (None when a "5th ..." rule has no such day)."""
    if holiday.day is not None:
        return date(year, holiday.month, holiday.day)
    assert holiday.nth is not None and holiday.weekday is not None
    if holiday.nth > 0:
        first = date(year, holiday.month, 1)
        found = first + timedelta(
            days=(holiday.weekday - first.weekday()) % 7 + 7 * (holiday.nth - 1)
        )
        if found.month != holiday.month:
            return None
    else:
        next_month = date(year + holiday.month // 12, holiday.month % 12 + 1, 1)
        last = next_month - _ONE_DAY
        found = last - timedelta(days=(last.weekday() - holiday.weekday) % 7)
    return found + timedelta(days=holiday.offset_days)


@lru_cache(maxsize=64)
def _observances(*, holidays: tuple[Holiday, ...], year: int) -> tuple[ObservedHoliday, ...]:
    actual = [(h, d) for h in holidays if (d := holiday_date(holiday=h, year=year)) is not None]
    # Holidays on weekdays keep their day; weekend fixed dates move, and if the day they
    # move to is already taken (Christmas Eve on Friday, Christmas on Saturday) they keep
    # moving the same way so no day off is lost.
    taken: dict[date, ObservedHoliday] = {}
    shifted: list[tuple[Holiday, date, int]] = []
    for holiday, day in actual:
        if holiday.is_fixed and day.weekday() >= 5:
            step = -1 if day.weekday() == 5 else 1
            shifted.append((holiday, day, step))
        elif day not in taken:
            taken[day] = ObservedHoliday(name=holiday.name, actual=day, observed=day)
    for holiday, day, step in shifted:
        observed = day + timedelta(days=step)
        while observed.weekday() >= 5 or observed in taken:
            observed += timedelta(days=step)
        taken[observed] = ObservedHoliday(name=holiday.name, actual=day, observed=observed)
    return tuple(sorted(taken.values(), key=lambda h: h.observed))


def holidays_for_year(*, district: District, year: int) -> tuple[ObservedHoliday, ...]:
    """The year's holidays (by their actual year), sorted by the day the office closes."""
    return _observances(holidays=district.hours.holidays, year=year)


def holiday_on(*, district: District, day: date) -> ObservedHoliday | None:
    """The holiday observed on `day`, if any (Jan 1 may be observed the Dec 31 before)."""
    for year in (day.year - 1, day.year, day.year + 1):
        for holiday in holidays_for_year(district=district, year=year):
            if holiday.observed == day:
                return holiday
    return None


def is_business_day(*, district: District, day: date) -> bool:
    return day.weekday() in district.hours.days and holiday_on(district=district, day=day) is None


def next_business_day(*, district: District, day: date, inclusive: bool = False) -> date:
    """The first business day after `day` (or `day` itself when inclusive and it is one)."""
    candidate = day if inclusive else day + _ONE_DAY
    for _ in range(366):
        if is_business_day(district=district, day=candidate):
            return candidate
        candidate += _ONE_DAY
    raise ValueError("the district has no business days in a whole year")


def previous_business_day(*, district: District, day: date, inclusive: bool = False) -> date:
    candidate = day if inclusive else day - _ONE_DAY
    for _ in range(366):
        if is_business_day(district=district, day=candidate):
            return candidate
        candidate -= _ONE_DAY
    raise ValueError("the district has no business days in a whole year")


def add_business_days(*, district: District, day: date, days: int) -> date:
    """Move `days` business days from `day` (negative goes back); 0 returns `day`."""
    current = day
    for _ in range(abs(days)):
        if days > 0:
            current = next_business_day(district=district, day=current)
        else:
            current = previous_business_day(district=district, day=current)
    return current


def _local(*, district: District, at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("'at' must be a timezone-aware datetime")
    return at.astimezone(district.tz)


def is_open(*, district: District, at: datetime) -> bool:
    """Whether representatives are on shift at that moment (office hours, local time)."""
    local = _local(district=district, at=at)
    hours = district.hours
    return (
        is_business_day(district=district, day=local.date())
        and hours.open <= local.time() < hours.close
    )


def next_opening(*, district: District, at: datetime) -> datetime:
    """When reps are next on shift, in the district's time zone; `at` itself when open now."""
    local = _local(district=district, at=at)
    if is_open(district=district, at=local):
        return local
    day = local.date()
    if not (is_business_day(district=district, day=day) and local.time() < district.hours.open):
        day = next_business_day(district=district, day=day)
    return datetime.combine(day, district.hours.open, tzinfo=district.tz)


def _clock(*, value: time, lang: str) -> str:
    if lang == "es":
        return value.strftime("%H:%M")
    suffix = "a.m." if value.hour < 12 else "p.m."
    return f"{value.hour % 12 or 12}:{value.minute:02d} {suffix}"


def _days_text(*, days: tuple[int, ...], lang: str) -> str:
    names = WEEKDAYS_ES if lang == "es" else WEEKDAYS_EN
    if len(days) > 2 and list(days) == list(range(days[0], days[-1] + 1)):
        return (
            f"de {names[days[0]]} a {names[days[-1]]}"
            if lang == "es"
            else f"{names[days[0]]} to {names[days[-1]]}"
        )
    joined = ", ".join(names[d] for d in days)
    return f"los días {joined}" if lang == "es" else joined


def office_hours(district: District) -> Reason:
    """The office hours as a sentence, e.g. for an after-hours handoff message."""
    h = district.hours
    return Reason(
        code="office_hours",
        en=(
            f"Our representatives are available {_days_text(days=h.days, lang='en')}, "
            f"{_clock(value=h.open, lang='en')} to {_clock(value=h.close, lang='en')}, "
            "except holidays."
        ),
        es=(
            f"Nuestros representantes atienden {_days_text(days=h.days, lang='es')}, "
            f"de {_clock(value=h.open, lang='es')} a {_clock(value=h.close, lang='es')}, "
            "excepto días festivos."
        ),
    )


def _not_business_day(*, district: District, requested: date, suggestion: date | None) -> Reason:
    holiday = holiday_on(district=district, day=requested)
    when_en, when_es = (
        format_weekday_date(day=requested, lang="en"),
        format_weekday_date(day=requested, lang="es"),
    )
    if holiday is not None:
        note = ", observed" if holiday.is_shifted else ""
        note_es = ", día observado" if holiday.is_shifted else ""
        en = f"{when_en} is a holiday ({holiday.name}{note}) and our office is closed."
        es = (
            f"El {when_es} es día festivo ({holiday.name_es}{note_es}) "
            "y nuestra oficina está cerrada."
        )
    else:
        en = (
            f"{when_en} is not a business day; we schedule service "
            f"{_days_text(days=district.hours.days, lang='en')}, except holidays."
        )
        es = (
            f"El {when_es} no es día hábil; programamos servicios "
            f"{_days_text(days=district.hours.days, lang='es')}, excepto días festivos."
        )
    if suggestion is not None:
        en += f" The next business day is {format_weekday_date(day=suggestion, lang='en')}."
        es += f" El siguiente día hábil es el {format_weekday_date(day=suggestion, lang='es')}."
    return Reason(code="holiday" if holiday else "not_business_day", en=en, es=es)


def validate_requested_date(*, district: District, requested: date, today: date) -> list[Reason]:
    """Problems with a customer's requested service date; an empty list means it is fine."""
    if requested < today:
        return [
            Reason(
                code="date_in_past",
                en=(
                    f"{format_date(day=requested, lang='en')} has already passed. "
                    "Please choose today or a later date."
                ),
                es=(
                    f"El {format_date(day=requested, lang='es')} ya pasó. "
                    "Por favor elija hoy o una fecha posterior."
                ),
            )
        ]
    max_ahead = district.policies.service_orders.max_days_ahead
    latest = today + timedelta(days=max_ahead)
    problems: list[Reason] = []
    if not is_business_day(district=district, day=requested):
        suggestion = next_business_day(district=district, day=requested)
        problems.append(
            _not_business_day(
                district=district,
                requested=requested,
                suggestion=suggestion if suggestion <= latest else None,
            )
        )
    if requested > latest:
        last_ok = previous_business_day(district=district, day=latest, inclusive=True)
        problems.append(
            Reason(
                code="too_far_ahead",
                en=(
                    f"{format_date(day=requested, lang='en')} is more than {max_ahead} days "
                    f"away. We can schedule up to {max_ahead} days ahead, so please choose a "
                    "date on or before "
                    f"{format_weekday_date(day=last_ok, lang='en')}."
                ),
                es=(
                    f"El {format_date(day=requested, lang='es')} está a más de {max_ahead} "
                    f"días. Podemos programar hasta {max_ahead} días por adelantado; por favor "
                    "elija una fecha "
                    f"hasta el {format_weekday_date(day=last_ok, lang='es')}."
                ),
            )
        )
    return problems
