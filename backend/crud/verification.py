"""Customer verification, with a lockout per account across every route (account + ZIP, phone +
last name, email sender), per phone and per conversation. Each attempt is counted before it is
checked (crud.lockout), so concurrent guesses can't get past the limit."""

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from backend.crud import lockout
from backend.crud.accounts import get_bundle
from backend.domain.district import District
from backend.models import Account, Conversation, Customer, VerificationAttempt
from backend.models.common import AccountStatus, utcnow


def digits(value: str) -> str:
    only = "".join(ch for ch in value if ch.isdigit())
    # A leading country code 1 on an 11-digit US number is the same phone.
    return only[1:] if len(only) == 11 and only.startswith("1") else only


def fold(name: str) -> str:
    # "López" and "lopez " are the same surname to a customer typing in a chat box.
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().strip()


@dataclass(frozen=True)
class Outcome:
    verified: bool
    account: Account | None = None
    customer: Customer | None = None
    locked: bool = False
    retry_after_seconds: int = 0
    attempts_left: int = 0
    # False when a lockout refused the attempt before checking anything.
    attempted: bool = True


def _phone_accounts(session: Session, phone: str) -> list[tuple[Account, Customer]]:
    rows = session.exec(
        select(Account, Customer)
        .join(Customer, col(Account.customer_id) == Customer.id)
        .where(Customer.phone == digits(phone))
        .order_by(col(Account.opened_on).desc())
    ).all()
    return [(a, c) for a, c in rows]


def verify(
    *,
    session: Session,
    district: District,
    account_number: str | None,
    zip_code: str | None,
    phone: str | None,
    last_name: str | None,
    conversation_id: str | None,
    email: str | None = None,
) -> Outcome:
    """email is a sender address the email channel authenticated (never a client's claim)."""
    policy = district.policies.verification
    window = timedelta(minutes=policy.lockout_minutes)
    account_number = account_number.strip() if account_number else None
    by_zip = bool(account_number and zip_code)
    by_email = bool(account_number and email and not zip_code)
    phone_rows = _phone_accounts(session, phone) if phone and last_name and not account_number \
        else []
    numbers = [account_number] if account_number else [a.account_number for a, _ in phone_rows]

    counted = {f"acct:{n}": policy.max_failures for n in numbers}
    if by_zip:
        counted[f"acct-zip:{account_number}"] = policy.max_zip_failures
    if phone and not account_number:
        counted[f"phone:{digits(phone)}"] = policy.max_failures
    if conversation_id:
        counted[f"conv:{conversation_id}"] = policy.max_failures
    # However the customer verifies, an account whose ZIP was guessed at stays locked.
    required = {f"acct-zip:{n}": policy.max_zip_failures for n in numbers if not by_zip}
    taken = lockout.take(session=session, limits=counted, require=required, window=window,
                         now=utcnow())
    if not taken.ok:
        return Outcome(verified=False, locked=True, attempted=False,
                       retry_after_seconds=taken.retry_after)

    match = None
    if by_zip or by_email:
        bundle = get_bundle(session=session, account_number=account_number or "")
        if bundle and by_zip and bundle.premise.zip[:5] == (zip_code or "").strip()[:5]:
            match = bundle.account, bundle.customer
        on_file = (bundle.customer.email or "").strip().casefold() if bundle else ""
        if bundle and by_email and on_file and on_file == (email or "").strip().casefold():
            match = bundle.account, bundle.customer
    elif phone_rows:
        rows = [r for r in phone_rows if fold(r[1].last_name) == fold(last_name or "")]
        # Prefer an open account over a closed one with the same phone.
        rows.sort(key=lambda r: r[0].status == AccountStatus.closed)
        match = rows[0] if rows else None

    for subject in counted:
        session.add(VerificationAttempt(subject=subject, success=match is not None))
    session.commit()
    if match is None:
        return Outcome(verified=False, locked=taken.left == 0, attempts_left=taken.left,
                       retry_after_seconds=int(window.total_seconds()) if taken.left == 0 else 0)
    lockout.clear(session=session, subjects=list(counted), now=utcnow())
    conversation = session.get(Conversation, conversation_id) if conversation_id else None
    if conversation is not None:
        # The hub knows whose conversation it is (transcripts go only to the email on file).
        conversation.verified_account = match[0].account_number
        session.add(conversation)
        session.commit()
    return Outcome(verified=True, account=match[0], customer=match[1])


def verify_signed_link(*, session: Session, account_number: str,
                       conversation_id: str) -> Outcome:
    """The hub vouches (in a channel token the caller checked) that a signed chat link opened
    this conversation for the account. Nothing is guessed here, so no lockout is counted: the
    link's signature is the proof. Only an account that exists is verified."""
    bundle = get_bundle(session=session, account_number=account_number.strip())
    if bundle is None:
        return Outcome(verified=False)
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None:
        conversation.verified_account = bundle.account.account_number
        session.add(conversation)
        session.commit()
    return Outcome(verified=True, account=bundle.account, customer=bundle.customer)
