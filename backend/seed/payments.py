"""How seeded payments came in: each one's channel and processor reference, and a few recent
payments that give the cashier's day something to reconcile.

Every choice here draws from its own random.Random, seeded from the seed and the payment's id
or account number, never from ctx.rng: a draw from the shared generator would shift every value
seeded after it (names, bills, roles) and the fixed accounts the docs and tests rely on.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from backend.models import Bill, Payment

if TYPE_CHECKING:
    from backend.seed.population import Member
    from backend.seed.generator import Ctx

# Where a payment by each method comes in, with weights.
CHANNELS: dict[str, tuple[tuple[str, int], ...]] = {
    "autopay": (("autopay", 1),),
    "card": (("web", 7), ("phone", 2), ("office", 1)),
    "ach": (("web", 1),),
    "check": (("mail", 4), ("office", 1)),
    "cash": (("office", 1),),
}
PREFIX = {"card": "CRD", "ach": "ACH", "autopay": "AUT", "check": "CHK", "cash": "CSH"}
CASH_SHARE = 0.15  # of a check payer's payments, brought to the office in cash instead


def _rng(ctx: Ctx, *key: object) -> random.Random:
    # A string seed is hashed with SHA-512: the same on every run and interpreter.
    return random.Random(":".join(str(k) for k in (ctx.seed, *key)))


def _office_open(day: date) -> bool:
    return day.weekday() < 5


def received(ctx: Ctx, *, payment_id: int, method: str, paid_on: date,
             channel: str | None = None) -> dict[str, Any]:
    """The method, channel and processor reference of the seeded payment with this id (nobody
    pays at the office on a weekend). The reference carries the id, so it is unique, and never
    a card-length run of digits."""
    rng = _rng(ctx, "payment", payment_id)
    options = [o for o in CHANNELS[method] if o[0] != "office" or _office_open(paid_on)]
    if channel is None:
        channel = rng.choices([c for c, _ in options], weights=[w for _, w in options])[0]
    reference = f"{PREFIX[method]}-{payment_id:07d}-{rng.getrandbits(20):05X}"
    return dict(method=method, channel=channel, reference=reference)


def cash_or(ctx: Ctx, *, number: str, index: int, method: str, paid_on: date) -> str:
    """Some check payers bring cash to the office instead, on a day it is open."""
    if method != "check" or not _office_open(paid_on):
        return method
    return "cash" if _rng(ctx, "cash", number, index).random() < CASH_SHARE else method


def _latest(ctx: Ctx) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
    """Each account's latest bill row, and what has been paid on each bill."""
    latest: dict[int, dict[str, Any]] = {}
    for bill in ctx.rows.data[Bill]:
        if bill["account_id"] not in latest or bill["bill_date"] >= latest[bill["account_id"]][
                "bill_date"]:
            latest[bill["account_id"]] = bill
    paid: dict[int, int] = {}
    for p in ctx.rows.data[Payment]:
        if p["bill_id"] is not None:
            paid[p["bill_id"]] = paid.get(p["bill_id"], 0) + p["amount_cents"]
    return latest, paid


def _open_days(ctx: Ctx, n: int) -> list[date]:
    """The last n weekdays before today, newest first."""
    days, day = [], ctx.today
    while len(days) < n:
        day -= timedelta(days=1)
        if _office_open(day):
            days.append(day)
    return days


def add_cashier_days(ctx: Ctx, members: list[Member]) -> None:
    """A few payments on the last three office days before today on quiet population accounts
    (on time, residential, no leak, waiver, arrangement or autopay): office cash and card that
    pay the latest bill, and one each of the exceptions the cashier's day lists (unapplied,
    applied to another account's bill, a bill paid twice, an overpayment). Fewer when there are
    too few quiet accounts."""
    latest, paid = _latest(ctx)
    quiet = [m for m in members if m.plan.role == "ontime" and m.plan.kind == "residential"
             and not (m.plan.leak or m.plan.waiver or m.plan.returned_mail)]
    day1, day2, day3 = _open_days(ctx, 3)
    unpaid = [m for m in quiet if paid.get(latest[m.acct.account_id]["id"], 0) == 0
              and latest[m.acct.account_id]["bill_date"] < day3]
    settled = [m for m in quiet if paid.get(latest[m.acct.account_id]["id"], 0)
               == latest[m.acct.account_id]["total_cents"]]
    rng = _rng(ctx, "cashier-day")
    rng.shuffle(unpaid)
    rng.shuffle(settled)

    def bill_of(member: Member) -> dict[str, Any]:
        return latest[member.acct.account_id]

    def pay(member: Member, paid_on: date, method: str, channel: str, *,
            bill: dict[str, Any] | None, amount: int | None = None) -> None:
        due = (bill or bill_of(member))["due_date"]
        ctx.rows.add(Payment, account_id=member.acct.account_id,
                     bill_id=bill["id"] if bill else None,
                     amount_cents=bill_of(member)["total_cents"] if amount is None else amount,
                     paid_on=paid_on, late=paid_on > due,
                     **received(ctx, payment_id=ctx.rows.count(Payment) + 1, method=method,
                                paid_on=paid_on, channel=channel))

    # Applied as they should be: cash and a card at the counter.
    for paid_on, method in ((day1, "cash"), (day2, "card")):
        if unpaid:
            m = unpaid.pop()
            pay(m, paid_on, method, "office", bill=bill_of(m))
    if unpaid:  # a mailed check keyed without its bill: unapplied
        pay(unpaid.pop(), day1, "check", "mail", bill=None)
    if len(unpaid) >= 2:  # a phone payment keyed to another customer's bill
        m, other = unpaid.pop(), unpaid.pop()
        pay(m, day1, "card", "phone", bill=bill_of(other))
    if settled:  # the bank sent the same bill's payment twice
        m = settled.pop()
        pay(m, day1, "ach", "web", bill=bill_of(m))
    if unpaid:  # cash rounded up well past the bill: a credit balance
        m = unpaid.pop()
        pay(m, day3, "cash", "office", bill=bill_of(m),
            amount=(bill_of(m)["total_cents"] // 5000 + 2) * 5000)
