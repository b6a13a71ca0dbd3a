"""Account preferences and contact details, each change audited; mail that didn't reach the
customer (returned mail, bounced e-bills) flagged on the account."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from backend.crud import audit
from backend.crud.accounts import AccountBundle
from backend.crud.audit import Actor
from backend.crud.verification import digits
from backend.models import Account, AccountNote, Bill, Customer
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
    if account.email_bounced and values.get("email"):  # a new (or re-confirmed) email address
        account.email_bounced = False
        changes["email_bounced"] = {"before": True, "after": False}
        session.add(account)
    session.add(customer)
    audit.record(
        session=session, actor=actor, action="contact_updated", entity="customer",
        entity_id=customer.id, account_id=account.id, reason="Customer request",
        detail={"changes": changes},
    )
    session.commit()
    return changes


def _note(*, session: Session, account: Account, actor: Actor, body: str) -> AccountNote:
    """An account note and its audit entry, uncommitted."""
    note = AccountNote(account_id=account.id, author=actor.label, body=body[:4000])
    session.add(note)
    session.flush()
    audit.record(session=session, actor=actor, action="note_added", entity="account_note",
                 entity_id=note.id, account_id=account.id)
    return note


def add_note(*, session: Session, bundle: AccountBundle, actor: Actor, body: str) -> AccountNote:
    note = _note(session=session, account=bundle.account, actor=actor, body=body)
    session.commit()
    session.refresh(note)
    return note


# --- mail that didn't reach the customer ------------------------------------------------------

@dataclass(frozen=True)
class ReturnedMail:
    account_number: str
    note_id: int
    newly_flagged: bool
    emailed_to: str | None  # the address asked to confirm the mailing address, if any


# Queues the email asking the customer to confirm their mailing address, and commits: the
# email channel's, handed in by the caller (data access knows no channel).
AskToConfirm = Callable[[Session, Customer, Account], None]


def mailing_address(customer: Customer) -> str:
    return (f"{customer.mailing_street}, {customer.mailing_city}, {customer.mailing_state} "
            f"{customer.mailing_zip}")


def mark_returned_mail(
    *, session: Session, bundle: AccountBundle, actor: Actor, ask_to_confirm: AskToConfirm | None,
    bill_id: int | None = None, note: str | None = None,
) -> ReturnedMail:
    """A bill (or other mail) came back: flag the account, note it, and ask the customer by email,
    when the email on file hasn't bounced, to confirm their mailing address. One transaction.
    The email goes only the first time (the flag newly set), so a second mark doesn't repeat it.
    Raises LookupError when bill_id is not one of the account's bills."""
    account, customer = bundle.account, bundle.customer
    if bill_id is not None:
        bill = session.get(Bill, bill_id)
        if bill is None or bill.account_id != account.id:
            raise LookupError(bill_id)
    newly = not account.returned_mail
    account.returned_mail = True
    account.updated_at = utcnow()
    session.add(account)
    emailed_to = customer.email if (newly and customer.email and not account.email_bounced
                                    and ask_to_confirm is not None) else None
    what = f"Bill {bill_id}" if bill_id is not None else "Mail"
    body = f"{what} sent to {mailing_address(customer)} came back as returned mail."
    if note:
        body += f" {note.strip()}"
    body += (f" Asked the customer by email ({emailed_to}) to confirm their mailing address."
             if emailed_to else " Confirm the mailing address with the customer when they "
                                "next get in touch.")
    entry = _note(session=session, account=account, actor=actor, body=body)
    audit.record(session=session, actor=actor, action="returned_mail_flagged", entity="account",
                 entity_id=account.account_number, account_id=account.id,
                 reason=note.strip()[:500] if note else None,
                 detail={"bill_id": bill_id, "before": not newly, "after": True,
                         "note_id": entry.id, "emailed": emailed_to is not None})
    if emailed_to and ask_to_confirm is not None:  # commits the whole change with the mail
        ask_to_confirm(session, customer, account)
    else:
        session.commit()
    assert entry.id is not None
    return ReturnedMail(account_number=account.account_number, note_id=entry.id,
                        newly_flagged=newly, emailed_to=emailed_to)


def flag_bounced_email(
    *, session: Session, addresses: list[str], status: str | None = None,
    actor: Actor = audit.SYSTEM,
) -> list[str]:
    """A delivery report says mail to these addresses failed for good: each account whose
    customer has one of them on file is flagged, and its bills go back on paper (the other
    channel on file), noted and audited. Returns the account numbers newly flagged; accounts
    flagged already are left as they are, so a second report changes nothing."""
    wanted = {a.strip().lower() for a in addresses if a and "@" in a}
    if not wanted:
        return []
    rows = session.exec(select(Account, Customer)
                        .join(Customer, col(Account.customer_id) == Customer.id)
                        .where(func.lower(col(Customer.email)).in_(wanted))).all()
    flagged = []
    for account, customer in rows:
        if account.email_bounced:
            continue
        paperless = account.paperless_enabled
        account.email_bounced = True
        account.paperless_enabled = False
        account.updated_at = utcnow()
        session.add(account)
        code = f" (status {status})" if status else ""
        body = (f"Email to {customer.email} bounced{code}: the address on file looks bad. "
                + ("Paperless billing turned off, so the next bill is mailed to "
                   if paperless else "Bills already go by mail, to ")
                + f"{mailing_address(customer)}. Ask the customer for a working email.")
        entry = _note(session=session, account=account, actor=actor, body=body)
        audit.record(session=session, actor=actor, action="email_bounce_flagged",
                     entity="account", entity_id=account.account_number, account_id=account.id,
                     reason="Delivery status notification", detail={
                         "address": customer.email, "status": status, "note_id": entry.id,
                         "paperless": {"before": paperless, "after": False}})
        flagged.append(account.account_number)
    session.commit()
    return flagged
