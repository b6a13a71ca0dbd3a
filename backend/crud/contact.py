"""Account preferences and contact details, each change audited."""

from sqlmodel import Session

from backend.crud import audit
from backend.crud.accounts import AccountBundle
from backend.crud.audit import Actor
from backend.crud.verification import digits
from backend.models import AccountNote
from backend.models.common import utcnow
from backend.models.views import ContactUpdate


def set_autopay(
    *, session: Session, bundle: AccountBundle, actor: Actor, enabled: bool, last4: str | None
) -> None:
    account = bundle.account
    before = account.autopay_enabled
    account.autopay_enabled = enabled
    account.autopay_last4 = last4 if enabled else None
    account.updated_at = utcnow()
    session.add(account)
    audit.record(
        session=session, actor=actor, action="autopay_enrolled" if enabled else "autopay_cancelled",
        entity="account", entity_id=account.account_number, account_id=account.id,
        reason="Customer request", detail={"before": before, "after": enabled},
    )
    session.commit()


def set_paperless(*, session: Session, bundle: AccountBundle, actor: Actor, enabled: bool) -> None:
    account = bundle.account
    before = account.paperless_enabled
    account.paperless_enabled = enabled
    account.updated_at = utcnow()
    session.add(account)
    audit.record(
        session=session, actor=actor,
        action="paperless_enrolled" if enabled else "paperless_cancelled", entity="account",
        entity_id=account.account_number, account_id=account.id, reason="Customer request",
        detail={"before": before, "after": enabled},
    )
    session.commit()


def update_contact(
    *, session: Session, bundle: AccountBundle, actor: Actor, update: ContactUpdate
) -> dict[str, dict[str, object]]:
    customer, account = bundle.customer, bundle.account
    changes: dict[str, dict[str, object]] = {}
    values = update.model_dump(exclude_unset=True, exclude={"returned_mail_resolved"})
    if "phone" in values and values["phone"] is not None:
        values["phone"] = digits(values["phone"])
    if "mailing_state" in values and values["mailing_state"]:
        values["mailing_state"] = values["mailing_state"].upper()
    for field, new in values.items():
        old = getattr(customer, field)
        if new is not None and new != old:
            changes[field] = {"before": old, "after": new}
            setattr(customer, field, new)
    mailing_changed = any(f.startswith("mailing_") for f in changes)
    # A new mailing address (or the customer's word) settles returned mail.
    if account.returned_mail and (mailing_changed or update.returned_mail_resolved):
        account.returned_mail = False
        changes["returned_mail"] = {"before": True, "after": False}
        session.add(account)
    session.add(customer)
    audit.record(
        session=session, actor=actor, action="contact_updated", entity="customer",
        entity_id=customer.id, account_id=account.id, reason="Customer request",
        detail={"changes": changes},
    )
    session.commit()
    return changes


def add_note(*, session: Session, bundle: AccountBundle, actor: Actor, body: str) -> AccountNote:
    note = AccountNote(
        account_id=bundle.account.id, author=f"{actor.type}:{actor.id or ''}", body=body
    )
    session.add(note)
    session.flush()
    audit.record(
        session=session, actor=actor, action="note_added", entity="account_note",
        entity_id=note.id, account_id=bundle.account.id,
    )
    session.commit()
    session.refresh(note)
    return note
