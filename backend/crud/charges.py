"""Fees charged to an account, and which of them can still be waived.

A waiver credits exactly the fee that was charged, once: a pending charge (meter test,
reconnection, new-service deposit) by its id, a held deposit by its id, a fee printed on a bill
by that bill. The unique FeeAdjustment.charge_id and deposit_id make "once" hold under races too.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from backend.crud.accounts import CREDITING
from backend.domain.i18n import Reason
from backend.models import Account, Bill, BillLine, Deposit, FeeAdjustment, PendingCharge
from backend.models.common import ChargeStatus, DepositStatus, FeeKind, LineKind

# What each fee is called, for the customer and the rep.
FEE_LABELS: dict[str, tuple[str, str]] = {
    FeeKind.late_fee: ("late fee", "recargo por pago atrasado"),
    FeeKind.reconnection_fee: ("reconnection fee", "cargo de reconexión"),
    FeeKind.deposit: ("deposit", "depósito"),
    FeeKind.meter_test_fee: ("meter test fee", "cargo por prueba del medidor"),
}


def fee_label(fee_kind: str, lang: str = "en") -> str:
    en, es = FEE_LABELS.get(fee_kind, (fee_kind.replace("_", " "), fee_kind.replace("_", " ")))
    return es if lang == "es" else en


@dataclass(frozen=True)
class Waivable:
    """One fee that was charged and not yet waived: what a waiver would credit."""
    fee_kind: str
    amount_cents: int
    charge_id: int | None = None
    deposit_id: int | None = None
    bill_id: int | None = None

    @property
    def names_a_fee(self) -> bool:
        """False for a request recorded before requests named the charge they waive."""
        return not (self.charge_id is None and self.deposit_id is None and self.bill_id is None)

    @property
    def target(self) -> str:
        """What is waived, as one key: two requests for the same fee are one request."""
        if self.charge_id is not None:
            return f"charge:{self.charge_id}"
        if self.deposit_id is not None:
            return f"deposit:{self.deposit_id}"
        return f"bill:{self.bill_id}:{self.fee_kind}"

    def to_request(self) -> dict[str, Any]:
        return {"fee_kind": str(self.fee_kind), "amount_cents": self.amount_cents,
                "charge_id": self.charge_id, "deposit_id": self.deposit_id,
                "bill_id": self.bill_id, "target": self.target}

    @classmethod
    def from_request(cls, request: dict[str, Any]) -> "Waivable":
        return cls(fee_kind=request["fee_kind"], amount_cents=int(request["amount_cents"]),
                   charge_id=request.get("charge_id"), deposit_id=request.get("deposit_id"),
                   bill_id=request.get("bill_id"))


def add_charge(*, session: Session, account_id: int, fee_kind: FeeKind, amount_cents: int,
               description: str, source: str | None, today: date) -> PendingCharge:
    """A fee charged now: in the balance at once, printed on the next bill."""
    charge = PendingCharge(account_id=account_id, fee_kind=fee_kind, amount_cents=amount_cents,
                           description=description, source=source, created_on=today)
    session.add(charge)
    session.flush()
    return charge


def _credited_charges(session: Session, account_id: int) -> set[int]:
    return {c for c in session.exec(select(FeeAdjustment.charge_id).where(
        FeeAdjustment.account_id == account_id, col(FeeAdjustment.charge_id).is_not(None)))}


def _newest_charge(session: Session, account_id: int, fee_kind: FeeKind) -> PendingCharge | None:
    credited = _credited_charges(session, account_id)
    charges = session.exec(select(PendingCharge).where(
        PendingCharge.account_id == account_id, PendingCharge.fee_kind == fee_kind)
        .order_by(col(PendingCharge.created_at).desc(), col(PendingCharge.id).desc())).all()
    return next((c for c in charges if c.id not in credited), None)


def bill_fee_waived(*, session: Session, bill_id: int, fee_kind: str) -> bool:
    return session.exec(select(FeeAdjustment.id).where(
        FeeAdjustment.bill_id == bill_id, FeeAdjustment.fee_kind == fee_kind,
        col(FeeAdjustment.status).in_(CREDITING))).first() is not None


def held_deposit(*, session: Session, account: Account) -> Waivable | None:
    """The deposit held or still being charged on the account, if not yet waived."""
    charge = _newest_charge(session, account.id, FeeKind.deposit)  # type: ignore[arg-type]
    if charge is not None and charge.status != ChargeStatus.pending:
        charge = None  # billed: once paid it is held, and waived as the held deposit
    deposits = session.exec(select(Deposit).where(
        Deposit.account_id == account.id, Deposit.status == DepositStatus.held)
        .order_by(col(Deposit.created_at).desc(), col(Deposit.id).desc())).all()
    credited = {d for d in session.exec(select(FeeAdjustment.deposit_id).where(
        FeeAdjustment.account_id == account.id, col(FeeAdjustment.deposit_id).is_not(None)))}
    deposit = next((d for d in deposits if d.id not in credited), None)
    if deposit is None and charge is None:
        return None
    amount = charge.amount_cents if charge is not None else deposit.amount_cents  # type: ignore[union-attr]
    return Waivable(fee_kind=FeeKind.deposit, amount_cents=amount,
                    charge_id=charge.id if charge else None,
                    deposit_id=deposit.id if deposit else None)


def charged_fee(*, session: Session, account: Account, fee_kind: FeeKind) -> Waivable | None:
    """The newest reconnection or meter-test fee charged and not yet waived: a pending charge,
    else (reconnection fees were printed on bills before pending charges) a bill line."""
    charge = _newest_charge(session, account.id, fee_kind)  # type: ignore[arg-type]
    if charge is not None:
        return Waivable(fee_kind=fee_kind, amount_cents=charge.amount_cents, charge_id=charge.id)
    if fee_kind != FeeKind.reconnection_fee:
        return None
    lines = session.exec(
        select(BillLine.bill_id, BillLine.amount_cents)
        .join(Bill, col(Bill.id) == BillLine.bill_id)
        .where(Bill.account_id == account.id, BillLine.kind == LineKind.reconnection_fee)
        .order_by(col(Bill.bill_date).desc())).all()
    for bill_id, amount in lines:
        if amount > 0 and not bill_fee_waived(session=session, bill_id=bill_id,
                                              fee_kind=fee_kind):
            return Waivable(fee_kind=fee_kind, amount_cents=amount, bill_id=bill_id)
    return None


def still_waivable(*, session: Session, waivable: Waivable) -> bool:
    """Whether nothing has credited this fee since it was asked for."""
    if waivable.charge_id is not None and session.exec(select(FeeAdjustment.id).where(
            FeeAdjustment.charge_id == waivable.charge_id)).first() is not None:
        return False
    if waivable.deposit_id is not None:
        deposit = session.get(Deposit, waivable.deposit_id)
        if deposit is None or deposit.status != DepositStatus.held or session.exec(
                select(FeeAdjustment.id).where(
                    FeeAdjustment.deposit_id == waivable.deposit_id)).first() is not None:
            return False
    if waivable.charge_id is None and waivable.deposit_id is None and waivable.bill_id is not None:
        return not bill_fee_waived(session=session, bill_id=waivable.bill_id,
                                   fee_kind=waivable.fee_kind)
    return True


def nothing_charged(fee_kind: str) -> Reason:
    if fee_kind == FeeKind.deposit:
        return Reason("no_deposit",
                      "There is no deposit held or charged on your account, so there is nothing "
                      "to waive.",
                      "No hay ningún depósito retenido ni cobrado en su cuenta, así que no hay "
                      "nada que eximir.")
    return Reason("no_fee",
                  f"There is no {fee_label(fee_kind)} on your account to waive.",
                  f"No hay ningún {fee_label(fee_kind, 'es')} en su cuenta para eximir.")


def current_fee(*, session: Session, account: Account, fee_kind: str) -> Waivable | None:
    """The fee of this kind charged now and not yet waived. For requests recorded before they
    named their charge (moved from the old pending_review adjustments by migration 0009)."""
    if fee_kind == FeeKind.deposit:
        return held_deposit(session=session, account=account)
    if fee_kind != FeeKind.late_fee:
        return charged_fee(session=session, account=account, fee_kind=FeeKind(fee_kind))
    lines = session.exec(
        select(BillLine.bill_id, BillLine.amount_cents)
        .join(Bill, col(Bill.id) == BillLine.bill_id)
        .where(Bill.account_id == account.id, BillLine.kind == LineKind.late_fee)
        .order_by(col(Bill.bill_date).desc())).all()
    return next((Waivable(fee_kind=FeeKind.late_fee, amount_cents=amount, bill_id=bill_id)
                 for bill_id, amount in lines if amount > 0 and not bill_fee_waived(
                     session=session, bill_id=bill_id, fee_kind=FeeKind.late_fee)), None)
