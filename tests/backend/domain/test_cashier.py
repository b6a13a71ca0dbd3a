"""backend.domain.cashier: totals by channel and method, and each payment against its bill and
balance, on hand-built rows with hand-computed figures."""

from datetime import date

from backend.domain.cashier import (
    AccountNow,
    DayPayment,
    DayRows,
    GroupTotal,
    Line,
    Posting,
    balance_before,
    classify,
    paid_on_bill_before,
    reconcile,
    totals_by,
)

DAY = date(2026, 12, 1)
BEFORE = date(2026, 11, 20)


def pay(id, number, cents, *, bill=None, owner=None, total=None, channel="web", method="card"):
    return DayPayment(id=id, account_number=number, amount_cents=cents, paid_on=DAY,
                      channel=channel, method=method, reference=f"R{id}", bill_id=bill,
                      bill_account_number=owner if bill is not None else None,
                      bill_total_cents=total)


def posting(p: DayPayment) -> Posting:
    return Posting(p.id, p.paid_on, p.amount_cents, p.account_number, p.bill_id)


def test_totals_by_channel_and_method_keep_every_key_in_order():
    by_channel, by_method = totals_by([GroupTotal("web", "card", 2, 5000),
                                       GroupTotal("web", "ach", 1, 700),
                                       GroupTotal("office", "cash", 1, 300)])
    assert by_channel == [Line("web", 3, 5700), Line("phone"), Line("office", 1, 300),
                          Line("mail"), Line("autopay")]
    assert by_method == [Line("card", 2, 5000), Line("ach", 1, 700), Line("autopay"),
                         Line("check"), Line("cash", 1, 300)]


def test_classify_each_rule():
    ok = pay(1, "1000010", 5000, bill=7, owner="1000010", total=8000)
    assert classify(payment=ok, bill_paid_before_cents=0, balance_before_cents=8000) == ("applied", ())
    # Partial, and larger than its bill but within the balance: both normal.
    assert classify(payment=ok, bill_paid_before_cents=2000, balance_before_cents=5000)[0] == "applied"
    big = pay(2, "1000010", 9000, bill=7, owner="1000010", total=8000)
    assert classify(payment=big, bill_paid_before_cents=0, balance_before_cents=12000)[0] == "applied"
    assert classify(payment=pay(3, "1000010", 100), bill_paid_before_cents=0,
                    balance_before_cents=100) == ("unapplied", ("no_bill",))
    other = pay(4, "1000010", 5000, bill=9, owner="1000011", total=5000)
    assert classify(payment=other, bill_paid_before_cents=0,
                    balance_before_cents=5000) == ("mismatched", ("other_account",))
    missing = pay(5, "1000010", 5000, bill=99, owner=None)
    assert classify(payment=missing, bill_paid_before_cents=0,
                    balance_before_cents=5000) == ("mismatched", ("no_such_bill",))
    assert classify(payment=ok, bill_paid_before_cents=8000, balance_before_cents=0) == (
        "mismatched", ("bill_paid", "over_balance"))
    assert classify(payment=ok, bill_paid_before_cents=0, balance_before_cents=4999) == (
        "mismatched", ("over_balance",))


def test_paid_before_and_balance_before_rewind_later_payments_and_charges():
    first = pay(10, "1000010", 3000, bill=7, owner="1000010", total=8000)
    second = pay(11, "1000010", 5000, bill=7, owner="1000010", total=8000)
    earlier = Posting(2, BEFORE, 1000, "1000010", 7)
    stranger = Posting(3, BEFORE, 500, "1000099", 7)  # another account on the same bill
    later = Posting(40, date(2026, 12, 3), 2500, "1000010", 8)
    postings = [earlier, stranger, posting(first), posting(second), later]
    assert paid_on_bill_before(payment=first, postings=postings) == 1500
    assert paid_on_bill_before(payment=second, postings=postings) == 4500
    # Now: owes 1200 after a 900 bill dated after the day; the day's and later payments go back.
    now = AccountNow(balance_cents=1200, later_charges_cents=900)
    assert balance_before(payment=first, now=now, postings=postings) == 1200 + 3000 + 5000 + 2500 - 900
    assert balance_before(payment=second, now=now, postings=postings) == 1200 + 5000 + 2500 - 900


def test_reconcile_a_day():
    a = pay(1, "1000010", 8000, bill=7, owner="1000010", total=8000, channel="web")
    dup = pay(2, "1000010", 8000, bill=7, owner="1000010", total=8000, channel="web",
              method="ach")
    loose = pay(3, "1000020", 4512, channel="mail", method="check")
    cash = pay(4, "1000030", 2000, bill=8, owner="1000030", total=6000, channel="office",
               method="cash")
    rows = DayRows(
        day=DAY, payments=[cash, dup, loose, a],
        groups=[GroupTotal("web", "card", 1, 8000), GroupTotal("web", "ach", 1, 8000),
                GroupTotal("mail", "check", 1, 4512), GroupTotal("office", "cash", 1, 2000)],
        postings=[posting(p) for p in (a, dup, loose, cash)],
        accounts={"1000010": AccountNow(-8000), "1000020": AccountNow(0),
                  "1000030": AccountNow(4000)})
    day = reconcile(rows)
    assert [c.payment.id for c in day.payments] == [1, 2, 3, 4]
    assert [(c.status, c.reasons, c.balance_before_cents, c.bill_paid_before_cents)
            for c in day.payments] == [
        ("applied", (), 8000, 0),
        ("mismatched", ("bill_paid", "over_balance"), 0, 8000),
        ("unapplied", ("no_bill",), 4512, None),
        ("applied", (), 6000, 0)]
    assert day.total == Line("total", 4, 22512) and day.listed == Line("listed", 4, 22512)
    assert day.applied == Line("applied", 2, 10000)
    assert day.unapplied == Line("unapplied", 1, 4512)
    assert day.mismatched == Line("mismatched", 1, 8000)
    assert dict((x.key, x.cents) for x in day.by_channel) == {
        "web": 16000, "phone": 0, "office": 2000, "mail": 4512, "autopay": 0}
    assert day.balanced and day.problems == []
    assert [c.payment.id for c in day.exceptions] == [2, 3]


def test_totals_that_disagree_with_the_list_are_not_balanced():
    a = pay(1, "1000010", 8000)
    rows = DayRows(day=DAY, payments=[a],
                   groups=[GroupTotal("web", "card", 2, 9000)], postings=[posting(a)],
                   accounts={"1000010": AccountNow(0)})
    day = reconcile(rows)
    assert not day.balanced
    assert len(day.problems) == 2 and "channel" in day.problems[0] and "9000" in day.problems[0]
    assert reconcile(DayRows(DAY, [], [], [], {})).balanced  # an empty day balances at zero
