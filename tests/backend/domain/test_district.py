from __future__ import annotations

import importlib
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from backend.domain import district as district_module
from backend.domain.district import (
    DEFAULT_PATH,
    ENV_VAR,
    District,
    Holiday,
    clear_district_cache,
    load_district,
    normalize_meter_size,
    parse_district,
    parse_holiday_rule,
)


def test_default_file_loads_into_typed_dataclasses(district: District) -> None:
    assert district.name == "Santa Margarita Water District"
    assert district.short_name == "SMWD"
    assert district.gallons_per_unit == 748
    assert district.billing.due_days == 21
    assert district.hours.open == time(7, 30) and district.hours.close == time(17, 30)
    assert district.hours.days == (0, 1, 2, 3, 4)
    assert [s.name for s in district.rate_schedules] == ["FY2024-25", "FY2026-27"]
    residential = district.rate_schedules[1].rates_for("residential")
    assert [t.up_to for t in residential.tiers] == [10, 25, None]
    assert residential.tiers[0].price == Decimal("3.12")
    assert residential.sewer is not None and residential.sewer.cap_units == 10
    assert district.rate_schedules[1].rates_for("commercial").sewer.cap_units is None  # type: ignore[union-attr]
    assert district.rate_schedules[1].rates_for("temporary_construction").sewer is None
    assert district.fees.deposit["temporary_construction"] == Decimal("1500.00")
    assert district.account_types == ("residential", "commercial", "temporary_construction")


def test_policies_are_parsed_one_dataclass_each(district: District) -> None:
    p = district.policies
    assert (p.late_fee_waiver.max_count, p.late_fee_waiver.per_months) == (1, 12)
    assert p.late_fee_waiver.no_other_late_payments_months == 12
    assert (p.due_date_extension.max_days, p.due_date_extension.per_months) == (14, 6)
    assert p.due_date_extension.not_when_shut_off is True
    assert p.payment_arrangement.max_past_due == Decimal("1000.00")
    assert p.payment_arrangement.max_installments == 6
    assert p.deposit_waiver.on_time_months == 12
    assert p.meter_test.accuracy_limit_pct == Decimal("1.5")
    assert p.service_orders.max_days_ahead == 60
    assert (p.verification.max_failures, p.verification.lockout_minutes) == (5, 15)


def test_results_are_frozen(district: District) -> None:
    with pytest.raises(AttributeError):
        district.name = "Other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("zip_code", "expected"),
    [
        ("92688", True),
        ("92688-1234", True),
        (" 92675 ", True),
        ("90210", False),
        ("9268", False),
        ("926881", False),
        ("92688-12", False),
        ("92688 1234", False),
        ("", False),
        ("abcde", False),
    ],
)
def test_in_service_area(district: District, zip_code: str, expected: bool) -> None:
    assert district.in_service_area(zip_code) is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 1, 1), "FY2024-25"),  # before the first schedule: the first one
        (date(2024, 7, 1), "FY2024-25"),
        (date(2026, 6, 30), "FY2024-25"),
        (date(2026, 7, 1), "FY2026-27"),
        (date(2030, 1, 1), "FY2026-27"),
    ],
)
def test_schedule_for(district: District, day: date, expected: str) -> None:
    assert district.schedule_for(day).name == expected


def test_schedules_are_sorted_even_if_the_file_is_not(raw_district: dict[str, Any]) -> None:
    raw_district["rate_schedules"].reverse()
    parsed = parse_district(data=raw_district)
    assert [s.name for s in parsed.rate_schedules] == ["FY2024-25", "FY2026-27"]
    assert parsed.schedule_for(date(2025, 1, 1)).name == "FY2024-25"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3/4", "3/4"), ('3/4"', "3/4"), ("3/4 inch", "3/4"), ("1 1/2", "1.5"), ("1-1/2", "1.5"),
     ("0.75", "3/4"), ("2", "2"), ("1.5 in", "1.5")],
)  # fmt: skip
def test_normalize_meter_size(raw: str, expected: str) -> None:
    assert normalize_meter_size(raw) == expected


def test_unknown_meter_size_and_account_type_name_the_value(district: District) -> None:
    schedule = district.schedule_for(date(2026, 7, 1))
    with pytest.raises(ValueError, match="unknown meter size '4'"):
        schedule.meter_charge_for("4")
    with pytest.raises(ValueError, match="unknown account type 'industrial'"):
        schedule.rates_for("industrial")


# -- loading and caching -----------------------------------------------------------------


def test_load_is_cached_by_resolved_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "district.yml"
    target.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    first = load_district(target)
    monkeypatch.chdir(tmp_path)
    assert load_district("district.yml") is first  # relative path resolves to the same file
    assert load_district(str(tmp_path / "." / "district.yml")) is first
    clear_district_cache()
    assert load_district(target) is not first


def test_env_var_overrides_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["name"] = "Other Water District"
    other = tmp_path / "other.yml"
    other.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(other))
    assert load_district().name == "Other Water District"
    monkeypatch.delenv(ENV_VAR)
    assert load_district().name == "Santa Margarita Water District"


def test_nothing_is_read_at_import_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "/nonexistent/district.yml")
    importlib.reload(district_module)  # would fail if the module read the file on import
    with pytest.raises(FileNotFoundError):
        district_module.load_district()


def test_default_path_is_next_to_the_package() -> None:
    assert Path(district_module.__file__).resolve().parent.parent / "district.yml" == DEFAULT_PATH
    assert DEFAULT_PATH.is_file()


# -- validation --------------------------------------------------------------------------


def _break(raw: dict[str, Any], path: list[Any], value: Any = KeyError) -> None:
    """Set (or delete, with value=KeyError) the item at `path` in the raw data."""
    target = raw
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["policies", "due_date_extension", "max_days"], KeyError,
         "missing key 'policies.due_date_extension.max_days'"),
        (["policies", "late_fee_waiver", "max_per_months"], KeyError,
         "missing key 'policies.late_fee_waiver.max_per_months'"),
        (["fees", "late_fee"], KeyError, "missing key 'fees.late_fee'"),
        (["fees", "late_fee"], "abc", "'fees.late_fee' must be a decimal amount"),
        (["fees", "deposit", "commercial"], "-5",
         "'fees.deposit.commercial' must be a non-negative"),
        (["rate_schedules", 0, "residential", "tiers", 0, "price"], "x",
         "'rate_schedules[0].residential.tiers[0].price' must be a decimal amount"),
        (["rate_schedules", 1, "residential", "tiers", 2, "up_to"], 40,
         "'rate_schedules[1].residential.tiers[2].up_to' must be null on the last tier"),
        (["rate_schedules", 1, "residential", "tiers", 1, "up_to"], 5,
         "'rate_schedules[1].residential.tiers[1].up_to' must be greater than"),
        (["rate_schedules", 1, "residential", "sewer"], KeyError,
         "missing key 'rate_schedules[1].residential.sewer'"),
        (["rate_schedules", 0, "effective"], "July 2024",
         "'rate_schedules[0].effective' must be a date"),
        (["rate_schedules", 0, "meter_charge"], KeyError,
         "missing key 'rate_schedules[0].meter_charge'"),
        (["rate_schedules"], [], "'rate_schedules' must be a non-empty list"),
        (["hours", "open"], "7.30", "'hours.open' must be a time"),
        (["hours", "close"], "06:00", "'hours.close' must be later than hours.open"),
        (["hours", "days"], ["mon", "funday"], "'hours.days[1]' is not a day"),
        (["hours", "holidays", 0, "date"], "13-01", "'hours.holidays[0].date' must be MM-DD"),
        (["hours", "holidays", 1, "rule"], "third monday jan", "'hours.holidays[1].rule'"),
        (["timezone"], "Mars/Olympus", "'timezone' is not a known time zone"),
        (["service_area", "zips"], ["92688", "9268"], "'service_area.zips[1]' is not a 5-digit"),
        (["gallons_per_unit"], 0, "'gallons_per_unit' must be a whole number >= 1"),
        (["billing", "due_days"], "21", "'billing.due_days' must be a whole number"),
        (["policies", "due_date_extension", "not_when_shut_off"], "yes",
         "'policies.due_date_extension.not_when_shut_off' must be true or false"),
        (["policies", "payment_arrangement", "max_installments"], 1,
         "'policies.payment_arrangement.max_installments' must be a whole number >= 2"),
        (["policies"], KeyError, "missing key 'policies'"),
    ],
)  # fmt: skip
def test_validation_names_the_bad_key(
    raw_district: dict[str, Any], path: list[Any], value: Any, message: str
) -> None:
    _break(raw_district, path, value)
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_district(data=raw_district, source="district.yml")


def test_holiday_needs_a_date_or_a_rule(raw_district: dict[str, Any]) -> None:
    raw_district["hours"]["holidays"][0] = {"name": "Founders Day"}
    with pytest.raises(ValueError, match=r"missing key 'hours.holidays\[0\].date' or"):
        parse_district(data=raw_district)


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(ValueError, match="must be a mapping"):
        parse_district(data=["not", "a", "mapping"])


def test_duplicate_effective_dates_are_rejected(raw_district: dict[str, Any]) -> None:
    raw_district["rate_schedules"][1]["effective"] = raw_district["rate_schedules"][0]["effective"]
    with pytest.raises(ValueError, match="same effective date"):
        parse_district(data=raw_district)


def test_error_names_the_file_it_came_from(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    del raw["phone"]
    broken = tmp_path / "broken-district.yml"
    broken.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match=r"^broken-district.yml: missing key 'phone'"):
        load_district(broken)


def test_optional_contact_fields_default(raw_district: dict[str, Any]) -> None:
    for key in ("short_name", "website", "payment_url", "emergency_phone"):
        del raw_district[key]
    parsed = parse_district(data=raw_district)
    assert parsed.short_name == parsed.name
    assert parsed.website == "" and parsed.payment_url == ""


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("4th thu nov", (4, 3, 11, 0)), ("last mon may", (-1, 0, 5, 0)),
     ("1st mon sep", (1, 0, 9, 0)), ("day after 4th thu nov", (4, 3, 11, 1)),
     ("3rd MON Jan", (3, 0, 1, 0))],
)  # fmt: skip
def test_parse_holiday_rule(rule: str, expected: tuple[int, int, int, int]) -> None:
    assert parse_holiday_rule(rule) == expected


@pytest.mark.parametrize("rule", ["4th thursday nov", "6th mon jan", "last mon foo", "mon jan"])
def test_parse_holiday_rule_rejects_bad_rules(rule: str) -> None:
    with pytest.raises(ValueError, match="bad holiday rule"):
        parse_holiday_rule(rule)


def test_holidays_parse_fixed_dates_and_rules(district: District) -> None:
    by_name = {h.name: h for h in district.hours.holidays}
    assert by_name["Independence Day"] == Holiday(name="Independence Day", month=7, day=4)
    thanksgiving_friday = by_name["Day after Thanksgiving"]
    assert (thanksgiving_friday.nth, thanksgiving_friday.weekday) == (4, 3)
    assert thanksgiving_friday.offset_days == 1
