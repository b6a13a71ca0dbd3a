"""The generated population beside the fixed accounts.

About 85% residential, 12% commercial and 3% temporary construction accounts, with
the occasional leak, estimated read, late payer, waiver, arrangement, deposit and order.
Roles are dealt from a shuffled list so their counts are exact for a given n_accounts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from backend.domain.rates import to_cents
from backend.models import (
    AccountNote,
    Customer,
    Deposit,
    Installment,
    PaymentArrangement,
    Premise,
    ServiceOrder,
    WorkOrder,
)
from backend.seed import names
from backend.seed.fixed import SEASON
from backend.seed.generator import AcctRef, Ctx, Period, add_account, emit_history, period_dates
from backend.seed.payments import add_cashier_days, cash_or

RES, COM, TMP = "residential", "commercial", "temporary_construction"
FIXED_PHONE_SUFFIXES = (101, 102, 201)
FIXED_ADDRESSES = ((22, "Alondra", "92688"), (14, "Vista Ridge", "92694"),
                   (27001, "La Paz Rd", "92691"))
FIXED_EMAILS = ("maria.lopez@example.com", "james.carter@example.com",
                "office@shahdental.example.com")
REPS = ("rep:agarcia", "rep:jnguyen", "rep:mthompson", "rep:lramirez")
BIG_ROAD_SUFFIXES = ("Pkwy", "Rd", "Blvd", "Hwy", "Dr")
METHODS = ("card", "ach", "check")


@dataclass
class Plan:
    kind: str
    number: str
    # ontime | autopay | late | pastdue | shutoff | arr_completed | arr_broken
    role: str = "ontime"
    waiver: bool = False
    leak: bool = False
    paperless: bool = False
    returned_mail: bool = False


@dataclass
class Member:
    plan: Plan
    acct: AcctRef
    phone: str
    lang: str
    premise: dict[str, Any]
    leak_recent: bool = False


@dataclass
class Registry:
    """Values that must stay unique across customers (membership tests only)."""

    emails: set[str] = field(default_factory=lambda: set(FIXED_EMAILS))
    addresses: set[tuple[int, str, str]] = field(default_factory=lambda: set(FIXED_ADDRESSES))


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _email(reg: Registry, *, local: str, domain: str = "example.com") -> str:
    candidate, n = f"{local}@{domain}", 2
    while candidate in reg.emails:
        candidate, n = f"{local}{n}@{domain}", n + 1
    reg.emails.add(candidate)
    return candidate


def _name(ctx: Ctx) -> tuple[str, str, str]:
    rng = ctx.rng
    spanish = rng.random() < 0.25
    if rng.random() < (0.85 if spanish else 0.12):
        first, last = rng.choice(names.HISPANIC_FIRST), rng.choice(names.HISPANIC_LAST)
    else:
        first, last = rng.choice(names.ENGLISH_FIRST), rng.choice(names.ENGLISH_LAST)
    return first, last, "es" if spanish else "en"


def _address(ctx: Ctx, reg: Registry, *, kind: str) -> dict[str, Any]:
    rng = ctx.rng
    zips = tuple(names.ZIP_STREETS)
    zip_code = rng.choices(zips, weights=names.ZIP_WEIGHTS)[0]
    city, streets = names.ZIP_STREETS[zip_code]
    street = rng.choice(streets)
    big_road = street.endswith(BIG_ROAD_SUFFIXES)
    while True:
        number = rng.randint(20000, 32999) if big_road else rng.randint(1, 120)
        if (number, street, zip_code) not in reg.addresses:
            break
    reg.addresses.add((number, street, zip_code))
    unit = None
    if kind == COM and rng.random() < 0.5:
        unit = f"Suite {rng.choice((100, 110, 120, 150, 200, 210, 250))}"
    elif kind == RES and rng.random() < 0.05:
        unit = f"Unit {rng.randint(1, 40)}"
    return dict(street=f"{number} {street}", unit=unit, city=city, zip=zip_code)


def _customer(ctx: Ctx, reg: Registry, *, kind: str, phone: str,
              premise: dict[str, Any]) -> tuple[dict[str, Any], str]:
    rng = ctx.rng
    first, last, lang = _name(ctx)
    business = None
    if kind == COM:
        business = f"{last} {rng.choice(names.BUSINESS_KINDS)}"
        email = _email(reg, local="office", domain=f"{_slug(business)}.example.com")
    elif kind == TMP:
        business = rng.choice(names.CONSTRUCTION_NAMES)
        email = _email(reg, local=_slug(first) + "." + _slug(last),
                       domain=f"{_slug(business)}.example.com")
    else:
        local = f"{_slug(first)}.{_slug(last)}"
        email = None if rng.random() < 0.06 else _email(reg, local=local)
    if rng.random() < 0.08:  # a PO box in the same town
        mailing = f"PO Box {rng.randint(100, 9999)}"
    else:
        unit = premise["unit"]
        mailing = premise["street"] + (f" {unit}" if unit else "")
    customer = dict(first_name=first, last_name=last, business_name=business, phone=phone,
                    email=email, preferred_language=lang, mailing_street=mailing,
                    mailing_city=premise["city"], mailing_zip=premise["zip"])
    return customer, lang


def _periods(ctx: Ctx, *, kind: str, spans: list[tuple[date, date]],
             leak: bool) -> tuple[list[Period], bool]:
    """Monthly use with summer irrigation peaks, maybe a leak, estimates and rereads."""
    rng, n = ctx.rng, len(spans)
    base, swing = {RES: (rng.uniform(5, 12), 1.0), COM: (rng.uniform(15, 110), 0.4),
                   TMP: (rng.uniform(6, 35), 0.0)}[kind]
    use = [max(1, round(base * (1 + (SEASON[end.month] - 1) * swing) * rng.uniform(0.85, 1.15)))
           for _, end in spans]
    flows = [0.0 if rng.random() < 0.85 else round(rng.uniform(0.1, 0.5), 1) for _ in spans]
    kinds = ["actual"] * n
    leaking = [False] * n
    if leak:
        length = rng.randint(1, min(3, n))
        first = n - length if rng.random() < 0.5 else rng.randint(0, n - length)
        for i in range(first, first + length):
            use[i] += rng.randint(15, 40)
            flows[i] = round(rng.uniform(3, 10), 1)
            leaking[i] = True
    i = 0
    while i < n - 1:
        if not (leaking[i] or leaking[i + 1]) and rng.random() < 0.03:
            # An estimate; the next actual read bills the difference, so no water is lost.
            both = use[i] + use[i + 1]
            guess = round(sum(use[max(0, i - 3):i + 1]) / len(use[max(0, i - 3):i + 1]))
            estimate = min(both, max(1, round(guess * rng.uniform(0.75, 1.15))))
            use[i], use[i + 1], kinds[i] = estimate, both - estimate, "estimated"
            i += 2
            continue
        if not leaking[i] and rng.random() < 0.01:
            kinds[i] = "reread"  # high-read exception checked in the field
        i += 1
    periods = [Period(start=s, end=e, consumption=use[k], read_type=kinds[k], night_flow=flows[k])
               for k, (s, e) in enumerate(spans)]
    return periods, leaking[-1]


def _arrangement(ctx: Ctx, *, acct: AcctRef, due: date, total: int, broken: bool,
                 method: str) -> list[tuple[date, int, str]]:
    rng, rows = ctx.rng, ctx.rows
    created = due + timedelta(days=rng.randint(3, 9))
    count = rng.randint(2, 4)
    arrangement_id = rows.add(
        PaymentArrangement, account_id=acct.account_id, total_cents=total, installments=count,
        status="broken" if broken else "completed", created_on=created,
        created_at=ctx.at(created, 10, 30))
    share = total // count
    paid_count = rng.randint(1, count - 1) if broken else count
    payments = []
    for k in range(1, count + 1):
        amount = share if k < count else total - share * (count - 1)
        due_k = created + timedelta(days=30 * k)
        rows.add(Installment, arrangement_id=arrangement_id, number=k, due_date=due_k,
                 amount_cents=amount, paid=k <= paid_count)
        if k <= paid_count:
            payments.append((due_k - timedelta(days=rng.randint(0, 3)), amount, method))
    return payments  # a broken one leaves the rest of that bill past due


def _pay_fn(ctx: Ctx, *, plan: Plan, acct: AcctRef, n: int):
    rng, today, role = ctx.rng, ctx.today, plan.role
    method = rng.choices(METHODS, weights=(5, 3, 2))[0]
    forced_late = rng.randint(max(0, n - 12), n - 2) if role == "late" and n >= 3 else -1
    unpaid_from = n - {"pastdue": 2, "shutoff": 3}.get(role, 0)
    arrangement_bill = n - rng.randint(7, 12) if role.startswith("arr") and n >= 13 else -1

    def pay(i: int, _bill_id: int, bill_date: date, due: date, total: int):
        if i >= unpaid_from:
            return []
        if i == arrangement_bill:
            return _arrangement(ctx, acct=acct, due=due, total=total,
                                broken=role == "arr_broken", method=method)
        if role == "late" and (i == forced_late or rng.random() < 0.15):
            paid_on, how = due + timedelta(days=rng.randint(2, 24)), method
        elif role == "autopay":
            paid_on, how = due, "autopay"
        else:
            early = timedelta(days=rng.randint(0, 16))
            paid_on = max(bill_date + timedelta(days=1), due - early)
            how = method if rng.random() < 0.9 else rng.choice(METHODS)
        how = cash_or(ctx, number=plan.number, index=i, method=how, paid_on=paid_on)
        return [] if paid_on >= today else [(paid_on, total, how)]

    return pay


def _waive_fn(ctx: Ctx, *, plan: Plan):
    done = [not plan.waiver]

    def waive(_i: int, bill_date: date) -> date | None:
        # Only the account's first late fee: the policy allows one per 12 months.
        if done[0]:
            return None
        done[0] = True
        requested = bill_date + timedelta(days=ctx.rng.randint(1, 6))
        return requested if requested < ctx.today else None

    return waive


def _deal_roles(ctx: Ctx, plans: list[Plan], *, n: int) -> None:
    order = list(plans)
    ctx.rng.shuffle(order)
    counts = (("late", round(0.08 * n)), ("pastdue", max(2, round(0.02 * n))), ("shutoff", 2),
              ("arr_completed", max(1, round(0.006 * n))),
              ("arr_broken", max(1, round(0.006 * n))), ("autopay", round(0.30 * n)))
    pos = 0
    for role, count in counts:
        for plan in order[pos:pos + count]:
            plan.role = role
        pos += count
    late = [p for p in order if p.role == "late"]
    for plan in late[:max(2, len(late) // 5)]:
        plan.waiver = True


def _member(ctx: Ctx, reg: Registry, *, plan: Plan, phone: str) -> Member:
    rng, today = ctx.rng, ctx.today
    premise = _address(ctx, reg, kind=plan.kind)
    customer, lang = _customer(ctx, reg, kind=plan.kind, phone=phone, premise=premise)
    size = {RES: lambda: rng.choices(("3/4", "5/8", "1"), weights=(75, 17, 8))[0],
            COM: lambda: rng.choices(("1", "1.5", "2"), weights=(40, 35, 25))[0],
            TMP: lambda: "3"}[plan.kind]()
    n = rng.randint(3, 22) if plan.kind == TMP else 24
    spans = period_dates(rng=rng, last_end=today - timedelta(days=rng.randint(1, 30) + 2), n=n)
    first_day = spans[0][0]
    # Construction meters open with their first period; others have years of history.
    opened = first_day if plan.kind == TMP else first_day - timedelta(days=rng.randint(15, 5500))
    installed = opened if plan.kind == TMP else opened - timedelta(days=rng.randint(0, 1500))
    autopay = plan.role == "autopay"
    acct = add_account(
        ctx, customer=customer, premise=premise, number=plan.number, account_type=plan.kind,
        meter_size=size, opened_on=opened, meter_installed_on=installed,
        autopay_enabled=autopay, autopay_last4=f"{rng.randint(0, 9999):04d}" if autopay else None,
        paperless_enabled=plan.paperless, returned_mail=plan.returned_mail,
        shutoff_scheduled_on=today + timedelta(days=rng.randint(5, 10))
        if plan.role == "shutoff" else None)
    periods, leak_recent = _periods(ctx, kind=plan.kind, spans=spans, leak=plan.leak)
    emit_history(ctx, acct=acct, periods=periods, first_reading=rng.randint(100, 9000),
                 pay=_pay_fn(ctx, plan=plan, acct=acct, n=n), waive=_waive_fn(ctx, plan=plan),
                 waiver_by=rng.choice(("bot", "bot", REPS[0])))
    _deposit_and_notes(ctx, plan=plan, acct=acct, opened=opened, lang=lang)
    return Member(plan=plan, acct=acct, phone=phone, lang=lang, premise=premise,
                  leak_recent=leak_recent)


def _deposit_and_notes(ctx: Ctx, *, plan: Plan, acct: AcctRef, opened: date, lang: str) -> None:
    rng, rows, today = ctx.rng, ctx.rows, ctx.today
    amount = to_cents(ctx.district.fees.deposit[plan.kind])
    status = None
    if plan.kind == TMP or (plan.kind == COM and rng.random() < 0.3):
        status = "held"
    elif plan.kind == RES and rng.random() < 0.04:
        status = rng.choice(("held", "refunded"))
    if status:
        reason = ("Refunded after 12 months of on-time payments." if status == "refunded"
                  else "Required at account opening.")
        rows.add(Deposit, account_id=acct.account_id, amount_cents=amount, status=status,
                 reason=reason, created_at=ctx.at(opened, 9, 0))
    if plan.role == "shutoff":
        rows.add(AccountNote, account_id=acct.account_id, author="system",
                 body="Past-due balance: shut-off notice mailed.",
                 created_at=ctx.at(today - timedelta(days=rng.randint(2, 6)), 7, 0))
    if rng.random() < 0.08:
        bodies = [b for b in names.NOTE_BODIES if lang == "es" or "español" not in b]
        for _ in range(rng.randint(1, 2)):
            day = today - timedelta(days=rng.randint(3, 700))
            rows.add(AccountNote, account_id=acct.account_id, author=rng.choice(REPS),
                     body=rng.choice(bodies), created_at=ctx.at(day, rng.randint(8, 16), 10))


def _business_day(ctx: Ctx, *, after: int, within: int) -> date:
    day = ctx.today + timedelta(days=ctx.rng.randint(after, within))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _orders(ctx: Ctx, reg: Registry, *, members: list[Member], spare_phone: str) -> None:
    rng, rows, today = ctx.rng, ctx.rows, ctx.today

    def work(member: Member, kind: str, *, priority: str = "normal", fee: int = 0) -> None:
        p = member.premise
        rows.add(WorkOrder, order_number=f"WO-{200001 + rows.count(WorkOrder)}", kind=kind,
                 priority=priority, status=rng.choice(("open", "open", "dispatched")),
                 account_id=member.acct.account_id, location=f"{p['street']}, {p['city']} CA",
                 zip=p["zip"], description=names.WORK_ORDER_TEXT[kind], fee_cents=fee,
                 contact_phone=member.phone,
                 created_at=ctx.at(today - timedelta(days=rng.randint(1, 6)), 9, 0))

    def service(kind: str, **values: Any) -> None:
        rows.add(ServiceOrder, order_number=f"SO-{100001 + rows.count(ServiceOrder)}", kind=kind,
                 status=rng.choice(("pending", "scheduled")),
                 requested_date=_business_day(ctx, after=3, within=40),
                 created_at=ctx.at(today - timedelta(days=rng.randint(1, 5)), 10, 0), **values)

    for member in members:
        if member.leak_recent:
            work(member, "leak_investigation", priority="high")
    quiet = [m for m in members if not m.plan.leak and m.plan.kind != TMP]
    picks = rng.sample(quiet, min(len(quiet), 6))
    test_fee = to_cents(ctx.district.fees.meter_test_fee)
    for member, kind in zip(picks, ("meter_test", "meter_reread", "water_quality")):
        work(member, kind, fee=test_fee if kind == "meter_test" else 0)
    for member in picks[3:5]:
        service("stop", customer_id=member.acct.customer_id, account_id=member.acct.account_id,
                premise_id=member.acct.premise_id,
                forwarding_address=f"{rng.randint(100, 9999)} Main St, Irvine CA 92618")
    if len(picks) > 5:  # moving within the district: stop here, start at a new premise
        vacant = rows.add(Premise, **_address(ctx, reg, kind=RES))
        member = picks[5]
        service("transfer", customer_id=member.acct.customer_id,
                account_id=member.acct.account_id, premise_id=vacant, account_type=RES)
    first, last, lang = _name(ctx)
    premise = _address(ctx, reg, kind=RES)
    newcomer = rows.add(
        Customer, first_name=first, last_name=last, phone=spare_phone,
        email=_email(reg, local=f"{_slug(first)}.{_slug(last)}"), preferred_language=lang,
        mailing_street=premise["street"], mailing_city=premise["city"],
        mailing_zip=premise["zip"], created_at=ctx.at(today - timedelta(days=1), 9, 0))
    service("start", customer_id=newcomer, premise_id=rows.add(Premise, **premise),
            account_type=RES, deposit_cents=to_cents(ctx.district.fees.deposit[RES]))


def add_population(ctx: Ctx, *, n_accounts: int) -> None:
    rng = ctx.rng
    n_com = round(n_accounts * 0.12)
    n_tmp = max(1, round(n_accounts * 0.03))
    n_res = n_accounts - n_com - n_tmp
    if n_res < 1 or n_accounts + 1 > 10_000 - len(FIXED_PHONE_SUFFIXES):
        raise ValueError(f"n_accounts must be between 2 and 9996, got {n_accounts}")
    plans = ([Plan(RES, str(1000003 + k)) for k in range(n_res)]
             + [Plan(COM, str(2000002 + k)) for k in range(n_com)]
             + [Plan(TMP, str(3000001 + k)) for k in range(n_tmp)])
    _deal_roles(ctx, plans[:n_res + n_com], n=n_accounts)
    for plan in plans:
        plan.paperless = rng.random() < 0.4
    for plan in rng.sample(plans, max(2, round(0.02 * n_accounts))):
        plan.leak = True
    for plan in rng.sample(plans[:n_res], min(2, n_res)):
        plan.returned_mail, plan.paperless = True, False
    pool = [s for s in range(10_000) if s not in FIXED_PHONE_SUFFIXES]
    phones = [f"949555{s:04d}" for s in rng.sample(pool, n_accounts + 1)]
    reg = Registry()
    members = [_member(ctx, reg, plan=plan, phone=phone) for plan, phone in zip(plans, phones)]
    _orders(ctx, reg, members=members, spare_phone=phones[-1])
    add_cashier_days(ctx, members)
