"""The three fixed demo accounts that docs and acceptance tests rely on.

1000001 Maria Lopez: everything paid on time, latest bill $84.12 unpaid and not yet due.
1000002 James Carter: a leak (51 HCF) on the latest bill, $312.40 with one late fee.
2000001 Shah Dental Group: $640.00 past due, shut-off scheduled, one waived late fee.
"""

from __future__ import annotations

from datetime import date, timedelta

from backend.domain.rates import compute_bill, late_fee_line, to_cents
from backend.models import AccountNote
from backend.seed.generator import Ctx, Period, add_account, emit_history, period_dates

MARIA_TOTAL = 8412
JAMES_TOTAL = 31240
SHAH_PAST_DUE = 64000
# Winter-to-summer irrigation factor by the month a period ends.
SEASON = {1: 1.0, 2: 0.95, 3: 1.05, 4: 1.3, 5: 1.6, 6: 1.85, 7: 2.1, 8: 2.2, 9: 2.0,
          10: 1.7, 11: 1.25, 12: 1.0}


def _person(*, first: str, last: str, phone: str, email: str, lang: str, street: str,
            city: str, zip_code: str, business: str | None = None) -> tuple[dict, dict]:
    customer = dict(first_name=first, last_name=last, business_name=business, phone=phone,
                    email=email, preferred_language=lang, mailing_street=street,
                    mailing_city=city, mailing_zip=zip_code)
    premise = dict(street=street, city=city, zip=zip_code)
    return customer, premise


def _periods(ctx: Ctx, *, last_end: date, consumption: list[int], lengths: tuple[int, ...],
             night_flow: dict[int, float] | None = None) -> list[Period]:
    spans = period_dates(rng=ctx.rng, last_end=last_end, n=len(consumption), lengths=lengths)
    flows = night_flow or {}
    return [Period(start=s, end=e, consumption=c, night_flow=flows.get(i, 0.0))
            for i, ((s, e), c) in enumerate(zip(spans, consumption))]


def _on_time(ctx: Ctx, *, bill_date: date, due: date, total: int, methods: tuple[str, ...]):
    paid_on = max(bill_date + timedelta(days=1), due - timedelta(days=ctx.rng.randint(2, 12)))
    return [(paid_on, total, ctx.rng.choice(methods))]


def _check_total(ctx: Ctx, *, label: str, got: int, want: int) -> None:
    # Only an odd `today` (latest period before FY2026-27) or an edited district.yml gets here.
    if got != want:
        ctx.warnings.append(f"{label} latest bill is {got / 100:.2f}, expected {want / 100:.2f}")


def _maria(ctx: Ctx) -> None:
    today, rng = ctx.today, ctx.rng
    customer, premise = _person(
        first="Maria", last="Lopez", phone="9495550101", email="maria.lopez@example.com",
        lang="es", street="22 Alondra", city="Rancho Santa Margarita", zip_code="92688")
    last_end = today - timedelta(days=9)
    spans = period_dates(rng=rng, last_end=last_end, n=24, lengths=(30,))
    use = [max(4, round(6.5 * SEASON[e.month] * rng.uniform(0.9, 1.1))) for _, e in spans]
    use[-1] = 9
    periods = [Period(start=s, end=e, consumption=c) for (s, e), c in zip(spans, use)]
    acct = add_account(
        ctx, customer=customer, premise=premise, number="1000001", account_type="residential",
        meter_size="3/4", opened_on=periods[0].start - timedelta(days=2870),
        meter_installed_on=periods[0].start - timedelta(days=2870))

    def pay(i: int, _bill_id: int, bill_date: date, due: date, total: int):
        if i == len(periods) - 1:
            return []  # the latest bill is not due yet
        return _on_time(ctx, bill_date=bill_date, due=due, total=total, methods=("card", "check"))

    bills = emit_history(ctx, acct=acct, periods=periods, first_reading=1840, pay=pay)
    _check_total(ctx, label="1000001", got=bills[-1][1], want=MARIA_TOTAL)


def _james(ctx: Ctx) -> None:
    today, rng = ctx.today, ctx.rng
    customer, premise = _person(
        first="James", last="Carter", phone="9495550102", email="james.carter@example.com",
        lang="en", street="14 Vista Ridge", city="Ladera Ranch", zip_code="92694")
    use = [rng.randint(11, 13) for _ in range(24)]
    use[11] = 14  # the same period last year: normal
    use[-1] = 51  # the leak
    periods = _periods(ctx, last_end=today - timedelta(days=9), consumption=use,
                       lengths=(30, 30), night_flow={23: 6.5})
    acct = add_account(
        ctx, customer=customer, premise=premise, number="1000002", account_type="residential",
        meter_size="3/4", opened_on=periods[0].start - timedelta(days=1460),
        meter_installed_on=periods[0].start - timedelta(days=1460))

    def pay(i: int, _bill_id: int, bill_date: date, due: date, total: int):
        if i == 23:
            return []
        if i == 22:  # the one late payment: puts a late fee on the latest bill
            return [(due + timedelta(days=4), total, "card")]
        return _on_time(ctx, bill_date=bill_date, due=due, total=total, methods=("card", "ach"))

    bills = emit_history(ctx, acct=acct, periods=periods, first_reading=2210, pay=pay)
    _check_total(ctx, label="1000002", got=bills[-1][1], want=JAMES_TOTAL)


def _shah(ctx: Ctx) -> None:
    today, rng, district = ctx.today, ctx.rng, ctx.district
    customer, premise = _person(
        first="Priya", last="Shah", phone="9495550201", email="office@shahdental.example.com",
        lang="en", street="27001 La Paz Rd", city="Mission Viejo", zip_code="92691",
        business="Shah Dental Group")
    use = [rng.randint(38, 58) for _ in range(24)]
    use[22], use[23] = 52, 60
    # Fixed 30-day periods at the end keep the waiver between its fee bill and the next one.
    periods = _periods(ctx, last_end=today - timedelta(days=37), consumption=use,
                       lengths=(30, 30, 30, 30))
    latest = compute_bill(district=district, account_type="commercial",
                          meter_size="1.5", consumption_hcf=use[23],
                          period_end=periods[23].end, extra_lines=(late_fee_line(district),))
    latest_total = to_cents(latest.total)
    acct = add_account(
        ctx, customer=customer, premise=premise, number="2000001", account_type="commercial",
        meter_size="1.5", opened_on=periods[0].start - timedelta(days=2200),
        meter_installed_on=periods[0].start - timedelta(days=2200),
        shutoff_scheduled_on=today + timedelta(days=7))

    def pay(i: int, _bill_id: int, bill_date: date, due: date, total: int):
        late_on = due + timedelta(days=4)
        if i in (20, 21):
            return [(late_on, total, "check")]
        if i == 22:
            # Partial and late: what is left of it plus the unpaid latest bill is $640.00.
            partial = total + latest_total - SHAH_PAST_DUE
            if not 0 < partial < total:
                ctx.warnings.append(f"2000001 partial payment {partial} out of range")
            return [(late_on, partial, "check")]
        if i == 23:
            return []
        return _on_time(ctx, bill_date=bill_date, due=due, total=total, methods=("check", "ach"))

    def waive(i: int, _bill_date: date) -> date | None:
        return today - timedelta(days=90) if i == 21 else None

    bills = emit_history(ctx, acct=acct, periods=periods, first_reading=15400, pay=pay,
                         waive=waive, waiver_by="bot")
    _check_total(ctx, label="2000001", got=bills[-1][1], want=latest_total)
    notice, shutoff = today - timedelta(days=4), today + timedelta(days=7)
    ctx.rows.add(AccountNote, account_id=acct.account_id, author="system",
                 body=(f"Past-due balance $640.00. Shut-off notice mailed {notice.isoformat()}; "
                       f"service shut-off scheduled for {shutoff.isoformat()}."),
                 created_at=ctx.at(notice, 7, 0))


def add_fixed_accounts(ctx: Ctx) -> None:
    """Customers, premises and accounts with ids 1-3, in account-number order."""
    _maria(ctx)
    _james(ctx)
    _shah(ctx)
