"""Payments from the payment processor integration. WaterDesk never takes or stores a card number:
the processor takes the card and posts what it took, with its own reference."""

import re
from typing import Any

from fastapi import APIRouter, HTTPException, status

from backend.api.deps import (
    AccountNumber,
    CallerDep,
    DistrictDep,
    OptionalAccountDep,
    SessionDep,
    TodayDep,
)
from backend.api.errors import unprocessable
from backend.crud import accounts as accounts_crud
from backend.crud import payments as payments_crud
from backend.domain.rates import from_cents, to_cents
from backend.models.billing import PaymentCreate, PaymentPosted, PaymentPublic
from backend.models.common import ActorType
from common import clock

router = APIRouter(prefix="/accounts/{account_number}", tags=["payments"])

# A card number is 13 to 19 digits, often grouped with spaces or dashes.
_CARD_RUN = re.compile(r"\d{13,19}")
_REFERENCE_MAX = 40


def _refuse_card_data(body: PaymentCreate) -> str | None:
    """The reference, checked; a 422 for anything that could carry a card (without echoing it)."""
    for name in body.model_extra or {}:
        raise unprocessable(str(name)[:60], "Not accepted: send only amount, method, channel and "
                            "reference. Card numbers are never sent to WaterDesk")
    reference = (body.reference or "").strip() or None
    if reference is None:
        return None
    if _CARD_RUN.search(re.sub(r"[\s.-]", "", reference)):
        raise unprocessable("reference", "This looks like a card number: send the processor's "
                            "reference for the payment, never the card number")
    if len(reference) > _REFERENCE_MAX:
        raise unprocessable("reference", f"At most {_REFERENCE_MAX} characters")
    return reference


@router.post("/payments", response_model=PaymentPosted)
def post_payment(account_number: AccountNumber, body: PaymentCreate, session: SessionDep,
                 district: DistrictDep, today: TodayDep, caller: CallerDep,
                 verified: OptionalAccountDep) -> Any:
    """Record a payment the processor took (`late` when something was past due). A repeat with the
    same processor reference returns the first payment and posts nothing. A payment that clears
    the past-due balance of a shut-off account orders the water turned back on (high priority)
    and adds the reconnection fee, the after-hours one outside office hours."""
    if caller.type not in (ActorType.integration, ActorType.bot):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "Payments are posted by the payment integration")
    # The bot acts for a customer, so it needs the customer verified for this account.
    if caller.type == ActorType.bot and (verified is None
                                         or verified.account.account_number != account_number):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "The customer is not verified for this account")
    reference = _refuse_card_data(body)
    bundle = verified or accounts_crud.get_bundle(session=session, account_number=account_number)
    if bundle is None or bundle.account.account_number != account_number:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such account")
    try:
        posted = payments_crud.post_payment(
            session=session, district=district, bundle=bundle, actor=caller,
            amount_cents=to_cents(body.amount), method=body.method, channel=body.channel,
            reference=reference, today=today, at=clock.now())
    except payments_crud.ReferenceTaken:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            "This reference was already used for another account's payment") \
            from None
    p = posted.payment
    return PaymentPosted(
        payment=PaymentPublic(id=p.id, reference=p.reference,  # type: ignore[arg-type]
                              amount=from_cents(p.amount_cents), paid_on=p.paid_on,
                              method=p.method, channel=p.channel, late=p.late),
        duplicate=posted.duplicate, balance=from_cents(posted.ledger.balance_cents),
        past_due=from_cents(posted.ledger.past_due_cents),
        turn_on_order=posted.turn_on.order_number if posted.turn_on else None,
        reconnection_fee=from_cents(posted.turn_on.fee_cents) if posted.turn_on else None)
