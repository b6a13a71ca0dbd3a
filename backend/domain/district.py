"""The district as typed, validated data, loaded lazily from district.yml."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

ENV_VAR = "DISTRICT_FILE"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "district.yml"

WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTH_KEYS: tuple[str, ...] = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip
_ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1}
_RULE_RE = re.compile(r"^(day after )?(1st|2nd|3rd|4th|5th|last) ([a-z]{3}) ([a-z]{3})$")
_ZIP_RE = re.compile(r"^(\d{5})(?:-\d{4})?$")
_SCHEDULE_META_KEYS = frozenset({"name", "effective", "meter_charge"})
# Spellings customers and CIS exports use for the same meter sizes.
_METER_ALIASES = {"1 1/2": "1.5", "1-1/2": "1.5", "1.50": "1.5", "0.75": "3/4", "0.625": "5/8"}


@dataclass(frozen=True)
class Tier:
    up_to: int | None  # inclusive upper bound in billing units; None = unbounded
    price: Decimal


@dataclass(frozen=True)
class Sewer:
    fixed: Decimal
    per_unit: Decimal
    cap_units: int | None


@dataclass(frozen=True)
class ClassRates:
    tiers: tuple[Tier, ...]
    sewer: Sewer | None


@dataclass(frozen=True)
class RateSchedule:
    name: str
    effective: date
    classes: Mapping[str, ClassRates]
    meter_charge: Mapping[str, Decimal]

    def rates_for(self, account_type: str) -> ClassRates:
        try:
            return self.classes[account_type]
        except KeyError:
            known = ", ".join(self.classes)
            raise ValueError(
                f"unknown account type {account_type!r} in schedule {self.name} (known: {known})"
            ) from None

    def meter_charge_for(self, meter_size: str) -> Decimal:
        size = normalize_meter_size(meter_size)
        try:
            return self.meter_charge[size]
        except KeyError:
            known = ", ".join(self.meter_charge)
            raise ValueError(
                f"unknown meter size {meter_size!r} in schedule {self.name} (known: {known})"
            ) from None


@dataclass(frozen=True)
class Holiday:
    """A fixed month-day (month, day) or a rule (nth weekday of month, plus offset)."""

    name: str
    month: int
    day: int | None = None
    nth: int | None = None  # 1..5, or -1 for "last"
    weekday: int | None = None  # 0 = Monday
    offset_days: int = 0  # 1 for "day after ..."
    rule: str | None = None

    @property
    def is_fixed(self) -> bool:
        return self.day is not None


@dataclass(frozen=True)
class Hours:
    open: time
    close: time
    days: tuple[int, ...]  # weekday numbers, 0 = Monday
    holidays: tuple[Holiday, ...]


@dataclass(frozen=True)
class ServiceArea:
    zips: tuple[str, ...]
    cities: tuple[str, ...]


@dataclass(frozen=True)
class Billing:
    cycle_days: int
    due_days: int
    past_due_grace_days: int
    shutoff_notice_days: int


@dataclass(frozen=True)
class Fees:
    late_fee: Decimal
    reconnection_fee: Decimal
    after_hours_reconnection_fee: Decimal
    meter_test_fee: Decimal
    returned_payment_fee: Decimal
    deposit: Mapping[str, Decimal]


@dataclass(frozen=True)
class LateFeeWaiverPolicy:
    max_count: int
    per_months: int
    no_other_late_payments_months: int


@dataclass(frozen=True)
class DueDateExtensionPolicy:
    max_days: int
    max_count: int
    per_months: int
    not_when_shut_off: bool


@dataclass(frozen=True)
class PaymentArrangementPolicy:
    max_installments: int
    max_past_due: Decimal
    no_broken_arrangement_months: int


@dataclass(frozen=True)
class DepositWaiverPolicy:
    on_time_months: int


@dataclass(frozen=True)
class MeterTestPolicy:
    accuracy_limit_pct: Decimal


@dataclass(frozen=True)
class ServiceOrdersPolicy:
    max_days_ahead: int


@dataclass(frozen=True)
class VerificationPolicy:
    max_failures: int
    max_zip_failures: int
    lockout_minutes: int


@dataclass(frozen=True)
class Policies:
    late_fee_waiver: LateFeeWaiverPolicy
    due_date_extension: DueDateExtensionPolicy
    payment_arrangement: PaymentArrangementPolicy
    deposit_waiver: DepositWaiverPolicy
    meter_test: MeterTestPolicy
    service_orders: ServiceOrdersPolicy
    verification: VerificationPolicy


# Whole-number settings where 0 would make no sense; the rest may be 0.
_MINIMUMS = {"max_installments": 2, "cycle_days": 1, "max_days": 1, "on_time_months": 1,
             "max_failures": 1, "lockout_minutes": 1, "max_days_ahead": 1}  # fmt: skip


@dataclass(frozen=True)
class District:
    name: str
    short_name: str
    timezone: str
    phone: str
    emergency_phone: str
    website: str
    payment_url: str
    billing_unit: str
    gallons_per_unit: int
    service_area: ServiceArea
    hours: Hours
    billing: Billing
    rate_schedules: tuple[RateSchedule, ...]  # sorted by effective date
    fees: Fees
    policies: Policies

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def account_types(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for schedule in self.rate_schedules:
            seen.update(dict.fromkeys(schedule.classes))
        return tuple(seen)

    def in_service_area(self, zip_code: str) -> bool:
        match = _ZIP_RE.match(str(zip_code).strip())
        return bool(match) and match.group(1) in self.service_area.zips

    def schedule_for(self, day: date) -> RateSchedule:
        chosen = self.rate_schedules[0]
        for schedule in self.rate_schedules:
            if schedule.effective <= day:
                chosen = schedule
        return chosen


def normalize_meter_size(size: str) -> str:
    text = str(size).strip().lower().replace('"', "").replace("”", "")
    for suffix in ("-inch", " inch", "inch", " in"):
        if text.endswith(suffix):
            text = text[: -len(suffix)].strip()
    return _METER_ALIASES.get(text, text)


# -- validation: every error names the key path -----------------------------------------


@dataclass(frozen=True)
class _Node:
    """A value from the YAML with its key path, so errors can say where they are."""

    value: Any
    path: str
    source: str

    def fail(self, problem: str) -> ValueError:
        return ValueError(f"{self.source}: '{self.path or '(top level)'}' {problem}")

    def mapping(self) -> Mapping[str, Any]:
        if not isinstance(self.value, Mapping):
            raise self.fail("must be a mapping")
        return self.value

    def get(self, key: str) -> _Node:
        """An optional key: a node whose value is None when missing or null."""
        path = f"{self.path}.{key}" if self.path else key
        return _Node(value=self.mapping().get(key), path=path, source=self.source)

    def __getitem__(self, key: str) -> _Node:
        node = self.get(key)
        if key not in self.mapping():
            raise ValueError(f"{self.source}: missing key '{node.path}'")
        if node.value is None:
            raise node.fail("must not be empty")
        return node

    def items(self) -> list[tuple[str, _Node]]:
        return [(str(key), self.get(key)) for key in self.mapping()]

    def list(self) -> list[_Node]:
        if not isinstance(self.value, list) or not self.value:
            raise self.fail("must be a non-empty list")
        return [
            _Node(value=v, path=f"{self.path}[{i}]", source=self.source)
            for i, v in enumerate(self.value)
        ]

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail(f"must be a non-empty string, got {self.value!r}")
        return self.value.strip()

    def integer(self, *, minimum: int = 0) -> int:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(f"must be a whole number >= {minimum}, got {value!r}")
        return value

    def decimal(self) -> Decimal:
        if isinstance(self.value, bool) or not isinstance(self.value, (str, int, float, Decimal)):
            raise self.fail(f"must be a decimal amount, got {self.value!r}")
        try:
            amount = Decimal(str(self.value).strip())
        except InvalidOperation:
            raise self.fail(f"must be a decimal amount, got {self.value!r}") from None
        if not amount.is_finite() or amount < 0:
            raise self.fail(f"must be a non-negative amount, got {self.value!r}")
        return amount

    def iso(self, *, kind: type[date | time]) -> Any:
        if isinstance(self.value, kind):
            return self.value
        try:
            return kind.fromisoformat(str(self.value))
        except ValueError:
            shape = "a date YYYY-MM-DD" if kind is date else "a time HH:MM"
            raise self.fail(f"must be {shape}, got {self.value!r}") from None


def parse_holiday_rule(rule: str) -> tuple[int, int, int, int]:
    """Parse "4th thu nov" into (nth, weekday, month, offset_days); "day after" adds a day."""
    match = _RULE_RE.match(rule.strip().lower())
    if not match or match.group(3) not in WEEKDAY_KEYS or match.group(4) not in MONTH_KEYS:
        raise ValueError(
            f"bad holiday rule {rule!r} (expected like '4th thu nov' or 'last mon may')"
        )
    offset = 1 if match.group(1) else 0
    weekday = WEEKDAY_KEYS.index(match.group(3))
    return _ORDINALS[match.group(2)], weekday, MONTH_KEYS.index(match.group(4)) + 1, offset


def _holiday(node: _Node) -> Holiday:
    name = node["name"].text()
    fixed, rule = node.get("date"), node.get("rule")
    if fixed.value is not None:
        try:
            parsed = date.fromisoformat(f"2000-{fixed.value}")  # a leap year accepts 02-29
        except ValueError:
            raise fixed.fail(f"must be MM-DD, got {fixed.value!r}") from None
        return Holiday(name=name, month=parsed.month, day=parsed.day)
    if rule.value is None:
        raise ValueError(f"{node.source}: missing key '{node.path}.date' or '{node.path}.rule'")
    try:
        nth, weekday, month, offset = parse_holiday_rule(rule.text())
    except ValueError as exc:
        raise rule.fail(str(exc)) from None
    return Holiday(
        name=name, month=month, nth=nth, weekday=weekday, offset_days=offset, rule=rule.text()
    )


def _hours(node: _Node) -> Hours:
    opens, closes = node["open"].iso(kind=time), node["close"].iso(kind=time)
    if closes <= opens:
        raise node["close"].fail("must be later than hours.open")
    days = set()
    for day in node["days"].list():
        if str(day.value).lower() not in WEEKDAY_KEYS:
            raise day.fail(f"is not a day like mon or tue: {day.value!r}")
        days.add(WEEKDAY_KEYS.index(str(day.value).lower()))
    listed = node.get("holidays").list() if node.get("holidays").value else []
    holidays = tuple(_holiday(h) for h in listed)
    return Hours(open=opens, close=closes, days=tuple(sorted(days)), holidays=holidays)


def _class_rates(node: _Node) -> ClassRates:
    tiers: list[Tier] = []
    raw_tiers = node["tiers"].list()
    for i, tier in enumerate(raw_tiers):
        up_to = tier.get("up_to")
        if i == len(raw_tiers) - 1:
            if up_to.value is not None:
                raise up_to.fail("must be null on the last tier")
            bound = None
        else:
            bound = up_to.integer(minimum=1)
            if tiers and bound <= (tiers[-1].up_to or 0):
                raise up_to.fail("must be greater than the previous tier's")
        tiers.append(Tier(up_to=bound, price=tier["price"].decimal()))
    sewer = node.get("sewer")
    if "sewer" not in node.mapping():
        raise ValueError(f"{node.source}: missing key '{sewer.path}' (use null for no sewer)")
    return ClassRates(
        tiers=tuple(tiers), sewer=None if sewer.value is None else _build(cls=Sewer, node=sewer)
    )


def _schedule(node: _Node) -> RateSchedule:
    charges = node["meter_charge"].items()
    if not charges:
        raise node["meter_charge"].fail("must list at least one meter size")
    classes = {
        key: _class_rates(child) for key, child in node.items() if key not in _SCHEDULE_META_KEYS
    }
    if not classes:
        raise node.fail("must define rates for at least one account type")
    return RateSchedule(
        name=node["name"].text(),
        effective=node["effective"].iso(kind=date),
        classes=classes,
        meter_charge={normalize_meter_size(size): child.decimal() for size, child in charges},
    )


def _build(*, cls: type, node: _Node) -> Any:
    """Fill a flat dataclass from same-named keys, converting by the field's type."""
    values: dict[str, Any] = {}
    if "per_months" in {f.name for f in fields(cls)}:  # {count, months} -> max_count, per_months
        window = node["max_per_months"]
        values["max_count"] = window["count"].integer(minimum=1)
        values["per_months"] = window["months"].integer(minimum=1)
    for f in fields(cls):
        if f.name in values:
            continue
        if f.type == "int | None":
            child = node.get(f.name)
            values[f.name] = None if child.value is None else child.integer()
        elif f.type == "int":
            values[f.name] = node[f.name].integer(minimum=_MINIMUMS.get(f.name, 0))
        elif f.type == "Decimal":
            values[f.name] = node[f.name].decimal()
        elif f.type == "Mapping[str, Decimal]":  # fees.deposit by account type
            values[f.name] = {key: child.decimal() for key, child in node[f.name].items()}
        elif f.type == "bool":
            if not isinstance(node[f.name].value, bool):
                raise node[f.name].fail("must be true or false")
            values[f.name] = node[f.name].value
    return cls(**values)


def parse_district(*, data: Any, source: str = "district.yml") -> District:
    """Build a District from the parsed YAML; raises ValueError naming the bad key."""
    top = _Node(value=data, path="", source=source)
    timezone = top["timezone"].text()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise top["timezone"].fail(f"is not a known time zone: {timezone!r}") from None
    zips = []
    for zip_node in top["service_area"]["zips"].list():
        if not re.fullmatch(r"\d{5}", str(zip_node.value)):
            raise zip_node.fail(f"is not a 5-digit ZIP code: {zip_node.value!r}")
        zips.append(str(zip_node.value))
    schedules = [_schedule(node) for node in top["rate_schedules"].list()]
    if len({s.effective for s in schedules}) != len(schedules):
        raise top["rate_schedules"].fail("has two schedules with the same effective date")
    name = top["name"].text()
    optional = {"short_name": name, "emergency_phone": "", "website": "", "payment_url": "",
                "billing_unit": "HCF"}  # fmt: skip
    policies = top["policies"]
    return District(
        name=name,
        timezone=timezone,
        phone=top["phone"].text(),
        **{key: top[key].text() if top.get(key).value is not None else default
           for key, default in optional.items()},
        gallons_per_unit=top["gallons_per_unit"].integer(minimum=1),
        service_area=ServiceArea(
            zips=tuple(zips),
            cities=tuple(str(c) for c in (top["service_area"].get("cities").value or [])),
        ),
        hours=_hours(top["hours"]),
        billing=_build(cls=Billing, node=top["billing"]),
        rate_schedules=tuple(sorted(schedules, key=lambda s: s.effective)),
        fees=_build(cls=Fees, node=top["fees"]),
        policies=Policies(**{name: _build(cls=cls, node=policies[name])
                             for name, cls in get_type_hints(Policies).items()}),
    )


def load_district(path: str | os.PathLike[str] | None = None) -> District:
    """The district from `path`, else $DISTRICT_FILE, else backend/district.yml; cached."""
    chosen = path if path is not None else (os.environ.get(ENV_VAR) or DEFAULT_PATH)
    return _load_resolved(Path(chosen).expanduser().resolve())


@lru_cache(maxsize=16)
def _load_resolved(path: Path) -> District:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return parse_district(data=data, source=path.name)


def clear_district_cache() -> None:
    """Forget loaded files (tests, or after an operator edits district.yml)."""
    _load_resolved.cache_clear()
