from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backend.domain.district import District
from backend.domain.rates import (
    BillLineItem,
    compute_bill,
    credit_line,
    explain_line,
    explain_lines,
    fee_line,
    from_cents,
    late_fee_line,
    money,
    rate_table,
    to_cents,
    worked_example,
)

NEW = date(2026, 7, 31)  # under FY2026-27
OLD = date(2026, 6, 30)  # last day of FY2024-25


def _bill(
    district: District,
    hcf: int,
    *,
    account: str = "residential",
    meter: str = "3/4",
    end: date = NEW,
    extra: tuple[BillLineItem, ...] = (),
):  # type: ignore[no-untyped-def]
    return compute_bill(
        district=district,
        account_type=account,
        meter_size=meter,
        consumption_hcf=hcf,
        period_end=end,
        extra_lines=extra,
    )


def _amounts(bill) -> list[tuple[str, Decimal]]:  # type: ignore[no-untyped-def]
    return [(line.kind, line.amount) for line in bill.lines]


# -- money helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.675", "2.68"), ("2.665", "2.67"), ("-1.005", "-1.01"), ("0.004", "0.00"),
     (2.675, "2.68"), (0.1, "0.10"), (3, "3.00"), (Decimal("31.2"), "31.20")],
)  # fmt: skip
def test_money_rounds_half_up_to_cents(value: object, expected: str) -> None:
    result = money(value)  # type: ignore[arg-type]
    assert result == Decimal(expected)
    assert str(result) == expected


def test_money_refuses_booleans() -> None:
    with pytest.raises(TypeError):
        money(True)


def test_cents_round_trip() -> None:
    assert to_cents(Decimal("312.40")) == 31240
    assert to_cents(Decimal("0.005")) == 1
    assert to_cents(Decimal("-15.00")) == -1500
    assert from_cents(31240) == Decimal("312.40")
    assert str(from_cents(5)) == "0.05"
    assert str(from_cents(-1500)) == "-15.00"
    assert all(to_cents(from_cents(c)) == c for c in (-101, 0, 1, 99, 100, 123456))


# -- the two fixed demo accounts --------------------------------------------------------------


def test_demo_bill_residential_9_hcf(district: District) -> None:
    bill = _bill(district, 9)
    assert bill.schedule_name == "FY2026-27"
    assert _amounts(bill) == [
        ("usage", Decimal("28.08")),
        ("meter_charge", Decimal("24.94")),
        ("sewer_fixed", Decimal("21.65")),
        ("sewer_usage", Decimal("9.45")),
    ]
    assert bill.total == Decimal("84.12")
    assert str(bill.total) == "84.12"


def test_demo_bill_residential_51_hcf_with_late_fee(district: District) -> None:
    bill = _bill(district, 51, extra=(late_fee_line(district),))
    assert _amounts(bill) == [
        ("usage", Decimal("31.20")),
        ("usage", Decimal("61.95")),
        ("usage", Decimal("147.16")),
        ("meter_charge", Decimal("24.94")),
        ("sewer_fixed", Decimal("21.65")),
        ("sewer_usage", Decimal("10.50")),
        ("late_fee", Decimal("15.00")),
    ]
    assert bill.total == Decimal("312.40")
    usage = [line for line in bill.lines if line.kind == "usage"]
    assert [(u.tier, u.quantity, u.unit_price) for u in usage] == [
        (1, 10, Decimal("3.12")),
        (2, 15, Decimal("4.13")),
        (3, 26, Decimal("5.66")),
    ]
    sewer = bill.lines[5]
    assert (sewer.quantity, sewer.unit_price) == (10, Decimal("1.05"))
    assert bill.amount_of("usage") == Decimal("240.31")


def test_line_descriptions(district: District) -> None:
    bill = _bill(district, 51)
    assert [line.description for line in bill.lines] == [
        "Water usage, tier 1 (0-10 HCF)",
        "Water usage, tier 2 (11-25 HCF)",
        "Water usage, tier 3 (over 25 HCF)",
        "Meter charge, 3/4 inch meter",
        "Sewer service charge",
        "Sewer usage (billed on up to 10 HCF)",
    ]
    assert bill.lines[2].description_es == "Consumo de agua, nivel 3 (más de 25 HCF)"
    assert bill.lines[3].description_es == "Cargo por medidor de 3/4 de pulgada"


# -- schedules and account types ------------------------------------------------------------


def test_older_schedule_applies_before_july_2026(district: District) -> None:
    bill = _bill(district, 9, end=OLD)
    assert bill.schedule_name == "FY2024-25"
    # 9 x 3.00 + 23.98 + 20.82 + 9 x 1.01
    assert _amounts(bill) == [
        ("usage", Decimal("27.00")),
        ("meter_charge", Decimal("23.98")),
        ("sewer_fixed", Decimal("20.82")),
        ("sewer_usage", Decimal("9.09")),
    ]
    assert bill.total == Decimal("80.89")


def test_older_schedule_tiers(district: District) -> None:
    bill = _bill(district, 30, end=OLD)
    # 10 x 3.00 + 15 x 3.97 + 5 x 5.44 + 23.98 + 20.82 + 10 x 1.01
    assert [line.amount for line in bill.lines if line.kind == "usage"] == [
        Decimal("30.00"),
        Decimal("59.55"),
        Decimal("27.20"),
    ]
    assert bill.total == Decimal("171.65")


def test_commercial_has_one_tier_and_uncapped_sewer(district: District) -> None:
    bill = _bill(district, 40, account="commercial", meter="2")
    assert _amounts(bill) == [
        ("usage", Decimal("158.00")),
        ("meter_charge", Decimal("112.80")),
        ("sewer_fixed", Decimal("45.00")),
        ("sewer_usage", Decimal("42.00")),
    ]
    assert bill.lines[3].quantity == 40  # no cap for commercial sewer
    assert bill.lines[3].description == "Sewer usage"
    assert bill.lines[0].description == "Water usage, tier 1 (all HCF)"
    assert bill.total == Decimal("357.80")


def test_temporary_construction_has_no_sewer(district: District) -> None:
    bill = _bill(district, 100, account="temporary_construction", meter="3")
    assert _amounts(bill) == [("usage", Decimal("566.00")), ("meter_charge", Decimal("150.00"))]
    assert bill.total == Decimal("716.00")


def test_zero_usage_bills_only_fixed_charges(district: District) -> None:
    bill = _bill(district, 0)
    assert _amounts(bill) == [("meter_charge", Decimal("24.94")), ("sewer_fixed", Decimal("21.65"))]
    assert bill.total == Decimal("46.59")


@pytest.mark.parametrize(
    ("hcf", "quantities", "usage_total"),
    [
        (1, [1], "3.12"),
        (10, [10], "31.20"),
        (11, [10, 1], "35.33"),
        (25, [10, 15], "93.15"),
        (26, [10, 15, 1], "98.81"),
    ],
)
def test_tier_boundaries(
    district: District, hcf: int, quantities: list[int], usage_total: str
) -> None:
    bill = _bill(district, hcf)
    usage = [line for line in bill.lines if line.kind == "usage"]
    assert [u.quantity for u in usage] == quantities
    assert [u.tier for u in usage] == list(range(1, len(quantities) + 1))
    assert bill.amount_of("usage") == Decimal(usage_total)


@pytest.mark.parametrize(("hcf", "sewer_units"), [(9, 9), (10, 10), (11, 10), (80, 10)])
def test_residential_sewer_is_capped(district: District, hcf: int, sewer_units: int) -> None:
    sewer = [line for line in _bill(district, hcf).lines if line.kind == "sewer_usage"]
    assert sewer[0].quantity == sewer_units
    assert sewer[0].amount == money(Decimal("1.05") * sewer_units)


def test_total_is_always_the_sum_of_cent_lines(district: District) -> None:
    for hcf in range(120):
        for account, meter in (
            ("residential", "5/8"),
            ("commercial", "1.5"),
            ("temporary_construction", "1"),
        ):
            bill = _bill(district, hcf, account=account, meter=meter)
            assert bill.total == sum(line.amount for line in bill.lines)
            assert all(line.amount == money(line.amount) for line in bill.lines)
            assert sum(line.quantity or 0 for line in bill.lines if line.kind == "usage") == hcf


def test_meter_size_spellings_are_accepted(district: District) -> None:
    assert _bill(district, 9, meter='3/4"').total == Decimal("84.12")
    assert _bill(district, 0, meter="1 1/2").lines[0].amount == Decimal("71.35")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"meter_size": "7/8"}, "unknown meter size '7/8'"),
        ({"account_type": "industrial"}, "unknown account type 'industrial'"),
        ({"consumption_hcf": -1}, "must not be negative"),
        ({"consumption_hcf": 9.5}, "must be a whole number"),
        ({"consumption_hcf": True}, "must be a whole number"),
    ],
)
def test_bad_inputs_raise(district: District, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "account_type": "residential",
        "meter_size": "3/4",
        "consumption_hcf": 9,
        "period_end": NEW,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        compute_bill(district=district, **args)  # type: ignore[arg-type]


# -- extra lines ----------------------------------------------------------------------------


def test_credits_and_adjustments_reduce_the_total(district: District) -> None:
    extra = (
        credit_line(amount=Decimal("10.00"), description="Leak adjustment credit"),
        BillLineItem(
            kind="adjustment", description="Meter read correction", amount=Decimal("-4.125")
        ),
        fee_line(district=district, kind="reconnection_fee"),
    )
    bill = _bill(district, 9, extra=extra)
    assert _amounts(bill)[-3:] == [
        ("credit", Decimal("-10.00")),
        ("adjustment", Decimal("-4.13")),
        ("reconnection_fee", Decimal("75.00")),
    ]
    assert bill.total == Decimal("84.12") - Decimal("10.00") - Decimal("4.13") + Decimal("75.00")


def test_credit_line_is_negative_whatever_the_sign() -> None:
    assert credit_line(amount=Decimal(5)).amount == Decimal("-5.00")
    assert credit_line(amount=Decimal(-5)).amount == Decimal("-5.00")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (BillLineItem(kind="credit", description="x", amount=Decimal("5.00")), "negative"),
        (
            BillLineItem(kind="late_fee", description="x", amount=Decimal("-15.00")),
            "not be negative",
        ),
        (BillLineItem(kind="usage", description="x", amount=Decimal("1.00")), "unknown extra line"),
        (
            BillLineItem(kind="donation", description="x", amount=Decimal("1.00")),
            "unknown extra line",
        ),
    ],
)
def test_bad_extra_lines_raise(district: District, line: BillLineItem, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _bill(district, 9, extra=(line,))


def test_fee_lines_come_from_the_district(district: District) -> None:
    late = late_fee_line(district)
    assert (late.kind, late.description, late.amount) == ("late_fee", "Late fee", Decimal("15.00"))
    assert late.description_es == "Recargo por pago atrasado"
    assert fee_line(district=district, kind="returned_payment_fee").amount == Decimal("25.00")
    with pytest.raises(ValueError, match="unknown fee kind"):
        fee_line(district=district, kind="deposit")


# -- explanations ---------------------------------------------------------------------------


def test_explain_lines_english(district: District) -> None:
    bill = _bill(district, 51, extra=(late_fee_line(district),))
    assert explain_lines(lines=bill.lines) == [
        "Water usage tier 1: 10 HCF at $3.12 = $31.20",
        "Water usage tier 2: 15 HCF at $4.13 = $61.95",
        "Water usage tier 3: 26 HCF at $5.66 = $147.16",
        "Meter charge, 3/4 inch meter: $24.94",
        "Sewer service charge: $21.65",
        "Sewer usage: 10 HCF at $1.05 = $10.50",
        "Late fee: $15.00",
    ]


def test_explain_lines_spanish(district: District) -> None:
    bill = _bill(district, 51, extra=(late_fee_line(district),))
    assert explain_lines(lines=bill.lines, lang="es") == [
        "Consumo de agua, nivel 1: 10 HCF a $3.12 = $31.20",
        "Consumo de agua, nivel 2: 15 HCF a $4.13 = $61.95",
        "Consumo de agua, nivel 3: 26 HCF a $5.66 = $147.16",
        "Cargo por medidor de 3/4 de pulgada: $24.94",
        "Cargo fijo de alcantarillado: $21.65",
        "Alcantarillado por consumo: 10 HCF a $1.05 = $10.50",
        "Recargo por pago atrasado: $15.00",
    ]


def test_explain_negative_and_caller_lines() -> None:
    credit = credit_line(amount=Decimal("1234.5"), description="Leak adjustment credit")
    assert explain_line(line=credit) == "Leak adjustment credit: -$1,234.50"
    assert explain_line(line=credit, lang="es-MX") == "Crédito: -$1,234.50"
    odd_price = BillLineItem(
        kind="usage",
        description="x",
        amount=Decimal("1.25"),
        quantity=10,
        unit_price=Decimal("0.125"),
        tier=1,
    )
    assert explain_line(line=odd_price) == "Water usage tier 1: 10 HCF at $0.125 = $1.25"


def test_worked_example(district: District) -> None:
    example = worked_example(district=district, day=date(2026, 8, 15))
    assert example["schedule_name"] == "FY2026-27"
    assert example["effective"] == date(2026, 7, 1)
    assert example["consumption_hcf"] == 12
    assert example["gallons"] == 12 * 748
    # 31.20 + 2 x 4.13 + 24.94 + 21.65 + 10.50
    assert example["total"] == Decimal("96.55")
    assert example["explanation"]["en"][1] == "Water usage tier 2: 2 HCF at $4.13 = $8.26"
    assert example["explanation"]["es"][1] == "Consumo de agua, nivel 2: 2 HCF a $4.13 = $8.26"
    assert [line["kind"] for line in example["lines"]] == [
        "usage",
        "usage",
        "meter_charge",
        "sewer_fixed",
        "sewer_usage",
    ]
    assert [r["range"] for r in example["rates"]] == ["0-10 HCF", "11-25 HCF", "over 25 HCF"]


def test_worked_example_uses_the_schedule_of_the_day(district: District) -> None:
    example = worked_example(
        district=district,
        account_type="commercial",
        meter_size="1",
        consumption_hcf=5,
        day=date(2025, 1, 1),
    )
    assert example["schedule_name"] == "FY2024-25"
    assert example["total"] == Decimal("19.00") + Decimal("37.28") + Decimal("43.30") + Decimal(
        "5.05"
    )


def test_rate_table(district: District) -> None:
    table = rate_table(district=district, account_type="temporary_construction", day=NEW)
    assert table == [
        {
            "tier": 1,
            "up_to": None,
            "price": Decimal("5.66"),
            "range": "all HCF",
            "range_es": "todos los HCF",
        }
    ]


def test_bill_to_dict(district: District) -> None:
    data = _bill(district, 9).to_dict()
    assert data["total"] == Decimal("84.12")
    assert data["lines"][0]["kind"] == "usage"
    assert data["lines"][0]["quantity"] == 9
