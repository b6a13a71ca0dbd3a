from fastapi import APIRouter, HTTPException, status
from sqlmodel import Session

from backend.api.deps import CallerDep, DistrictDep, SessionDep, SettingsDep
from backend.api.errors import unprocessable
from backend.core.config import Settings
from backend.crud.audit import Actor
from backend.core.security import create_verification_token, decode_channel_token
from backend.crud import audit, verification
from backend.domain.i18n import Reason
from backend.models.views import VerifyRequest, VerifyResult

router = APIRouter(prefix="/verify", tags=["verification"])


@router.post("", response_model=VerifyResult)
def verify_customer(
    body: VerifyRequest, session: SessionDep, settings: SettingsDep,
    district: DistrictDep, caller: CallerDep,
) -> VerifyResult:
    """Verify a customer by account number + service ZIP, or by the phone on file + last name.

    On the email channel, the account number + the `channel_token` the hub signed, when the
    sender it vouches for (authenticated by the receiving relay) is the address on file.
    With method "signed_link", the account number + the `channel_token` the hub signed for a
    conversation a leak alert's signed chat link opened for that account (nothing is asked).

    A success returns a verification token to send as X-Verification-Token with account reads
    and writes. Repeated failures lock the account, phone and conversation out for a while (429).
    """
    conversation_id = body.conversation_id or caller.conversation_id
    email = None
    if body.method == "signed_link":
        return _verify_signed_link(body, session=session, settings=settings, caller=caller,
                                   conversation_id=conversation_id)
    if body.channel_token and not body.zip:
        facts = decode_channel_token(settings=settings, token=body.channel_token)
        # Facts signed for another conversation are someone else's; expired ones are stale.
        if facts is None or facts.conversation_id != conversation_id:
            raise unprocessable("channel_token", "The channel token is invalid, expired or for "
                                "another conversation")
        if not facts.email:
            raise unprocessable("channel_token", "The channel vouches for no sender address; "
                                "give the service ZIP")
        email = facts.email
    outcome = verification.verify(
        session=session, district=district, account_number=body.account_number,
        zip_code=body.zip, phone=body.phone, last_name=body.last_name,
        conversation_id=conversation_id, email=email,
    )
    if not outcome.attempted:
        minutes = max(1, outcome.retry_after_seconds // 60)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=f"Too many failed verification attempts; try again in {minutes} minutes "
            "or talk to a representative",
            headers={"Retry-After": str(outcome.retry_after_seconds)},
        )
    if not outcome.verified:
        return VerifyResult(
            verified=False, locked=outcome.locked, attempts_left=outcome.attempts_left,
            message=Reason(
                "not_verified",
                "Those details don't match our records.",
                "Esos datos no coinciden con nuestros registros.",
            ).to_dict(),  # type: ignore[arg-type]
        )
    account = outcome.account
    assert account is not None
    method = ("account_zip" if body.zip else "account_email") if body.account_number \
        else "phone_last_name"
    audit.record(
        session=session, actor=caller, action="customer_verified", entity="account",
        entity_id=account.account_number, account_id=account.id, detail={"method": method},
    )
    session.commit()
    return _verified(settings=settings, outcome=outcome, method=method,
                     conversation_id=conversation_id)


def _verified(*, settings: Settings, outcome: verification.Outcome, method: str,
              conversation_id: str | None) -> VerifyResult:
    account, customer = outcome.account, outcome.customer
    assert account is not None and customer is not None
    token, ttl = create_verification_token(
        settings=settings, account_number=account.account_number, method=method,
        conversation_id=conversation_id,
    )
    return VerifyResult(
        verified=True, account_number=account.account_number, first_name=customer.first_name,
        preferred_language=customer.preferred_language, verification_token=token,
        expires_in=ttl,
        message=Reason(
            "verified",
            f"Thanks, {customer.first_name}, you're verified.",
            f"Gracias, {customer.first_name}, ya está verificado.",
        ).to_dict(),  # type: ignore[arg-type]
    )


def _verify_signed_link(body: VerifyRequest, *, session: Session, settings: Settings,
                        caller: Actor, conversation_id: str | None) -> VerifyResult:
    """The hub checked a signed chat link when the conversation opened and vouches for its
    account in the channel token; only that token's signature, conversation and account count."""
    facts = decode_channel_token(settings=settings, token=body.channel_token or "")
    account_number = (body.account_number or "").strip()
    if facts is None or not conversation_id or facts.conversation_id != conversation_id:
        raise unprocessable("channel_token", "The channel token is invalid, expired or for "
                            "another conversation")
    if facts.link_account != account_number:
        raise unprocessable("channel_token", "No signed link opened this conversation for "
                            "that account")
    outcome = verification.verify_signed_link(
        session=session, account_number=account_number, conversation_id=conversation_id)
    if not outcome.verified or outcome.account is None:
        raise unprocessable("account_number", "No such account")
    audit.record(
        session=session, actor=caller, action="customer_verified", entity="account",
        entity_id=outcome.account.account_number, account_id=outcome.account.id,
        detail={"method": "signed_link"},
    )
    session.commit()
    return _verified(settings=settings, outcome=outcome, method="signed_link",
                     conversation_id=conversation_id)
