from typing import Any

from fastapi import APIRouter

from backend.api.deps import CallerDep, DistrictDep, SessionDep, TodayDep, VerifiedAccountDep
from backend.crud import policies as policies_crud
from backend.crud.policies import Outcome
from backend.models.views import (
    ArrangementRequest,
    DecisionPublic,
    ExtensionRequest,
    FeeWaiverRequest,
    PolicyOutcome,
)

router = APIRouter(prefix="/accounts/{account_number}", tags=["policies"])


def outcome_public(outcome: Outcome) -> PolicyOutcome:
    """The one answer to a policy request, from the bot's API and the rep console alike."""
    return PolicyOutcome(
        outcome=outcome.name,  # type: ignore[arg-type]
        decision=DecisionPublic(**outcome.decision.to_dict()),
        reference=outcome.reference, message=outcome.message.to_dict(),  # type: ignore[arg-type]
    )


@router.get("/eligibility", response_model=dict[str, DecisionPublic])
def read_eligibility(
    bundle: VerifiedAccountDep, session: SessionDep, district: DistrictDep, today: TodayDep,
) -> Any:
    """What the district's written policies allow this account today, with the reasons."""
    decisions = policies_crud.eligibility(
        session=session, district=district, bundle=bundle, today=today)
    return {name: d.to_dict() for name, d in decisions.items()}


@router.post("/extensions", response_model=PolicyOutcome)
def request_extension(
    body: ExtensionRequest, bundle: VerifiedAccountDep, session: SessionDep,
    district: DistrictDep, today: TodayDep, caller: CallerDep,
) -> Any:
    """Move the due date; granted when policy allows it, otherwise referred to a supervisor."""
    return outcome_public(policies_crud.request_extension(
        session=session, district=district, bundle=bundle, actor=caller, today=today,
        days=body.days))


@router.post("/payment-arrangements", response_model=PolicyOutcome)
def request_payment_arrangement(
    body: ArrangementRequest, bundle: VerifiedAccountDep, session: SessionDep,
    district: DistrictDep, today: TodayDep, caller: CallerDep,
) -> Any:
    """Split the past-due balance into installments when policy allows it."""
    return outcome_public(policies_crud.request_arrangement(
        session=session, district=district, bundle=bundle, actor=caller, today=today,
        installments=body.installments))


@router.post("/fee-waivers", response_model=PolicyOutcome)
def request_fee_waiver(
    body: FeeWaiverRequest, bundle: VerifiedAccountDep, session: SessionDep,
    district: DistrictDep, today: TodayDep, caller: CallerDep,
) -> Any:
    """Waive exactly the fee that was charged, once: granted when the policy engine says yes,
    otherwise an approval for a supervisor (reference AP-<id>); nothing_to_grant when no such fee
    was charged."""
    return outcome_public(policies_crud.request_fee_waiver(
        session=session, district=district, bundle=bundle, actor=caller, today=today,
        fee_kind=body.fee_kind, reason=body.reason))
