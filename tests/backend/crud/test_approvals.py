"""backend.crud.approvals: a request moved from the old pending_review adjustments (migration
0009) names no charge; approving it credits what is charged now, never the stale amount."""

from datetime import date

import pytest
from sqlmodel import Session

from backend.crud import approvals
from backend.crud.accounts import get_bundle, ledger
from backend.domain.district import load_district
from backend.models import Approval

TODAY = date(2026, 12, 2)


def _legacy(session, account_id, fee_kind, cents):
    approval = Approval(account_id=account_id, kind="fee_waiver", rule=f"{fee_kind}_review",
                        reasons=[], request={"fee_kind": fee_kind, "amount_cents": cents},
                        customer_reason="old", requested_by="system", requested_on=TODAY)
    session.add(approval)
    session.commit()
    return approval.id


def test_a_legacy_deposit_waiver_with_no_deposit_credits_nothing(fresh_client):
    with Session(fresh_client.app.state.engine) as session:
        maria = get_bundle(session=session, account_number="1000001")
        approval_id = _legacy(session, maria.account.id, "deposit", 10000)
        with pytest.raises(approvals.ApprovalConflict):
            approvals.decide(session=session, district=load_district(), approval_id=approval_id,
                             supervisor_id=2, approve=True, note="", today=TODAY)
        session.rollback()
        assert ledger(session=session, account=maria.account, today=TODAY).balance_cents == 8412


def test_a_legacy_late_fee_waiver_credits_the_fee_on_the_bill(fresh_client):
    with Session(fresh_client.app.state.engine) as session:
        james = get_bundle(session=session, account_number="1000002")
        approval_id = _legacy(session, james.account.id, "late_fee", 0)
        decided = approvals.decide(session=session, district=load_district(),
                                   approval_id=approval_id, supervisor_id=2, approve=True,
                                   note="", today=TODAY)
        assert decided.approval.result_reference.startswith("FA-")
        assert decided.notice is None  # no conversation to tell
        assert ledger(session=session, account=james.account, today=TODAY).balance_cents == 29740
