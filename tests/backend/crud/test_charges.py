"""backend.crud.charges and the ledger: charges between bills are owed but never past due; a
credit against one offsets that charge only; each charge or deposit is credited at most once."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.crud import approvals, charges, grants
from backend.crud.accounts import get_bundle, ledger
from backend.crud.audit import SYSTEM
from backend.domain.district import load_district
from backend.domain.i18n import Reason
from backend.domain.policy import REP_REVIEW, PolicyDecision
from backend.models import Bill, BillLine, FeeAdjustment
from backend.models.common import ApprovalKind, FeeKind

TODAY = date(2026, 12, 2)
REVIEW = PolicyDecision(eligible=False, rule="reconnection_fee_review",
                        rule_text=Reason("reconnection_fee_review", "en", "es"),
                        reasons=(REP_REVIEW,))


def _shah(session):
    return get_bundle(session=session, account_number="2000001")


def test_a_pending_charge_is_owed_not_past_due_and_its_credit_offsets_only_it(fresh_client):
    with Session(fresh_client.app.state.engine) as session:
        shah = _shah(session)
        before = ledger(session=session, account=shah.account, today=TODAY)
        assert (before.balance_cents, before.past_due_cents) == (64000, 64000)
        charge = charges.add_charge(session=session, account_id=shah.account.id,
                                    fee_kind=FeeKind.meter_test_fee, amount_cents=5000,
                                    description="Meter test fee", source="WO-1", today=TODAY)
        owed = ledger(session=session, account=shah.account, today=TODAY)
        assert (owed.balance_cents, owed.past_due_cents) == (69000, 64000)
        found = charges.charged_fee(session=session, account=shah.account,
                                    fee_kind=FeeKind.meter_test_fee)
        assert found == charges.Waivable(fee_kind=FeeKind.meter_test_fee, amount_cents=5000,
                                         charge_id=charge.id)
        grants.credit_fee(session=session, bundle=shah, actor=SYSTEM, waivable=found,
                          rule="meter_test_fee_review", reason="test", today=TODAY,
                          approved=True)
        session.commit()
        after = ledger(session=session, account=shah.account, today=TODAY)
        # The credit takes the charge away; what is past due is still past due.
        assert (after.balance_cents, after.past_due_cents) == (64000, 64000)
        assert charges.charged_fee(session=session, account=shah.account,
                                   fee_kind=FeeKind.meter_test_fee) is None
        assert not charges.still_waivable(session=session, waivable=found)
        # The database refuses a second credit of the same charge, whatever the caller does.
        session.add(FeeAdjustment(account_id=shah.account.id, fee_kind=FeeKind.meter_test_fee,
                                  amount_cents=5000, status="approved", reason="again",
                                  policy_rule="x", requested_on=TODAY, charge_id=charge.id))
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_reconnection_fee_printed_on_a_bill_is_waivable_once(fresh_client):
    with Session(fresh_client.app.state.engine) as session:
        shah = _shah(session)
        bill = session.exec(select(Bill).where(Bill.account_id == shah.account.id)
                            .order_by(col(Bill.bill_date).desc())).first()
        session.add(BillLine(bill_id=bill.id, position=99, kind="reconnection_fee",
                             description="Reconnection fee", amount_cents=7500))
        bill.total_cents += 7500
        session.add(bill)
        session.commit()
        assert ledger(session=session, account=shah.account, today=TODAY).balance_cents == 71500
        found = charges.charged_fee(session=session, account=shah.account,
                                    fee_kind=FeeKind.reconnection_fee)
        assert (found.amount_cents, found.bill_id, found.charge_id) == (7500, bill.id, None)
        approval = approvals.refer(session=session, bundle=shah, actor=SYSTEM,
                                   kind=ApprovalKind.fee_waiver, decision=REVIEW,
                                   request=found.to_request(), customer_reason="hardship",
                                   today=TODAY, audit_action="fee_waiver_requested")
        # The same fee asked for again is the same approval.
        assert approvals.refer(session=session, bundle=shah, actor=SYSTEM,
                               kind=ApprovalKind.fee_waiver, decision=REVIEW,
                               request=found.to_request(), customer_reason="again",
                               today=TODAY, audit_action="fee_waiver_requested").id == approval.id
        # Credited some other way meanwhile: approving it would credit twice, so it can't.
        grants.credit_fee(session=session, bundle=shah, actor=SYSTEM, waivable=found,
                          rule="reconnection_fee_review", reason="rep", today=TODAY,
                          approved=True)
        session.commit()
        assert charges.charged_fee(session=session, account=shah.account,
                                   fee_kind=FeeKind.reconnection_fee) is None
        with pytest.raises(approvals.ApprovalConflict):
            approvals.decide(session=session, district=load_district(),
                             approval_id=approval.id, supervisor_id=2, approve=True,
                             note="", today=TODAY)
        session.rollback()
        assert ledger(session=session, account=shah.account, today=TODAY).balance_cents == 64000


def test_no_deposit_held_means_nothing_to_waive(fresh_client):
    with Session(fresh_client.app.state.engine) as session:
        maria = get_bundle(session=session, account_number="1000001")
        assert charges.held_deposit(session=session, account=maria.account) is None
        assert charges.nothing_charged(FeeKind.deposit).code == "no_deposit"
