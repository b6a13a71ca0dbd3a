"""Returned mail: a rep marks a bill that came back, and the customer is asked to confirm their
mailing address (bounced e-bills are flagged by the email inbox, backend/email/inbound.py)."""

from typing import Any

from fastapi import APIRouter, HTTPException, status
from sqlmodel import Session

from backend.api.deps import CurrentRep, EngineDep, HubDep
from backend.core.db import run_in_session
from backend.crud import accounts as accounts_crud
from backend.crud import contact as contact_crud
from backend.crud.audit import Actor
from backend.models.accounts import ReturnedMailIn, ReturnedMailPublic

router = APIRouter(prefix="/returned-mail", tags=["mail"])


@router.post("", response_model=ReturnedMailPublic)
async def mark_returned_mail(body: ReturnedMailIn, rep: CurrentRep, engine: EngineDep,
                             hub: HubDep) -> Any:
    """Flag the account, add a note, and (the first time, when the email on file hasn't bounced)
    email the customer in their language asking them to confirm their mailing address.
    404 for an unknown account, 422 for a bill that isn't the account's."""
    def mark(session: Session) -> contact_crud.ReturnedMail | None:
        bundle = accounts_crud.get_bundle(session=session, account_number=body.account_number)
        if bundle is None:
            return None
        return contact_crud.mark_returned_mail(
            session=session, bundle=bundle, bill_id=body.bill_id, note=body.note,
            actor=Actor.rep(rep.id),
            ask_to_confirm=hub.mailer.queue_returned_mail if hub.mailer else None)

    try:
        result = await run_in_session(engine, mark)
    except LookupError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [{
            "loc": ["body", "bill_id"], "msg": "No such bill on this account",
            "type": "value_error"}]) from None
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such account")
    if result.emailed_to and hub.mailer is not None:
        hub.mailer.wake()  # the outbox sends it now rather than on its next round
    return ReturnedMailPublic(account_number=result.account_number, returned_mail=True,
                              note_id=result.note_id, emailed=result.emailed_to is not None)
