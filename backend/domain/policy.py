"""The policy engine: applies the district's written policies to an account's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from backend.domain.district import District
from backend.domain.i18n import Reason, format_date, format_money
from backend.domain.rates import from_cents, money, to_cents

ACCOUNT_STATUSES: tuple[str, ...] = (
    "active",
    "pending_start",
    "pending_stop",
    "closed",
    "shut_off",
)
ARRANGEMENT_STATUSES: tuple[str, ...] = ("active", "completed", "broken", "cancelled")
MIN_INSTALLMENTS = 2
# A late fee shows up on the bill after the late payment, so look at the last two bills.
RECENT_BILLS_FOR_WAIVER = 2

REP_REVIEW = Reason(
    code="representative_review",
    en="A customer service representative can review your request.",
    es="Un representante de servicio al cliente puede revisar su solicitud.",
)


@dataclass(frozen=True)
class BillFact:
    bill_date: date
    due_date: date
    total: Decimal
    late_fee: Decimal = Decimal("0.00")
    paid_in_full_on: date | None = None


class FeeWaiverFact(NamedTuple):
    granted_on: date
    fee_kind: str  # e.g. "late_fee"


@dataclass(frozen=True)
class ArrangementFact:
    created_on: date
    status: str  # active / completed / broken / cancelled

    def __post_init__(self) -> None:
        if self.status not in ARRANGEMENT_STATUSES:
            raise ValueError(f"unknown arrangement status {self.status!r}")


@dataclass(frozen=True)
class AccountFacts:
    account_type: str
    status: str
    today: date
    balance: Decimal
    past_due: Decimal
    bills: tuple[BillFact, ...] = ()
    late_payments: tuple[date, ...] = ()  # payments made after their bill's due date
    fee_waivers: tuple[tuple[date, str], ...] = ()  # (granted_on, fee_kind)
    extensions: tuple[date, ...] = ()  # when due date extensions were granted
    arrangements: tuple[ArrangementFact, ...] = ()
    on_time_months: int | None = None  # None: counted from bills

    def __post_init__(self) -> None:
        if self.status not in ACCOUNT_STATUSES:
            raise ValueError(f"unknown account status {self.status!r}")
        # Callers often have lists; keep the facts immutable and hashable-ish.
        for name in ("bills", "late_payments", "fee_waivers", "extensions", "arrangements"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def all_late_payments(self) -> tuple[date, ...]:
        """Late payments given by the caller plus those visible on the bills."""
        return tuple(sorted(set(self.late_payments) | set(late_payment_dates(self.bills))))

    @property
    def effective_on_time_months(self) -> int:
        if self.on_time_months is not None:
            return self.on_time_months
        return count_on_time_months(bills=self.bills, today=self.today)


# Reasons that mean the request has no object, so no representative could grant it either.
NOTHING_TO_GRANT = frozenset({"no_late_fee", "no_balance", "no_bill", "no_past_due"})


@dataclass(frozen=True)
class PolicyDecision:
    eligible: bool
    rule: str
    rule_text: Reason
    reasons: tuple[Reason, ...]
    details: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return " ".join(reason.text(lang) for reason in self.reasons)

    @property
    def nothing_reasons(self) -> tuple[Reason, ...]:
        """The reasons that say there is nothing to act on (no fee, nothing owed)."""
        return tuple(r for r in self.reasons if r.code in NOTHING_TO_GRANT)

    @property
    def nothing_to_grant(self) -> bool:
        """Refused because there is nothing to act on: no review needed."""
        return not self.eligible and bool(self.nothing_reasons)

    def to_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "rule": self.rule,
                "rule_text": self.rule_text.to_dict(),
                "reasons": [r.to_dict() for r in self.reasons], "details": self.details}


def add_months(*, day: date, months: int) -> date:
    """Same day of month `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    next_first = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (next_first - timedelta(days=1)).day))


def _within(*, day: date, today: date, months: int) -> bool:
    # Exactly `months` ago is outside the window: on the anniversary the limit resets.
    return add_months(day=today, months=-months) < day <= today


def late_payment_dates(bills: tuple[BillFact, ...]) -> tuple[date, ...]:
    """Dates of payments in full made after the bill's due date, oldest first."""
    return tuple(sorted(b.paid_in_full_on for b in bills
                        if b.paid_in_full_on is not None and b.paid_in_full_on > b.due_date))


def count_on_time_months(*, bills: tuple[BillFact, ...], today: date) -> int:
    """Consecutive most recent monthly bills paid in full by their due date."""
    count = 0
    for bill in sorted(bills, key=lambda b: b.bill_date, reverse=True):
        paid = bill.paid_in_full_on
        if paid is None and bill.due_date >= today:
            continue  # not due yet: neither breaks nor extends the streak
        if paid is None or paid > bill.due_date:
            break
        count += 1
    return count


# Every customer-facing sentence, in one table so wording and translation can be reviewed
# together. Placeholders: dates and amounts are localized, "*months" become "12 months".
_TEXTS: dict[str, tuple[str, str]] = {
    "late_fee_waiver": (
        ("We can waive {how_many} every {months} if you have had no other late payments in the "
         "last {late_months}."),
        ("Podemos eximir {how_many} por pago atrasado cada {months} si no ha tenido otros pagos "
         "atrasados en los últimos {late_months}.")),
    "late_fee_found": (
        "Your bill dated {bill_date} has a {amount} late fee.",
        "Su factura del {bill_date} tiene un recargo por pago atrasado de {amount}."),
    "no_late_fee": (
        "There is no late fee on your recent bills to waive.",
        "No hay ningún recargo por pago atrasado en sus facturas recientes para eximir."),
    "recent_waiver": (
        "A late fee was already waived on {when}, and we can waive {how_many} every {months}.",
        ("Ya se le eximió un recargo por pago atrasado el {when}, y podemos eximir {how_many} "
         "cada {months}.")),
    "no_recent_waiver": (
        "You have not had a late fee waived in the last {months}.",
        "No se le ha eximido ningún recargo por pago atrasado en los últimos {months}."),
    "other_late_payment": (
        "You had another late payment on {when}, within the last {months}.",
        "Tuvo otro pago atrasado el {when}, dentro de los últimos {months}."),
    "no_other_late_payments": (
        "You have had no other late payments in the last {months}.",
        "No ha tenido otros pagos atrasados en los últimos {months}."),
    "due_date_extension": (
        ("We can extend a due date by up to {max_days} days, once every {months}, when there is a "
         "balance due{shut_off}."),
        ("Podemos extender la fecha de vencimiento hasta {max_days} días, una vez cada {months}, "
         "cuando hay un saldo pendiente{shut_off}.")),
    "days_out_of_range": (
        "You asked for {days} days; we can extend a due date by 1 to {max_days} days.",
        "Pidió {days} días; podemos extender la fecha de vencimiento de 1 a {max_days} días."),
    "days_ok": (
        "You asked for {days} more days, within the {max_days}-day limit.",
        "Pidió {days} días más, dentro del límite de {max_days} días."),
    "recent_extension": (
        "You already had a due date extension on {when}, and we allow {count} every {months}.",
        ("Ya tuvo una extensión de la fecha de vencimiento el {when}, y permitimos {count} cada "
         "{months}.")),
    "no_recent_extension": (
        "You have not had a due date extension in the last {months}.",
        "No ha tenido ninguna extensión de la fecha de vencimiento en los últimos {months}."),
    "shut_off": (
        "Your service is currently shut off, so we can't extend the due date.",
        "Su servicio está suspendido, por lo que no podemos extender la fecha de vencimiento."),
    "no_balance": (
        "Your account has no balance due, so there is nothing to extend.",
        "Su cuenta no tiene saldo pendiente, así que no hay nada que extender."),
    "no_bill": (
        "We could not find a bill with a due date to extend.",
        "No encontramos una factura con fecha de vencimiento para extender."),
    "extension_already_passed": (
        ("Your bill was due on {due}; {days} more days would end on {new_due}, which has already "
         "passed."),
        ("Su factura venció el {due}; {days} días más terminarían el {new_due}, fecha que ya "
         "pasó.")),
    "new_due_date": (
        "Your balance of {balance} would be due on {new_due} instead of {due}.",
        "Su saldo de {balance} vencería el {new_due} en lugar del {due}."),
    "payment_arrangement": (
        ("We can split a past-due balance under {limit} into {least} to {most} monthly payments, "
         "if you have no active arrangement and have not broken one in the last {months}."),
        ("Podemos dividir un saldo vencido menor de {limit} en {least} a {most} pagos mensuales, "
         "si no tiene un acuerdo activo y no ha incumplido uno en los últimos {months}.")),
    "no_past_due": (
        "You have no past-due balance, so a payment arrangement isn't needed.",
        "No tiene saldo vencido, así que no se necesita un acuerdo de pago."),
    "past_due_too_high": (
        ("Your past-due balance of {past_due} is {limit} or more, above the limit for an "
         "arrangement we can set up right away."),
        ("Su saldo vencido de {past_due} es de {limit} o más, por encima del límite para un "
         "acuerdo que podemos hacer de inmediato.")),
    "past_due_ok": (
        "Your past-due balance of {past_due} is under {limit}.",
        "Su saldo vencido de {past_due} es menor de {limit}."),
    "installments_out_of_range": (
        "You asked for {installments} payments; we allow {least} to {most}.",
        "Pidió {installments} pagos; permitimos de {least} a {most}."),
    "broken_arrangement": (
        ("A payment arrangement made on {when} was not kept, and we can't set up a new one within "
         "{months} of that."),
        ("No se cumplió un acuerdo de pago hecho el {when}, y no podemos hacer uno nuevo dentro "
         "de {months}.")),
    "active_arrangement": (
        "You already have an active payment arrangement, made on {when}.",
        "Ya tiene un acuerdo de pago activo, hecho el {when}."),
    "plan": (
        "Your {installments} monthly payments would be: {listing}.",
        "Sus {installments} pagos mensuales serían: {listing}."),
    "deposit_waiver": (
        ("We waive the deposit after {needed_months} in a row of on-time payments, with no late "
         "payments in the last {months}."),
        ("Eximimos el depósito después de {needed_months} seguidos de pagos a tiempo, sin pagos "
         "atrasados en los últimos {months}.")),
    "on_time_history": (
        "You have paid on time for {on_time_months} in a row.",
        "Ha pagado a tiempo durante {on_time_months} seguidos."),
    "not_enough_on_time": (
        "You have paid on time for {on_time_months} in a row; we need {needed}.",
        "Ha pagado a tiempo durante {on_time_months} seguidos; se necesitan {needed}."),
    "late_payment": (
        "You had a late payment on {when}, within the last {months}.",
        "Tuvo un pago atrasado el {when}, dentro de los últimos {months}."),
    "no_late_payments": (
        "You have had no late payments in the last {months}.",
        "No ha tenido pagos atrasados en los últimos {months}."),
}


def _months(*, n: int, lang: str) -> str:
    if lang == "es":
        return "1 mes" if n == 1 else f"{n} meses"
    return "1 month" if n == 1 else f"{n} months"


def _localize(*, value: object, key: str, lang: str) -> str:
    if isinstance(value, tuple):  # (en, es) chosen by the caller
        return str(value[1] if lang == "es" else value[0])
    if isinstance(value, date):
        return format_date(day=value, lang=lang)
    if isinstance(value, Decimal):
        return format_money(value)
    if key.endswith("months") and isinstance(value, int):
        return _months(n=value, lang=lang)
    return str(value)


def _say(*, code: str, **values: object) -> Reason:
    en, es = _TEXTS[code]
    return Reason(
        code=code,
        en=en.format(**{k: _localize(value=v, key=k, lang="en") for k, v in values.items()}),
        es=es.format(**{k: _localize(value=v, key=k, lang="es") for k, v in values.items()}),
    )


def _decide(*, rule: Reason, ok: list[Reason], problems: list[Reason],
            details: dict[str, Any]) -> PolicyDecision:
    reasons = (*problems, REP_REVIEW) if problems else tuple(ok)
    return PolicyDecision(eligible=not problems, rule=rule.code, rule_text=rule, reasons=reasons,
                          details=details)


def late_fee_waiver(*, district: District, facts: AccountFacts) -> PolicyDecision:
    policy = district.policies.late_fee_waiver
    months, today = policy.per_months, facts.today
    late_months = policy.no_other_late_payments_months
    count = policy.max_count
    how_many = (("one late fee", "un recargo") if count == 1
                else (f"up to {count} late fees", f"hasta {count} recargos"))
    rule = _say(code="late_fee_waiver", how_many=how_many, months=months, late_months=late_months)
    ok: list[Reason] = []
    problems: list[Reason] = []
    recent = sorted(facts.bills, key=lambda b: b.bill_date)[-RECENT_BILLS_FOR_WAIVER:]
    fee_bill = next((b for b in reversed(recent) if b.late_fee > 0), None)
    details: dict[str, Any] = {"amount": Decimal("0.00"), "bill_date": None}
    if fee_bill is None:
        problems.append(_say(code="no_late_fee"))
    else:
        details = {"amount": money(fee_bill.late_fee), "bill_date": fee_bill.bill_date}
        ok.append(_say(code="late_fee_found", bill_date=fee_bill.bill_date,
                       amount=fee_bill.late_fee))
    waivers = sorted(d for d, kind in facts.fee_waivers
                     if kind == "late_fee" and _within(day=d, today=today, months=months))
    if len(waivers) >= count:
        problems.append(_say(code="recent_waiver", when=waivers[-1], how_many=how_many,
                             months=months))
    else:
        ok.append(_say(code="no_recent_waiver", months=months))
    late = [d for d in facts.all_late_payments if _within(day=d, today=today, months=late_months)]
    # The late payment that caused this fee is the last one before the fee's bill.
    cause = max((d for d in late if fee_bill is None or d <= fee_bill.bill_date), default=None)
    others = [d for d in late if d != cause] if cause else late[:-1]
    if others:
        problems.append(_say(code="other_late_payment", when=others[-1], months=late_months))
    else:
        ok.append(_say(code="no_other_late_payments", months=late_months))
    return _decide(rule=rule, ok=ok, problems=problems, details=details)


def due_date_extension(*, district: District, facts: AccountFacts, days: int) -> PolicyDecision:
    policy = district.policies.due_date_extension
    months, max_days, today = policy.per_months, policy.max_days, facts.today
    shut_off = (" and service is not shut off", " y el servicio no está suspendido")
    rule = _say(code="due_date_extension", max_days=max_days, months=months,
                shut_off=shut_off if policy.not_when_shut_off else ("", ""))
    ok: list[Reason] = []
    problems: list[Reason] = []
    details: dict[str, Any] = {"days": days, "max_days": max_days,
                               "current_due_date": None, "new_due_date": None}
    in_range = 1 <= days <= max_days
    code = "days_ok" if in_range else "days_out_of_range"
    (ok if in_range else problems).append(_say(code=code, days=days, max_days=max_days))
    recent = sorted(d for d in facts.extensions if _within(day=d, today=today, months=months))
    if len(recent) >= policy.max_count:
        problems.append(_say(code="recent_extension", when=recent[-1], count=policy.max_count,
                             months=months))
    else:
        ok.append(_say(code="no_recent_extension", months=months))
    if policy.not_when_shut_off and facts.status == "shut_off":
        problems.append(_say(code="shut_off"))
    latest = max(facts.bills, key=lambda b: b.bill_date, default=None)
    if facts.balance <= 0:
        problems.append(_say(code="no_balance"))
    elif latest is None:
        problems.append(_say(code="no_bill"))
    else:
        new_due = latest.due_date + timedelta(days=days)
        details.update(current_due_date=latest.due_date, new_due_date=new_due)
        if new_due < today:
            problems.append(_say(code="extension_already_passed", due=latest.due_date,
                                 days=days, new_due=new_due))
        else:
            ok.append(_say(code="new_due_date", balance=money(facts.balance), new_due=new_due,
                           due=latest.due_date))
    return _decide(rule=rule, ok=ok, problems=problems, details=details)


def split_installments(*, amount: Decimal, installments: int) -> tuple[Decimal, ...]:
    """Equal payments to the cent; the leftover cents go on the first payment."""
    if installments < 1:
        raise ValueError("installments must be at least 1")
    base, remainder = divmod(to_cents(amount), installments)
    return tuple(from_cents(base + (remainder if i == 0 else 0)) for i in range(installments))


def payment_arrangement(*, district: District, facts: AccountFacts,
                        installments: int) -> PolicyDecision:
    policy = district.policies.payment_arrangement
    limit, months, today = policy.max_past_due, policy.no_broken_arrangement_months, facts.today
    least, most = MIN_INSTALLMENTS, policy.max_installments
    rule = _say(code="payment_arrangement", limit=limit, least=least, most=most, months=months)
    ok: list[Reason] = []
    problems: list[Reason] = []
    past_due = money(facts.past_due)
    details: dict[str, Any] = {"past_due": past_due, "installments": installments,
                               "max_installments": most, "max_past_due": limit, "plan": ()}
    if past_due <= 0:
        problems.append(_say(code="no_past_due"))
    elif past_due >= limit:
        problems.append(_say(code="past_due_too_high", past_due=past_due, limit=limit))
    else:
        ok.append(_say(code="past_due_ok", past_due=past_due, limit=limit))
    if not least <= installments <= most:
        problems.append(_say(code="installments_out_of_range", installments=installments,
                             least=least, most=most))
    broken = sorted(a.created_on for a in facts.arrangements if a.status == "broken"
                    and _within(day=a.created_on, today=today, months=months))
    if broken:
        problems.append(_say(code="broken_arrangement", when=broken[-1], months=months))
    active = sorted(a.created_on for a in facts.arrangements if a.status == "active")
    if active:
        problems.append(_say(code="active_arrangement", when=active[-1]))
    if not problems:
        amounts = split_installments(amount=past_due, installments=installments)
        plan = tuple(
            {"number": i + 1, "due_date": add_months(day=today, months=i + 1), "amount": amount}
            for i, amount in enumerate(amounts)
        )
        details["plan"] = plan
        listing = tuple(", ".join(f"{format_money(p['amount'])} {word} "
                                  f"{format_date(day=p['due_date'], lang=lang)}" for p in plan)
                        for lang, word in (("en", "due"), ("es", "el")))
        ok.append(_say(code="plan", installments=installments, listing=listing))
    return _decide(rule=rule, ok=ok, problems=problems, details=details)


def deposit_waiver(*, district: District, facts: AccountFacts) -> PolicyDecision:
    needed = district.policies.deposit_waiver.on_time_months
    # The late-payment look-back matches the on-time streak the policy asks for.
    months, today = needed, facts.today
    rule = _say(code="deposit_waiver", needed_months=needed, months=months)
    on_time = facts.effective_on_time_months
    ok: list[Reason] = []
    problems: list[Reason] = []
    details: dict[str, Any] = {"deposit": district.fees.deposit.get(facts.account_type),
                               "on_time_months": on_time, "required_months": needed}
    if on_time >= needed:
        ok.append(_say(code="on_time_history", on_time_months=on_time))
    else:
        problems.append(_say(code="not_enough_on_time", on_time_months=on_time, needed=needed))
    late = [d for d in facts.all_late_payments if _within(day=d, today=today, months=months)]
    if late:
        problems.append(_say(code="late_payment", when=late[-1], months=months))
    else:
        ok.append(_say(code="no_late_payments", months=months))
    return _decide(rule=rule, ok=ok, problems=problems, details=details)
