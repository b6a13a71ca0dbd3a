"""The cashier's day: what came in on one district day, by channel and by method, and how each
payment sits against the bill and the balance it was applied to. Plain rows in, figures out.

What a utility cashier calls an exception, and what this module lists:

- **unapplied**: the payment names no bill. The money is on the account but settles nothing
  the cashier can point to (the processor sent it without a bill, or it was keyed without one).
- **mismatched**, with every reason that holds:
  - ``other_account``: the bill it names belongs to another account (a keying error: the money
    is on one account and the bill on another);
  - ``no_such_bill``: the bill it names does not exist;
  - ``bill_paid``: that bill was already paid in full by earlier payments (a payment posted
    twice, or applied to the wrong bill);
  - ``over_balance``: it is more than the account owed just before it, so it leaves a credit
    balance to refund or carry forward.
- **applied**: everything else. A partial payment is applied (the rest is simply still owed),
  and so is one larger than its bill but not larger than the balance: the processor applies
  every payment to the latest bill, and the balance may include an older past-due amount.

The day **balances** when the totals by channel, the totals by method and the sum of the listed
payments are the same count and amount. The totals come from the database's own grouping and
the list from the payment rows, so a payment lost or counted twice between them shows; applied,
unapplied and mismatched add up to the listed total by construction.

The balance before a payment is the ledger's balance now (backend.crud.accounts computes it:
billed + pending charges - payments - credits) with the account's later payments and bills
taken back out; payments on one day are ordered by id, the order they were posted in.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

CHANNELS = ("web", "phone", "office", "mail", "autopay")
METHODS = ("card", "ach", "autopay", "check", "cash")
APPLIED, UNAPPLIED, MISMATCHED = "applied", "unapplied", "mismatched"
REASONS = {
    "no_bill": "Not applied to any bill",
    "other_account": "Applied to another account's bill",
    "no_such_bill": "Applied to a bill that does not exist",
    "bill_paid": "The bill was already paid in full (duplicate or misapplied)",
    "over_balance": "More than the balance due: leaves a credit balance",
}


@dataclass(frozen=True)
class DayPayment:
    """One payment received on the day, with the bill it names (if that bill exists)."""

    id: int
    account_number: str
    amount_cents: int
    paid_on: date
    channel: str
    method: str
    reference: str | None = None
    bill_id: int | None = None
    bill_account_number: str | None = None  # None: no bill named, or no such bill
    bill_total_cents: int | None = None
    late: bool = False


@dataclass(frozen=True)
class Posting:
    """A payment as money on an account and a bill: what the running figures add up."""

    id: int
    paid_on: date
    amount_cents: int
    account_number: str
    bill_id: int | None


@dataclass(frozen=True)
class AccountNow:
    balance_cents: int  # the ledger's balance now
    later_charges_cents: int = 0  # bills and pending charges dated after the day


@dataclass(frozen=True)
class GroupTotal:
    channel: str
    method: str
    count: int
    cents: int


@dataclass(frozen=True)
class DayRows:
    """What the database holds for one day: the payments, the database's totals by channel and
    method, every posting on those bills or on those accounts since the day, and each
    paying account's balance now."""

    day: date
    payments: Sequence[DayPayment]
    groups: Sequence[GroupTotal]
    postings: Sequence[Posting]
    accounts: dict[str, AccountNow]


@dataclass(frozen=True)
class Line:
    key: str
    count: int = 0
    cents: int = 0


@dataclass(frozen=True)
class Checked:
    payment: DayPayment
    status: str
    reasons: tuple[str, ...]
    balance_before_cents: int
    bill_paid_before_cents: int | None  # None when no (existing) bill is named


@dataclass(frozen=True)
class CashierDay:
    day: date
    by_channel: list[Line]
    by_method: list[Line]
    total: Line
    listed: Line
    applied: Line
    unapplied: Line
    mismatched: Line
    payments: list[Checked]
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.problems

    @property
    def exceptions(self) -> list[Checked]:
        return [c for c in self.payments if c.status != APPLIED]


def _key(item: DayPayment | Posting) -> tuple[date, int]:
    return item.paid_on, item.id


def _lines(*, keys: Sequence[str], pairs: Iterable[tuple[str, int, int]]) -> list[Line]:
    """Totals per key in `keys` order (zeros included), then any unknown key, sorted."""
    count: dict[str, int] = defaultdict(int)
    cents: dict[str, int] = defaultdict(int)
    for key, n, amount in pairs:
        count[key] += n
        cents[key] += amount
    order = list(keys) + sorted(set(count) - set(keys))
    return [Line(k, count[k], cents[k]) for k in order]


def _sum(*, key: str, lines: Iterable[Line]) -> Line:
    lines = list(lines)
    return Line(key, sum(x.count for x in lines), sum(x.cents for x in lines))


def totals_by(groups: Sequence[GroupTotal]) -> tuple[list[Line], list[Line]]:
    """(by channel, by method) from the database's (channel, method) groups."""
    return (_lines(keys=CHANNELS, pairs=((g.channel, g.count, g.cents) for g in groups)),
            _lines(keys=METHODS, pairs=((g.method, g.count, g.cents) for g in groups)))


def paid_on_bill_before(*, payment: DayPayment, postings: Iterable[Posting]) -> int:
    """What earlier payments (any account) put on the bill this payment names."""
    return sum(p.amount_cents for p in postings
               if p.bill_id == payment.bill_id and _key(p) < _key(payment))


def balance_before(*, payment: DayPayment, now: AccountNow,
                   postings: Iterable[Posting]) -> int:
    """The account's balance just before the payment: the balance now, with this payment and
    every later one added back and what was charged after the day taken out."""
    since = sum(p.amount_cents for p in postings
                if p.account_number == payment.account_number and _key(p) >= _key(payment))
    return now.balance_cents + since - now.later_charges_cents


def classify(*, payment: DayPayment, bill_paid_before_cents: int,
             balance_before_cents: int) -> tuple[str, tuple[str, ...]]:
    """The payment's status and the reasons for it (see the module docstring)."""
    if payment.bill_id is None:
        return UNAPPLIED, ("no_bill",)
    reasons = []
    if payment.bill_account_number is None:
        reasons.append("no_such_bill")
    elif payment.bill_account_number != payment.account_number:
        reasons.append("other_account")
    if (payment.bill_total_cents is not None
            and bill_paid_before_cents >= payment.bill_total_cents):
        reasons.append("bill_paid")
    if payment.amount_cents > balance_before_cents:
        reasons.append("over_balance")
    return (MISMATCHED, tuple(reasons)) if reasons else (APPLIED, ())


def check(*, payment: DayPayment, rows: DayRows) -> Checked:
    now = rows.accounts.get(payment.account_number, AccountNow(0))
    before = balance_before(payment=payment, now=now, postings=rows.postings)
    named = payment.bill_id is not None and payment.bill_account_number is not None
    on_bill = paid_on_bill_before(payment=payment, postings=rows.postings) if named else 0
    status, reasons = classify(payment=payment, bill_paid_before_cents=on_bill,
                               balance_before_cents=before)
    return Checked(payment, status, reasons, before, on_bill if named else None)


def _problems(*, by_channel: list[Line], by_method: list[Line], listed: Line) -> list[str]:
    out = []
    for name, line in (("channel", _sum(key="channel", lines=by_channel)),
                       ("method", _sum(key="method", lines=by_method))):
        if (line.count, line.cents) != (listed.count, listed.cents):
            out.append(f"The totals by {name} ({line.count} payments, {line.cents} cents) differ "
                       f"from the listed payments ({listed.count}, {listed.cents} cents)")
    return out


def reconcile(rows: DayRows) -> CashierDay:
    """The day's totals, each payment checked, and whether the figures agree."""
    by_channel, by_method = totals_by(rows.groups)
    checked = [check(payment=p, rows=rows) for p in sorted(rows.payments, key=_key)]
    listed = _sum(key="listed", lines=(Line("", 1, c.payment.amount_cents) for c in checked))

    def status_line(status: str) -> Line:
        return _sum(key=status, lines=(Line("", 1, c.payment.amount_cents)
                             for c in checked if c.status == status))

    return CashierDay(
        day=rows.day, by_channel=by_channel, by_method=by_method,
        total=_sum(key="total", lines=by_channel), listed=listed, applied=status_line(APPLIED),
        unapplied=status_line(UNAPPLIED), mismatched=status_line(MISMATCHED), payments=checked,
        problems=_problems(by_channel=by_channel, by_method=by_method, listed=listed))
