"""Customer verification with lockout after repeated failures."""

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, func, select

from backend.crud.accounts import get_bundle
from backend.domain.district import District
from backend.models import Account, Customer, VerificationAttempt
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


def _failures(session: Session, subject: str, since) -> int:  # type: ignore[no-untyped-def]
    last_success = session.exec(
        select(func.max(VerificationAttempt.at)).where(
            VerificationAttempt.subject == subject, col(VerificationAttempt.success)
        )
    ).one()
    start = max(since, last_success) if last_success else since
    return int(
        session.exec(
            select(func.count()).where(
                VerificationAttempt.subject == subject,
                col(VerificationAttempt.success).is_(False),
                VerificationAttempt.at > start,
            )
        ).one()
    )


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
    policy = district.policies.verification
    window = timedelta(minutes=policy.lockout_minutes)
    since = utcnow() - window
    subjects = []
    if account_number:
        subjects.append(f"acct:{account_number.strip()}")
    if phone:
        subjects.append(f"phone:{digits(phone)}")
    if conversation_id:
        subjects.append(f"conv:{conversation_id}")
    worst = max((_failures(session, s, since) for s in subjects), default=0)
    if worst >= policy.max_failures:
        return Outcome(verified=False, locked=True, attempted=False,
                       retry_after_seconds=int(window.total_seconds()))

    match = _match(session, account_number, zip_code, phone, last_name, email)
    for subject in subjects:
        session.add(VerificationAttempt(subject=subject, success=match is not None))
    session.commit()
    if match is None:
        left = max(0, policy.max_failures - worst - 1)
        return Outcome(
            verified=False, locked=left == 0, attempts_left=left,
            retry_after_seconds=int(window.total_seconds()) if left == 0 else 0,
        )
    return Outcome(verified=True, account=match[0], customer=match[1])


def _match(session, account_number, zip_code, phone, last_name, email=None):  # type: ignore[no-untyped-def]
    if account_number and zip_code:
        bundle = get_bundle(session=session, account_number=account_number.strip())
        if bundle and bundle.premise.zip[:5] == zip_code.strip()[:5]:
            return bundle.account, bundle.customer
        return None
    if account_number and email:
        # An email channel's sender address: the address on file is the second factor.
        bundle = get_bundle(session=session, account_number=account_number.strip())
        on_file = (bundle.customer.email or "").strip().casefold() if bundle else ""
        if on_file and on_file == email.strip().casefold():
            return bundle.account, bundle.customer
        return None
    if phone and last_name:
        rows = session.exec(
            select(Account, Customer)
            .join(Customer, col(Account.customer_id) == Customer.id)
            .where(Customer.phone == digits(phone))
            .order_by(col(Account.opened_on).desc())
        ).all()
        rows = [r for r in rows if fold(r[1].last_name) == fold(last_name)]
        # Prefer an open account over a closed one with the same phone.
        rows.sort(key=lambda r: r[0].status == AccountStatus.closed)
        return rows[0] if rows else None
    return None
