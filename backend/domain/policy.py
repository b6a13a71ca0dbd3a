"""The policy engine: applies the district's written policies to an account's facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from backend.domain.district import District
from backend.domain.i18n import Reason, format_date, format_money
from backend.domain.rates import from_cents, money, to_cents

ACCOUNT_STATUSES: tuple[str, ...] = ("active", "pending_start", "pending_stop", "closed", "shut_off")
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


@dataclass(frozen=True)
class PolicyDecision:
    eligible: bool
    rule: str
    rule_text: Reason
    reasons: tuple[Reason, ...]
    details: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return " ".join(reason.text(lang) for reason in self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "rule": self.rule, "rule_text": self.rule_text.to_dict(),
                "reasons": [r.to_dict() for r in self.reasons], "details": self.details}


def add_months(day: date, months: int) -> date:
    """Same day of month `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    next_first = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (next_first - timedelta(days=1)).day))


def _within(*, day: date, today: date, months: int) -> bool:
    # Exactly `months` ago is outside the window: on the anniversary the limit resets.
    return add_months(today, -months) < day <= today


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


def _months(n: int, lang: str) -> str:
    if lang == "es":
        return "1 mes" if n == 1 else f"{n} meses"
    return "1 month" if n == 1 else f"{n} months"


def _decide(*, rule: str, rule_text: Reason, ok: list[Reason], problems: list[Reason],
            details: dict[str, Any]) -> PolicyDecision:
    if problems:
        return PolicyDecision(eligible=False, rule=rule, rule_text=rule_text,
                              reasons=(*problems, REP_REVIEW), details=details)
    return PolicyDecision(eligible=True, rule=rule, rule_text=rule_text, reasons=tuple(ok),
                          details=details)


def late_fee_waiver(*, district: District, facts: AccountFacts) -> PolicyDecision:
    policy = district.policies.late_fee_waiver
    months, late_months, today = policy.per_months, policy.no_other_late_payments_months, facts.today
    how_many = "one late fee" if policy.max_count == 1 else f"up to {policy.max_count} late fees"
    cuantos = "un recargo" if policy.max_count == 1 else f"hasta {policy.max_count} recargos"
    rule_text = Reason(
        code="late_fee_waiver",
        en=(f"We can waive {how_many} every {_months(months, 'en')} if you have had no other "
            f"late payments in the last {_months(late_months, 'en')}."),
        es=(f"Podemos eximir {cuantos} por pago atrasado cada {_months(months, 'es')} si no ha "
            f"tenido otros pagos atrasados en los últimos {_months(late_months, 'es')}."),
    )
    ok: list[Reason] = []
    problems: list[Reason] = []
    recent = sorted(facts.bills, key=lambda b: b.bill_date)[-RECENT_BILLS_FOR_WAIVER:]
    with_fee = [b for b in recent if b.late_fee > 0]
    fee_bill = with_fee[-1] if with_fee else None
    details: dict[str, Any] = {"amount": Decimal("0.00"), "bill_date": None}
    if fee_bill is None:
        problems.append(Reason(
            code="no_late_fee",
            en="There is no late fee on your recent bills to waive.",
            es="No hay ningún recargo por pago atrasado en sus facturas recientes para eximir."))
    else:
        details = {"amount": money(fee_bill.late_fee), "bill_date": fee_bill.bill_date}
        ok.append(Reason(
            code="late_fee_found",
            en=(f"Your bill dated {format_date(fee_bill.bill_date, 'en')} has a "
                f"{format_money(fee_bill.late_fee)} late fee."),
            es=(f"Su factura del {format_date(fee_bill.bill_date, 'es')} tiene un recargo por "
                f"pago atrasado de {format_money(fee_bill.late_fee)}.")))
    waivers = sorted(d for d, kind in facts.fee_waivers
                     if kind == "late_fee" and _within(day=d, today=today, months=months))
    if len(waivers) >= policy.max_count:
        problems.append(Reason(
            code="recent_waiver",
            en=(f"A late fee was already waived on {format_date(waivers[-1], 'en')}, and we can "
                f"waive {how_many} every {_months(months, 'en')}."),
            es=(f"Ya se le eximió un recargo por pago atrasado el {format_date(waivers[-1], 'es')}, "
                f"y podemos eximir {cuantos} cada {_months(months, 'es')}.")))
    else:
        ok.append(Reason(
            code="no_recent_waiver",
            en=f"You have not had a late fee waived in the last {_months(months, 'en')}.",
            es=(f"No se le ha eximido ningún recargo por pago atrasado en los últimos "
                f"{_months(months, 'es')}.")))
    late = [d for d in facts.all_late_payments if _within(day=d, today=today, months=late_months)]
    # The late payment that caused this fee is the last one before the fee's bill.
    cause = max((d for d in late if fee_bill is None or d <= fee_bill.bill_date), default=None)
    others = [d for d in late if d != cause] if cause else late[:-1]
    if others:
        problems.append(Reason(
            code="other_late_payment",
            en=(f"You had another late payment on {format_date(others[-1], 'en')}, within the "
                f"last {_months(late_months, 'en')}."),
            es=(f"Tuvo otro pago atrasado el {format_date(others[-1], 'es')}, dentro de los "
                f"últimos {_months(late_months, 'es')}.")))
    else:
        ok.append(Reason(
            code="no_other_late_payments",
            en=f"You have had no other late payments in the last {_months(late_months, 'en')}.",
            es=f"No ha tenido otros pagos atrasados en los últimos {_months(late_months, 'es')}."))
    return _decide(rule="late_fee_waiver", rule_text=rule_text, ok=ok, problems=problems,
                   details=details)


def due_date_extension(*, district: District, facts: AccountFacts, days: int) -> PolicyDecision:
    policy = district.policies.due_date_extension
    months, today = policy.per_months, facts.today
    rule_text = Reason(
        code="due_date_extension",
        en=(f"We can extend a due date by up to {policy.max_days} days, once every "
            f"{_months(months, 'en')}, when there is a balance due"
            + (" and service is not shut off." if policy.not_when_shut_off else ".")),
        es=(f"Podemos extender la fecha de vencimiento hasta {policy.max_days} días, una vez cada "
            f"{_months(months, 'es')}, cuando hay un saldo pendiente"
            + (" y el servicio no está suspendido." if policy.not_when_shut_off else ".")),
    )
    ok: list[Reason] = []
    problems: list[Reason] = []
    details: dict[str, Any] = {"days": days, "max_days": policy.max_days,
                               "current_due_date": None, "new_due_date": None}
    if not 1 <= days <= policy.max_days:
        problems.append(Reason(
            code="days_out_of_range",
            en=f"You asked for {days} days; we can extend a due date by 1 to {policy.max_days} days.",
            es=(f"Pidió {days} días; podemos extender la fecha de vencimiento de 1 a "
                f"{policy.max_days} días.")))
    else:
        ok.append(Reason(
            code="days_ok",
            en=f"You asked for {days} more days, within the {policy.max_days}-day limit.",
            es=f"Pidió {days} días más, dentro del límite de {policy.max_days} días."))
    recent = sorted(d for d in facts.extensions if _within(day=d, today=today, months=months))
    if len(recent) >= policy.max_count:
        problems.append(Reason(
            code="recent_extension",
            en=(f"You already had a due date extension on {format_date(recent[-1], 'en')}, and we "
                f"allow {policy.max_count} every {_months(months, 'en')}."),
            es=(f"Ya tuvo una extensión de la fecha de vencimiento el "
                f"{format_date(recent[-1], 'es')}, y permitimos {policy.max_count} cada "
                f"{_months(months, 'es')}.")))
    else:
        ok.append(Reason(
            code="no_recent_extension",
            en=f"You have not had a due date extension in the last {_months(months, 'en')}.",
            es=(f"No ha tenido ninguna extensión de la fecha de vencimiento en los últimos "
                f"{_months(months, 'es')}.")))
    if policy.not_when_shut_off and facts.status == "shut_off":
        problems.append(Reason(
            code="shut_off",
            en="Your service is currently shut off, so we can't extend the due date.",
            es="Su servicio está suspendido, por lo que no podemos extender la fecha de vencimiento."))
    latest = max(facts.bills, key=lambda b: b.bill_date, default=None)
    if facts.balance <= 0:
        problems.append(Reason(
            code="no_balance",
            en="Your account has no balance due, so there is nothing to extend.",
            es="Su cuenta no tiene saldo pendiente, así que no hay nada que extender."))
    elif latest is None:
        problems.append(Reason(
            code="no_bill",
            en="We could not find a bill with a due date to extend.",
            es="No encontramos una factura con fecha de vencimiento para extender."))
    else:
        new_due = latest.due_date + timedelta(days=days)
        details.update(current_due_date=latest.due_date, new_due_date=new_due)
        if new_due < today:
            problems.append(Reason(
                code="extension_already_passed",
                en=(f"Your bill was due on {format_date(latest.due_date, 'en')}; {days} more days "
                    f"would end on {format_date(new_due, 'en')}, which has already passed."),
                es=(f"Su factura venció el {format_date(latest.due_date, 'es')}; {days} días más "
                    f"terminarían el {format_date(new_due, 'es')}, fecha que ya pasó.")))
        else:
            ok.append(Reason(
                code="new_due_date",
                en=(f"Your balance of {format_money(facts.balance)} would be due on "
                    f"{format_date(new_due, 'en')} instead of {format_date(latest.due_date, 'en')}."),
                es=(f"Su saldo de {format_money(facts.balance)} vencería el "
                    f"{format_date(new_due, 'es')} en lugar del {format_date(latest.due_date, 'es')}.")))
    return _decide(rule="due_date_extension", rule_text=rule_text, ok=ok, problems=problems,
                   details=details)


def split_installments(*, amount: Decimal, installments: int) -> tuple[Decimal, ...]:
    """Equal payments to the cent; the leftover cents go on the first payment."""
    if installments < 1:
        raise ValueError("installments must be at least 1")
    cents = to_cents(amount)
    base, remainder = divmod(cents, installments)
    return tuple(from_cents(base + (remainder if i == 0 else 0)) for i in range(installments))


def payment_arrangement(*, district: District, facts: AccountFacts, installments: int) -> PolicyDecision:
    policy = district.policies.payment_arrangement
    limit, months, today = policy.max_past_due, policy.no_broken_arrangement_months, facts.today
    most = policy.max_installments
    rule_text = Reason(
        code="payment_arrangement",
        en=(f"We can split a past-due balance under {format_money(limit)} into "
            f"{MIN_INSTALLMENTS} to {most} monthly payments, if you have no active arrangement "
            f"and have not broken one in the last {_months(months, 'en')}."),
        es=(f"Podemos dividir un saldo vencido menor de {format_money(limit)} en "
            f"{MIN_INSTALLMENTS} a {most} pagos mensuales, si no tiene un acuerdo activo y no ha "
            f"incumplido uno en los últimos {_months(months, 'es')}."),
    )
    ok: list[Reason] = []
    problems: list[Reason] = []
    past_due = money(facts.past_due)
    details: dict[str, Any] = {"past_due": past_due, "installments": installments,
                               "max_installments": most, "max_past_due": limit, "plan": ()}
    if past_due <= 0:
        problems.append(Reason(
            code="no_past_due",
            en="You have no past-due balance, so a payment arrangement isn't needed.",
            es="No tiene saldo vencido, así que no se necesita un acuerdo de pago."))
    elif past_due >= limit:
        problems.append(Reason(
            code="past_due_too_high",
            en=(f"Your past-due balance of {format_money(past_due)} is {format_money(limit)} or "
                "more, above the limit for an arrangement we can set up right away."),
            es=(f"Su saldo vencido de {format_money(past_due)} es de {format_money(limit)} o más, "
                "por encima del límite para un acuerdo que podemos hacer de inmediato.")))
    else:
        ok.append(Reason(
            code="past_due_ok",
            en=f"Your past-due balance of {format_money(past_due)} is under {format_money(limit)}.",
            es=f"Su saldo vencido de {format_money(past_due)} es menor de {format_money(limit)}."))
    if not MIN_INSTALLMENTS <= installments <= most:
        problems.append(Reason(
            code="installments_out_of_range",
            en=f"You asked for {installments} payments; we allow {MIN_INSTALLMENTS} to {most}.",
            es=f"Pidió {installments} pagos; permitimos de {MIN_INSTALLMENTS} a {most}."))
    broken = sorted(a.created_on for a in facts.arrangements
                    if a.status == "broken" and _within(day=a.created_on, today=today, months=months))
    if broken:
        problems.append(Reason(
            code="broken_arrangement",
            en=(f"A payment arrangement made on {format_date(broken[-1], 'en')} was not kept, and "
                f"we can't set up a new one within {_months(months, 'en')} of that."),
            es=(f"No se cumplió un acuerdo de pago hecho el {format_date(broken[-1], 'es')}, y no "
                f"podemos hacer uno nuevo dentro de {_months(months, 'es')}.")))
    active = sorted(a.created_on for a in facts.arrangements if a.status == "active")
    if active:
        problems.append(Reason(
            code="active_arrangement",
            en=f"You already have an active payment arrangement, made on {format_date(active[-1], 'en')}.",
            es=f"Ya tiene un acuerdo de pago activo, hecho el {format_date(active[-1], 'es')}."))
    if not problems:
        amounts = split_installments(amount=past_due, installments=installments)
        plan = tuple({"number": i + 1, "due_date": add_months(today, i + 1), "amount": amount}
                     for i, amount in enumerate(amounts))
        details["plan"] = plan
        listing_en = ", ".join(f"{format_money(p['amount'])} due {format_date(p['due_date'], 'en')}"
                               for p in plan)
        listing_es = ", ".join(f"{format_money(p['amount'])} el {format_date(p['due_date'], 'es')}"
                               for p in plan)
        ok.append(Reason(
            code="plan",
            en=f"Your {installments} monthly payments would be: {listing_en}.",
            es=f"Sus {installments} pagos mensuales serían: {listing_es}."))
    return _decide(rule="payment_arrangement", rule_text=rule_text, ok=ok, problems=problems,
                   details=details)


def deposit_waiver(*, district: District, facts: AccountFacts) -> PolicyDecision:
    needed = district.policies.deposit_waiver.on_time_months
    # The late-payment look-back matches the on-time streak the policy asks for.
    months, today = needed, facts.today
    rule_text = Reason(
        code="deposit_waiver",
        en=(f"We waive the deposit after {_months(needed, 'en')} in a row of on-time payments, "
            f"with no late payments in the last {_months(months, 'en')}."),
        es=(f"Eximimos el depósito después de {_months(needed, 'es')} seguidos de pagos a tiempo, "
            f"sin pagos atrasados en los últimos {_months(months, 'es')}."),
    )
    on_time = facts.effective_on_time_months
    ok: list[Reason] = []
    problems: list[Reason] = []
    details: dict[str, Any] = {"deposit": district.fees.deposit.get(facts.account_type),
                               "on_time_months": on_time, "required_months": needed}
    if on_time >= needed:
        ok.append(Reason(
            code="on_time_history",
            en=f"You have paid on time for {_months(on_time, 'en')} in a row.",
            es=f"Ha pagado a tiempo durante {_months(on_time, 'es')} seguidos."))
    else:
        problems.append(Reason(
            code="not_enough_on_time",
            en=f"You have paid on time for {_months(on_time, 'en')} in a row; we need {needed}.",
            es=f"Ha pagado a tiempo durante {_months(on_time, 'es')} seguidos; se necesitan {needed}."))
    late = [d for d in facts.all_late_payments if _within(day=d, today=today, months=months)]
    if late:
        problems.append(Reason(
            code="late_payment",
            en=(f"You had a late payment on {format_date(late[-1], 'en')}, within the last "
                f"{_months(months, 'en')}."),
            es=(f"Tuvo un pago atrasado el {format_date(late[-1], 'es')}, dentro de los últimos "
                f"{_months(months, 'es')}.")))
    else:
        ok.append(Reason(
            code="no_late_payments",
            en=f"You have had no late payments in the last {_months(months, 'en')}.",
            es=f"No ha tenido pagos atrasados en los últimos {_months(months, 'es')}."))
    return _decide(rule="deposit_waiver", rule_text=rule_text, ok=ok, problems=problems,
                   details=details)
