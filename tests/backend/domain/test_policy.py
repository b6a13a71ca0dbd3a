from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.domain.district import District
from backend.domain.i18n import Reason
from backend.domain.policy import (
    REP_REVIEW,
    AccountFacts,
    ArrangementFact,
    BillFact,
    PolicyDecision,
    add_months,
    count_on_time_months,
    deposit_waiver,
    due_date_extension,
    late_fee_waiver,
    late_payment_dates,
    payment_arrangement,
    split_installments,
)

TODAY = date(2026, 7, 15)


def _bill(
    bill_date: date, *, late_fee: str = "0.00", paid: date | None = None, total: str = "84.12"
) -> BillFact:
    return BillFact(
        bill_date=bill_date,
        due_date=bill_date + timedelta(days=21),
        total=Decimal(total),
        late_fee=Decimal(late_fee),
        paid_in_full_on=paid,
    )


def _monthly_bills_paid_on_time(
    months: int, *, last: date = date(2026, 6, 1)
) -> tuple[BillFact, ...]:
    bills = []
    for i in range(months):
        day = add_months(day=last, months=-i)
        bills.append(_bill(day, paid=day + timedelta(days=10)))
    return tuple(reversed(bills))


def _facts(**overrides: object) -> AccountFacts:
    base = AccountFacts(
        account_type="residential", status="active", today=TODAY,
        balance=Decimal("99.12"), past_due=Decimal("0.00"),
        bills=(_bill(date(2026, 6, 1), paid=date(2026, 6, 10)),
               _bill(date(2026, 7, 1), late_fee="15.00")),
        late_payments=(date(2026, 6, 25),),
    )  # fmt: skip
    return replace(base, **overrides)  # type: ignore[arg-type]


def _codes(decision: PolicyDecision) -> list[str]:
    return [r.code for r in decision.reasons]


def _assert_bilingual(decision: PolicyDecision) -> None:
    for reason in (decision.rule_text, *decision.reasons):
        assert reason.en and reason.es and reason.en != reason.es
        assert "{" not in reason.en and "{" not in reason.es  # every placeholder filled


def _assert_ineligible(decision: PolicyDecision) -> None:
    assert decision.eligible is False
    assert decision.reasons[-1] == REP_REVIEW
    assert "representative can review" in decision.reasons[-1].text("en")
    assert "representante" in decision.reasons[-1].text("es")
    _assert_bilingual(decision)


# -- helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2026, 3, 31), -1, date(2026, 2, 28)),
     (date(2028, 3, 31), -1, date(2028, 2, 29)), (date(2026, 7, 15), -12, date(2025, 7, 15)),
     (date(2026, 11, 30), 2, date(2027, 1, 30)), (date(2026, 12, 15), 1, date(2027, 1, 15))],
)  # fmt: skip
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day=day, months=months) == expected


def test_split_installments_puts_the_remainder_first() -> None:
    assert split_installments(amount=Decimal("100.00"), installments=3) == (
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    )
    assert split_installments(amount=Decimal("999.99"), installments=6) == (
        Decimal("166.69"),
        *[Decimal("166.66")] * 5,
    )
    assert split_installments(amount=Decimal("0.05"), installments=6) == (
        Decimal("0.05"),
        *[Decimal("0.00")] * 5,
    )
    for cents in (1, 99, 100, 12345, 99999):
        amount = Decimal(cents) / 100
        for n in range(1, 7):
            parts = split_installments(amount=amount, installments=n)
            assert sum(parts) == amount and max(parts) - min(parts) < Decimal("0.01") * n


def test_count_on_time_months() -> None:
    assert count_on_time_months(bills=_monthly_bills_paid_on_time(14), today=TODAY) == 14
    bills = list(_monthly_bills_paid_on_time(14))
    bills[-4] = replace(bills[-4], paid_in_full_on=bills[-4].due_date + timedelta(days=1))
    assert count_on_time_months(bills=tuple(bills), today=TODAY) == 3
    # A bill not yet due neither breaks nor extends the streak; an unpaid overdue one breaks it.
    not_due = _bill(date(2026, 7, 1))
    assert count_on_time_months(bills=(*_monthly_bills_paid_on_time(5), not_due), today=TODAY) == 5
    overdue = _bill(date(2026, 6, 1))
    assert (
        count_on_time_months(
            bills=(*_monthly_bills_paid_on_time(5, last=date(2026, 5, 1)), overdue), today=TODAY
        )
        == 0
    )


def test_late_payment_dates_from_bills() -> None:
    bills = (
        _bill(date(2026, 1, 1), paid=date(2026, 1, 22)),  # due Jan 22: on time
        _bill(date(2026, 2, 1), paid=date(2026, 2, 23)),  # due Feb 22: late
        _bill(date(2026, 3, 1)),
    )
    assert late_payment_dates(bills) == (date(2026, 2, 23),)


def test_facts_validate_status_and_accept_lists() -> None:
    with pytest.raises(ValueError, match="unknown account status"):
        _facts(status="suspended")
    with pytest.raises(ValueError, match="unknown arrangement status"):
        ArrangementFact(created_on=TODAY, status="paused")
    facts = _facts(extensions=[date(2026, 1, 1)])
    assert facts.extensions == (date(2026, 1, 1),)


# -- late fee waiver -----------------------------------------------------------------------


def test_late_fee_waiver_eligible(district: District) -> None:
    decision = late_fee_waiver(district=district, facts=_facts())
    assert decision.eligible is True
    assert decision.rule == "late_fee_waiver"
    assert decision.details == {"amount": Decimal("15.00"), "bill_date": date(2026, 7, 1)}
    assert _codes(decision) == ["late_fee_found", "no_recent_waiver", "no_other_late_payments"]
    assert decision.reasons[0].en == "Your bill dated July 1, 2026 has a $15.00 late fee."
    assert decision.reasons[0].es == (
        "Su factura del 1 de julio de 2026 tiene un recargo por pago atrasado de $15.00."
    )
    assert decision.rule_text.en == (
        "We can waive one late fee every 12 months if you have had no other late payments in "
        "the last 12 months."
    )
    _assert_bilingual(decision)


def test_late_fee_waiver_refused_for_another_late_payment(district: District) -> None:
    facts = _facts(late_payments=(date(2026, 3, 3), date(2026, 6, 25)))
    decision = late_fee_waiver(district=district, facts=facts)
    _assert_ineligible(decision)
    assert _codes(decision) == ["other_late_payment", "representative_review"]
    assert decision.reasons[0].en == (
        "You had another late payment on March 3, 2026, within the last 12 months."
    )
    assert decision.reasons[0].es == (
        "Tuvo otro pago atrasado el 3 de marzo de 2026, dentro de los últimos 12 meses."
    )
    assert decision.details["amount"] == Decimal("15.00")


def test_the_late_payment_that_caused_the_fee_is_not_the_other_one(district: District) -> None:
    # The Jul 1 fee came from the Jun 25 late payment; the Jul 10 one is another late payment.
    facts = _facts(late_payments=(date(2026, 6, 25), date(2026, 7, 10)))
    decision = late_fee_waiver(district=district, facts=facts)
    assert decision.eligible is False
    assert decision.reasons[0].en == (
        "You had another late payment on July 10, 2026, within the last 12 months."
    )


def test_late_payment_older_than_12_months_does_not_count(district: District) -> None:
    facts = _facts(late_payments=(date(2025, 7, 15), date(2026, 6, 25)))  # exactly 12 months ago
    assert late_fee_waiver(district=district, facts=facts).eligible is True
    facts = _facts(late_payments=(date(2025, 7, 16), date(2026, 6, 25)))
    assert late_fee_waiver(district=district, facts=facts).eligible is False


def test_late_payments_visible_on_bills_count_too(district: District) -> None:
    bills = (
        _bill(date(2026, 2, 1), paid=date(2026, 3, 3)),  # paid after its Feb 22 due date
        _bill(date(2026, 6, 1), paid=date(2026, 6, 25)),
        _bill(date(2026, 7, 1), late_fee="15.00"),
    )
    decision = late_fee_waiver(district=district, facts=_facts(bills=bills, late_payments=()))
    assert decision.eligible is False
    assert "March 3, 2026" in decision.reasons[0].en


def test_late_fee_waiver_refused_after_a_recent_waiver(district: District) -> None:
    decision = late_fee_waiver(
        district=district, facts=_facts(fee_waivers=((date(2025, 11, 5), "late_fee"),))
    )
    _assert_ineligible(decision)
    assert _codes(decision) == ["recent_waiver", "representative_review"]
    assert decision.reasons[0].en == (
        "A late fee was already waived on November 5, 2025, and we can waive one late fee "
        "every 12 months."
    )


def test_waiver_a_year_ago_or_of_another_fee_does_not_block(district: District) -> None:
    waivers = ((date(2025, 7, 15), "late_fee"), (date(2026, 5, 1), "reconnection_fee"))
    assert late_fee_waiver(district=district, facts=_facts(fee_waivers=waivers)).eligible is True


def test_late_fee_waiver_without_a_fee(district: District) -> None:
    bills = (_bill(date(2026, 6, 1), paid=date(2026, 6, 10)), _bill(date(2026, 7, 1)))
    decision = late_fee_waiver(district=district, facts=_facts(bills=bills))
    _assert_ineligible(decision)
    assert _codes(decision)[0] == "no_late_fee"
    assert decision.details["amount"] == Decimal("0.00")


def test_late_fee_on_the_previous_bill_still_counts(district: District) -> None:
    bills = (_bill(date(2026, 6, 1), late_fee="15.00"), _bill(date(2026, 7, 1)))
    decision = late_fee_waiver(district=district, facts=_facts(bills=bills))
    assert decision.eligible is True
    assert decision.details["bill_date"] == date(2026, 6, 1)


def test_late_fee_waiver_lists_every_problem(district: District) -> None:
    facts = _facts(
        bills=(),
        fee_waivers=((date(2026, 1, 1), "late_fee"),),
        late_payments=(date(2026, 2, 1), date(2026, 6, 25)),
    )
    assert _codes(late_fee_waiver(district=district, facts=facts)) == [
        "no_late_fee",
        "recent_waiver",
        "other_late_payment",
        "representative_review",
    ]


# -- due date extension --------------------------------------------------------------------


def test_due_date_extension_eligible(district: District) -> None:
    decision = due_date_extension(district=district, facts=_facts(), days=10)
    assert decision.eligible is True
    assert decision.details["current_due_date"] == date(2026, 7, 22)
    assert decision.details["new_due_date"] == date(2026, 8, 1)
    assert decision.details["max_days"] == 14
    assert _codes(decision) == ["days_ok", "no_recent_extension", "new_due_date"]
    assert decision.reasons[-1].en == (
        "Your balance of $99.12 would be due on August 1, 2026 instead of July 22, 2026."
    )
    _assert_bilingual(decision)


@pytest.mark.parametrize(("days", "eligible"), [(0, False), (1, True), (14, True), (15, False)])
def test_due_date_extension_day_limits(district: District, days: int, eligible: bool) -> None:
    decision = due_date_extension(district=district, facts=_facts(), days=days)
    assert decision.eligible is eligible
    if not eligible:
        assert decision.reasons[0].en == (
            f"You asked for {days} days; we can extend a due date by 1 to 14 days."
        )


def test_one_extension_per_six_months(district: District) -> None:
    recent = due_date_extension(
        district=district, facts=_facts(extensions=(date(2026, 3, 2),)), days=7
    )
    _assert_ineligible(recent)
    assert recent.reasons[0].en == (
        "You already had a due date extension on March 2, 2026, and we allow 1 every 6 months."
    )
    older = due_date_extension(
        district=district, facts=_facts(extensions=(date(2026, 1, 15),)), days=7
    )
    assert older.eligible is True


def test_no_extension_when_shut_off(district: District) -> None:
    decision = due_date_extension(district=district, facts=_facts(status="shut_off"), days=5)
    _assert_ineligible(decision)
    assert _codes(decision) == ["shut_off", "representative_review"]
    assert decision.reasons[0].en == (
        "Your service is currently shut off, so we can't extend the due date."
    )


def test_no_extension_without_a_balance(district: District) -> None:
    decision = due_date_extension(district=district, facts=_facts(balance=Decimal("0.00")), days=5)
    _assert_ineligible(decision)
    assert _codes(decision) == ["no_balance", "representative_review"]
    assert decision.details["new_due_date"] is None


def test_no_extension_without_a_bill(district: District) -> None:
    decision = due_date_extension(district=district, facts=_facts(bills=()), days=5)
    assert _codes(decision) == ["no_bill", "representative_review"]


def test_extension_that_would_end_in_the_past(district: District) -> None:
    facts = _facts(today=date(2026, 8, 20))
    decision = due_date_extension(district=district, facts=facts, days=14)  # Jul 22 + 14 = Aug 5
    assert _codes(decision) == ["extension_already_passed", "representative_review"]
    assert "August 5, 2026, which has already passed" in decision.reasons[0].en


# -- payment arrangement ---------------------------------------------------------------------


def test_payment_arrangement_eligible_with_plan(district: District) -> None:
    facts = _facts(past_due=Decimal("100.00"))
    decision = payment_arrangement(district=district, facts=facts, installments=3)
    assert decision.eligible is True
    assert decision.details["plan"] == (
        {"number": 1, "due_date": date(2026, 8, 15), "amount": Decimal("33.34")},
        {"number": 2, "due_date": date(2026, 9, 15), "amount": Decimal("33.33")},
        {"number": 3, "due_date": date(2026, 10, 15), "amount": Decimal("33.33")},
    )
    assert decision.reasons[-1].en == (
        "Your 3 monthly payments would be: $33.34 due August 15, 2026, $33.33 due "
        "September 15, 2026, $33.33 due October 15, 2026."
    )
    assert decision.reasons[-1].es.startswith(
        "Sus 3 pagos mensuales serían: $33.34 el 15 de agosto de 2026"
    )
    _assert_bilingual(decision)


@pytest.mark.parametrize(
    ("past_due", "eligible", "code"),
    [("999.99", True, "past_due_ok"), ("1000.00", False, "past_due_too_high"),
     ("2500.00", False, "past_due_too_high"), ("0.00", False, "no_past_due"),
     ("-20.00", False, "no_past_due")],
)  # fmt: skip
def test_payment_arrangement_past_due_limits(
    district: District, past_due: str, eligible: bool, code: str
) -> None:
    decision = payment_arrangement(
        district=district, facts=_facts(past_due=Decimal(past_due)), installments=4
    )
    assert decision.eligible is eligible
    assert decision.reasons[0].code == code


def test_past_due_too_high_says_why(district: District) -> None:
    decision = payment_arrangement(
        district=district, facts=_facts(past_due=Decimal(1200)), installments=4
    )
    assert decision.reasons[0].en.startswith(
        "Your past-due balance of $1,200.00 is $1,000.00 or more"
    )
    assert decision.details["plan"] == ()


@pytest.mark.parametrize(
    ("installments", "eligible"), [(1, False), (2, True), (6, True), (7, False)]
)
def test_payment_arrangement_installment_limits(
    district: District, installments: int, eligible: bool
) -> None:
    decision = payment_arrangement(
        district=district, facts=_facts(past_due=Decimal("300.00")), installments=installments
    )
    assert decision.eligible is eligible
    if eligible:
        assert len(decision.details["plan"]) == installments
        assert sum(p["amount"] for p in decision.details["plan"]) == Decimal("300.00")
    else:
        assert decision.reasons[0].en == (
            f"You asked for {installments} payments; we allow 2 to 6."
        )


def test_broken_arrangement_within_a_year_blocks(district: District) -> None:
    facts = _facts(
        past_due=Decimal("300.00"),
        arrangements=(ArrangementFact(created_on=date(2025, 9, 1), status="broken"),),
    )
    decision = payment_arrangement(district=district, facts=facts, installments=3)
    _assert_ineligible(decision)
    assert decision.reasons[0].en == (
        "A payment arrangement made on September 1, 2025 was not kept, and we can't set up a "
        "new one within 12 months of that."
    )


def test_old_broken_and_finished_arrangements_do_not_block(district: District) -> None:
    facts = _facts(past_due=Decimal("300.00"), arrangements=(
        ArrangementFact(created_on=date(2025, 6, 1), status="broken"),
        ArrangementFact(created_on=date(2026, 1, 1), status="completed"),
        ArrangementFact(created_on=date(2026, 3, 1), status="cancelled"),
    ))  # fmt: skip
    assert payment_arrangement(district=district, facts=facts, installments=3).eligible is True


def test_active_arrangement_blocks_a_second_one(district: District) -> None:
    facts = _facts(
        past_due=Decimal("300.00"),
        arrangements=(ArrangementFact(created_on=date(2026, 5, 2), status="active"),),
    )
    decision = payment_arrangement(district=district, facts=facts, installments=3)
    assert _codes(decision) == ["active_arrangement", "representative_review"]
    assert (
        decision.reasons[0].es == "Ya tiene un acuerdo de pago activo, hecho el 2 de mayo de 2026."
    )


# -- deposit waiver ------------------------------------------------------------------------


def test_deposit_waiver_eligible_from_bill_history(district: District) -> None:
    facts = _facts(bills=_monthly_bills_paid_on_time(12), late_payments=())
    decision = deposit_waiver(district=district, facts=facts)
    assert decision.eligible is True
    assert decision.details == {
        "deposit": Decimal("100.00"),
        "on_time_months": 12,
        "required_months": 12,
    }
    assert decision.reasons[0].en == "You have paid on time for 12 months in a row."
    _assert_bilingual(decision)


def test_deposit_waiver_needs_twelve_months(district: District) -> None:
    facts = _facts(bills=_monthly_bills_paid_on_time(11), late_payments=())
    decision = deposit_waiver(district=district, facts=facts)
    _assert_ineligible(decision)
    assert decision.reasons[0].en == "You have paid on time for 11 months in a row; we need 12."
    assert decision.reasons[0].es == (
        "Ha pagado a tiempo durante 11 meses seguidos; se necesitan 12."
    )


def test_deposit_waiver_refused_after_a_late_payment(district: District) -> None:
    facts = _facts(on_time_months=14, late_payments=(date(2026, 3, 3),), account_type="commercial")
    decision = deposit_waiver(district=district, facts=facts)
    _assert_ineligible(decision)
    assert _codes(decision) == ["late_payment", "representative_review"]
    assert decision.reasons[0].en == (
        "You had a late payment on March 3, 2026, within the last 12 months."
    )
    assert decision.details["deposit"] == Decimal("300.00")


def test_caller_supplied_on_time_months_wins(district: District) -> None:
    facts = _facts(bills=(), late_payments=(), on_time_months=12)
    assert deposit_waiver(district=district, facts=facts).eligible is True


def test_decision_text_and_dict(district: District) -> None:
    decision = due_date_extension(district=district, facts=_facts(status="shut_off"), days=5)
    assert decision.text("es").startswith("Su servicio está suspendido")
    data = decision.to_dict()
    assert data["eligible"] is False and data["rule"] == "due_date_extension"
    assert data["reasons"][-1] == REP_REVIEW.to_dict()
    assert isinstance(decision.rule_text, Reason)
