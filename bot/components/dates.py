"""Resolve the dates customers write (English and Spanish) to ISO calendar dates.

Plain Python on purpose: the rules are testable without Rasa or spaCy.

Resolution rules, all relative to `today`:
- bare weekday, "this/coming/on friday", "el/este viernes": the next such day on or after today.
- "next tuesday" (English): the Tuesday of next calendar week (Monday-Sunday), like "next week".
- "el próximo martes", "el martes que viene" (Spanish): the first Tuesday after today, which is
  how those phrases are used; "el martes de la próxima semana" is next calendar week's Tuesday.
- a month and day without a year ("dec 15", "15 de diciembre"): the next one on or after today.
- a day alone ("the 15th", "el 15"): the next 15th on or after today; "of next month"/"del mes
  que viene" and "of this month"/"de este mes" pin the month.
- "12/15" is month/day (US); when the first number cannot be a month but the second can
  ("15/12"), it is read as day/month.
- "next week"/"la próxima semana": the Monday of next week; "in 2 weeks"/"en 3 días": plain
  arithmetic; "3 days ago"/"hace 3 días" and "yesterday"/"ayer" look back.
- "mañana" means tomorrow except after "la", "esta", "cada"... ("en la mañana" is the morning).
A weekday written next to an explicit date ("friday, dec 15") is one date: the explicit one wins.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta
from typing import Protocol

Span = tuple[int, int, str]


def _table(rows: tuple[str, ...], *, start: int) -> dict[str, int]:
    return {name: num for num, names in enumerate(rows, start=start) for name in names.split()}


# "ago" (agosto) is left out on purpose: "2 weeks ago 30 dollars" is not August 30th.
_MONTHS = _table(
    (
        "january jan enero ene", "february feb febrero", "march mar marzo", "april apr abril abr",
        "may mayo", "june jun junio", "july jul julio", "august aug agosto",
        "september sept sep septiembre setiembre", "october oct octubre",
        "november nov noviembre", "december dec diciembre dic",
    ),
    start=1,
)  # fmt: skip
_WEEKDAYS_EN = _table(
    (
        "monday mon", "tuesday tues tue", "wednesday weds wed", "thursday thurs thur thu",
        "friday fri", "saturday sat", "sunday sun",
    ),
    start=0,
)  # fmt: skip
_WEEKDAYS_ES = _table(
    ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"), start=0
)
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "un": 1, "una": 1, "uno": 1,
    "two": 2, "dos": 2, "three": 3, "tres": 3, "four": 4, "cuatro": 4,
    "five": 5, "cinco": 5, "six": 6, "seis": 6, "seven": 7, "siete": 7,
    "eight": 8, "ocho": 8, "nine": 9, "nueve": 9, "ten": 10, "diez": 10,
}  # fmt: skip
# Words before "mañana" that make it "the morning" rather than "tomorrow".
_MORNING_BEFORE = {"la", "las", "esta", "esa", "aquella", "una", "cada", "toda", "media", "buena"}
# Words before a weekday that make it any such day ("every monday", "on a friday").
_ANY_SUCH_DAY_BEFORE = {"every", "each", "los", "todos", "cada", "a", "an", "un"}
# Words shortly before "3/4" or "09/27" that make it a meter size or a card expiry.
_NOT_DATE_CONTEXT = {
    "meter", "meters", "medidor", "medidores", "size", "tamano", "inch", "pulgada", "exp", "exp.",
    "expires", "expiry", "expiration", "vence", "vencimiento", "expira",
}  # fmt: skip
# "i may 2..." is the verb, not May 2nd.
_PRONOUNS = {"i", "you", "we", "they", "he", "she", "it", "that", "this", "there", "who"}
# Words that license a short weekday ("on sat"): alone, "sat"/"sun"/"wed" are ordinary words.
_WEEKDAY_CUES = {"on", "by", "until", "till", "til", "before", "after", "from", "starting"}


def _fold(word: str) -> str:
    """Lowercase without accents: "Miércoles" -> "miercoles"."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _alt(words: list[str]) -> str:
    """Regex alternation, longest first so "december" is not cut to "dec"; accents optional."""
    accented = {"miercoles": "mi[ée]rcoles", "sabado": "s[áa]bado"}
    return "|".join(accented.get(w, re.escape(w)) for w in sorted(words, key=len, reverse=True))


# Only abbreviations take a dot: in "el 15 de diciembre." the dot ends the sentence.
_MONTH = (
    rf"(?:{_alt([m for m in _MONTHS if len(m) > 4])}"
    rf"|(?:{_alt([m for m in _MONTHS if len(m) <= 4])})\.?)"
)
_WD_EN = _alt(list(_WEEKDAYS_EN))
_WD_ES = _alt(list(_WEEKDAYS_ES))
_NUM = rf"(?:\d{{1,2}}|a\s+couple(?:\s+of)?|un\s+par\s+de|{_alt(list(_NUMBER_WORDS))})"
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th|ro|º|°)?(?!\d)"
_YEAR = r"(?:\s*,?\s*(?:de\s+|del\s+)?(?P<y>(?:19|20)\d\d)(?!\d))?"
# A number followed by these is a quantity or a time, not a day of the month.
_UNIT_AFTER = (
    r"(?!\s*(?:%|\$|[:/.,-]?\d|(?:a\.?m|p\.?m|hours?|hrs?|minutes?|mins?|days?|weeks?|months?"
    r"|years?|times|people|gallons|units|hcf|percent|dollars?|bucks|horas?|minutos?|d[íi]as?"
    r"|semanas?|mes(?:es)?|a[ñn]os?|veces|personas|galones|unidades|d[óo]lares|pesos)\b))"
)
# Nouns that make "the 2nd" an ordinal, not a date ("the 2nd time", "the 3rd bill").
_NOT_A_DAY = (
    r"(?!\s+(?:time|times|bill|bills|one|ones|payment|notice|floor|page|person|call|attempt|try"
    r"|account|meter|house|unit|street|st|ave|tier|option|reading|charge|fee|month|week|day|year"
    r"|letter|email|message|check|reminder|leak|place)\b)"
)
_THIS = r"(?P<this>this\s+month|este\s+mes)"
_NEXT = (
    r"(?P<next>next\s+month|(?:el\s+)?mes\s+que\s+(?:viene|entra)|(?:el\s+)?pr[óo]ximo\s+mes"
    r"|(?:el\s+)?siguiente\s+mes|(?:el\s+)?mes\s+pr[óo]ximo)"
)
_MONTH_REF = rf"\s+(?:of|de|del)\s+(?:{_THIS}|{_NEXT}|(?:the\s+)?(?:month|mes)\b)"


class _Match:
    """Match view where "n2", "d2", "a2"... stand in for "n", "d", "a" (alternation branches)."""

    def __init__(self, match: re.Match[str]) -> None:
        self._groups = match.groupdict()
        self.before = match.string[: match.start()].split()

    def group(self, name: str) -> str | None:
        return self._groups.get(name) or self._groups.get(f"{name}2")

    def previous_word(self) -> str:
        return _fold(self.before[-1]) if self.before else ""


class Resolver(Protocol):
    def __call__(self, m: _Match, *, today: date) -> date | None: ...


def _add_months(day: date, *, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _safe_date(*, year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_month_day(today: date, *, month: int, day: int) -> date | None:
    """The next `month`/`day` on or after today (a leap day may be years away)."""
    for year in range(today.year, today.year + 9):
        found = _safe_date(year=year, month=month, day=day)
        if found and found >= today:
            return found
    return None


def _next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def _with_year(m: _Match, *, today: date, month: int, day: int) -> date | None:
    year = m.group("y")
    if year:
        return _safe_date(year=int(year), month=month, day=day)
    return _next_month_day(today, month=month, day=day)


def _month_day(m: _Match, *, today: date) -> date | None:
    name = _fold(m.group("m") or "").rstrip(".")
    if name == "may" and m.previous_word() in _PRONOUNS:
        return None  # "i may 2..." is the verb
    month = _MONTHS[name]
    return _with_year(m, today=today, month=month, day=int(m.group("d") or 1))


def _day_only(m: _Match, *, today: date) -> date | None:
    digits = re.match(r"\d+", m.group("d") or "")
    day = int(digits.group()) if digits else 1  # "first", "primero"
    if not 1 <= day <= 31:
        return None
    if m.group("this"):
        return _safe_date(year=today.year, month=today.month, day=day)
    if m.group("next"):
        first = _add_months(today.replace(day=1), months=1)
        return _safe_date(year=first.year, month=first.month, day=day)
    for ahead in range(13):  # skip months too short for the 31st
        first = _add_months(today.replace(day=1), months=ahead)
        found = _safe_date(year=first.year, month=first.month, day=day)
        if found and found >= today:
            return found
    return None


def _numeric(m: _Match, *, today: date) -> date | None:
    first, second = int(m.group("a") or 0), int(m.group("b") or 0)
    year = m.group("y")
    if {_fold(w) for w in m.before[-3:]} & _NOT_DATE_CONTEXT:
        return None  # "meter size 3/4", "exp 09/27"
    if not year and (first, second) == (24, 7):
        return None  # "24/7" means always
    month, day = (first, second) if first <= 12 else (second, first)  # "15/12" is day/month
    if year:
        return _safe_date(year=int(year) + (2000 if len(year) == 2 else 0), month=month, day=day)
    return _next_month_day(today, month=month, day=day)


def _iso(m: _Match, *, today: date) -> date | None:
    year, month, day = (int(m.group(g) or 0) for g in ("y", "mo", "d"))
    return _safe_date(year=year, month=month, day=day)


def _weekday_en(m: _Match, *, today: date) -> date | None:
    word, mod = _fold(m.group("wd") or ""), _fold(m.group("mod") or "")
    previous = m.previous_word()
    if previous in _ANY_SUCH_DAY_BEFORE:
        return None
    if len(word) <= 4 and not mod and previous not in _WEEKDAY_CUES:
        return None
    weekday = _WEEKDAYS_EN[word]
    if mod == "next":
        return _next_monday(today) + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _weekday_es(m: _Match, *, today: date) -> date | None:
    if m.previous_word() in _ANY_SUCH_DAY_BEFORE and not m.group("art"):
        return None
    weekday = _WEEKDAYS_ES[_fold(m.group("wd") or "")]
    if m.group("nextweek"):
        return _next_monday(today) + timedelta(days=weekday)
    if m.group("prox"):  # strictly after today
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _relative(m: _Match, *, today: date) -> date | None:
    word = " ".join(_fold(m.group("n") or "").split())
    if word.isdigit():
        count = int(word)
    else:
        count = 2 if ("couple" in word or "par" in word) else _NUMBER_WORDS[word]
    sign = -1 if m.group("ago") or m.group("hace") else 1
    unit = _fold(m.group("unit") or "")
    return today + timedelta(days=sign * count * (7 if unit.startswith(("week", "semana")) else 1))


def _manana(m: _Match, *, today: date) -> date | None:
    return None if m.previous_word() in _MORNING_BEFORE else today + timedelta(days=1)


def _offset(days: int) -> Resolver:
    return lambda _m, *, today: today + timedelta(days=days)


_NEXT_WEEK = (
    r"\b(?:next\s+week|(?:la\s+)?(?:pr[óo]xima\s+semana"
    r"|semana\s+(?:que\s+viene|pr[óo]xima|entrante)))\b"
)
_RELATIVE_EN = (
    rf"\b(?:in|within)\s+(?P<n>{_NUM})\s+(?P<unit>days?|weeks?)\b"
    rf"|\b(?P<n2>{_NUM})\s+(?P<unit2>days?|weeks?)\s+(?:from\s+(?:now|today)|(?P<ago>ago))\b"
)
_RELATIVE_ES = (
    rf"\b(?:en|dentro\s+de|(?P<hace>hace))\s+(?P<n>{_NUM})\s+(?P<unit>d[íi]as?|semanas?)\b"
)
_WEEKDAY_EN = rf"\b(?:(?P<mod>next|this(?:\s+coming)?|coming)\s+)?(?P<wd>{_WD_EN})\b"
_WEEKDAY_ES = (
    rf"\b(?:(?P<art>el|este)\s+)?(?:(?P<prox>pr[óo]ximo)\s+)?(?P<wd>{_WD_ES})\b"
    rf"(?:\s+(?:(?P<prox2>que\s+viene|pr[óo]ximo|entrante)"
    rf"|(?P<nextweek>de\s+la\s+(?:pr[óo]xima\s+semana|semana\s+que\s+viene))))?"
)
_MONTH_FIRST = rf"\b(?P<m>{_MONTH})\s+(?:the\s+)?{_DAY}{_YEAR}(?!\w){_UNIT_AFTER}"
_DAY_FIRST = (
    rf"(?<![\d$.,])\b(?:(?:el|del)\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+|de\s+)?"
    rf"(?P<m>{_MONTH})(?!\w){_YEAR}"
)
_FIRST_OF = (
    rf"\b(?:(?:el|del)\s+)?(?:the\s+)?(?:first|primero|1ro|1º|1°)\s+(?:of|de|del)\s+"
    rf"(?P<m>{_MONTH})(?!\w){_YEAR}"
)
_ORDINAL_EN = rf"\b(?:on\s+)?the\s+(?P<d>[0-3]?\d(?:st|nd|rd|th))(?:{_MONTH_REF})?\b{_NOT_A_DAY}"
_DAY_ES = (
    rf"\b(?:el|del)\s+(?:d[íi]a\s+)?(?P<d>[0-3]?\d(?:ro|º|°)?)(?!\w)(?:{_MONTH_REF})?"
    rf"{_UNIT_AFTER}"
)
_WEEKDAY_AND_DAY = (
    rf"\b(?:el\s+)?(?:{_WD_EN}|{_WD_ES}),?\s+(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b"
    rf"{_UNIT_AFTER}"
)
_NUMERIC = (
    r"(?<![\d/.$-])(?<!\d\s)(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])"
    r"(?!\s*(?:\"|''|in\b|inch|pulgada|of\b|de\s+pulgada|meter|medidor))"
    r"|(?<![\d/.$-])(?P<a2>\d{1,2})-(?P<b2>\d{1,2})-(?P<y2>\d{4})(?![\d-])"
)
_ISO = r"(?<![\d/-])(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?![\d-])"

# (pattern, resolver, kind): a "weekday" right before an "explicit" date merges into it.
_RULE_SPECS: list[tuple[str, Resolver, str]] = [
    (r"\b(?:today|tonight|hoy)\b", _offset(0), "word"),
    (r"\b(?:tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow)\b", _offset(1), "word"),
    (r"\b(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw)\b|\bpasado\s+ma[ñn]ana\b", _offset(2), "word"),
    (r"\bma[ñn]ana\b", _manana, "word"),
    (r"\b(?:yesterday|ayer)\b", _offset(-1), "word"),
    (
        r"\b(?:the\s+)?day\s+before\s+yesterday\b|\b(?:anteayer|antier|antes\s+de\s+ayer)\b",
        _offset(-2),
        "word",
    ),
    (_NEXT_WEEK, lambda _m, *, today: _next_monday(today), "word"),
    (_RELATIVE_EN, _relative, "word"),
    (_RELATIVE_ES, _relative, "word"),
    (_WEEKDAY_EN, _weekday_en, "weekday"),
    (_WEEKDAY_ES, _weekday_es, "weekday"),
    (_MONTH_FIRST, _month_day, "explicit"),
    (_DAY_FIRST, _month_day, "explicit"),
    (_FIRST_OF, _month_day, "explicit"),
    (_ORDINAL_EN, _day_only, "explicit"),
    (rf"\b(?:on\s+)?the\s+(?P<d>first){_MONTH_REF}", _day_only, "explicit"),
    (_DAY_ES, _day_only, "explicit"),
    (rf"\b(?:el|del)\s+(?P<d>primero){_MONTH_REF}", _day_only, "explicit"),
    (_WEEKDAY_AND_DAY, _day_only, "explicit"),
    (_NUMERIC, _numeric, "explicit"),
    (_ISO, _iso, "explicit"),
]
_RULES = [(re.compile(pattern, re.IGNORECASE), fn, kind) for pattern, fn, kind in _RULE_SPECS]


def resolve_dates(text: str, *, today: date) -> list[Span]:
    """Find the dates in `text`: (start, end, "YYYY-MM-DD") triples, in text order."""
    found: list[tuple[int, int, str, str]] = []
    for pattern, resolve, kind in _RULES:
        for match in pattern.finditer(text):
            day = resolve(_Match(match), today=today)
            if day is not None:
                found.append((match.start(), match.end(), day.isoformat(), kind))
    # Longest wins ("day after tomorrow" over "tomorrow"); the earlier start breaks ties.
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    chosen: list[tuple[int, int, str, str]] = []
    for cand in found:
        if all(cand[1] <= c[0] or cand[0] >= c[1] for c in chosen):
            chosen.append(cand)
    chosen.sort()
    return _merge_weekday_with_date(text, spans=chosen)


def _merge_weekday_with_date(text: str, *, spans: list[tuple[int, int, str, str]]) -> list[Span]:
    """ "friday, dec 15" is one date: the explicit date's, over the whole span."""
    merged: list[Span] = []
    i = 0
    while i < len(spans):
        start, end, iso, kind = spans[i]
        if kind == "weekday" and i + 1 < len(spans) and spans[i + 1][3] == "explicit":
            if re.fullmatch(r"[\s,]*(?:the\s+|el\s+)?", text[end : spans[i + 1][0]], re.IGNORECASE):
                merged.append((start, spans[i + 1][1], spans[i + 1][2]))
                i += 2
                continue
        merged.append((start, end, iso))
        i += 1
    return merged
