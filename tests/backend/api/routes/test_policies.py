"""Fee waivers, extensions and arrangements: granted when policy allows, referred otherwise."""

from sqlmodel import Session, select

from backend.domain.district import load_district
from backend.models import AuditLog, FeeAdjustment
from tests.utils.api import verified_headers


def _audit(client, action):
    with Session(client.app.state.engine) as s:
        return s.exec(select(AuditLog).where(AuditLog.action == action)).all()


def test_late_fee_waiver_granted_once_then_referred(fresh_client):
    h = verified_headers(fresh_client, "1000002")
    r = fresh_client.post("/api/v1/accounts/1000002/fee-waivers", headers=h,
                          json={"fee_kind": "late_fee", "reason": "Paid late while travelling"})
    assert r.status_code == 200
    body = r.json()
    assert body["outcome"] == "granted" and body["decision"]["eligible"] is True
    assert body["reference"].startswith("FA-")
    a = fresh_client.get("/api/v1/accounts/1000002", headers=h).json()
    assert a["balance"] == "297.40"
    [entry] = _audit(fresh_client, "fee_waived")
    assert entry.actor_type == "bot" and entry.detail["rule"] == "late_fee_waiver"
    assert entry.reason

    again = fresh_client.post("/api/v1/accounts/1000002/fee-waivers", headers=h,
                              json={"fee_kind": "late_fee"}).json()
    assert again["outcome"] == "referred"
    assert again["message"]["en"].startswith("I can't approve")
    # requested_on is the district's day; the audit time is UTC, a day ahead in the evening.
    waived_on = entry.at.astimezone(load_district().tz).date()
    with Session(fresh_client.app.state.engine) as s:
        statuses = sorted(a.status for a in s.exec(select(FeeAdjustment)).all()
                          if a.requested_on >= waived_on)
    assert "pending_review" in statuses


def test_shah_waiver_is_recorded_for_a_representative(fresh_client):
    h = verified_headers(fresh_client, "2000001")
    body = fresh_client.post("/api/v1/accounts/2000001/fee-waivers", headers=h,
                             json={"fee_kind": "late_fee"}).json()
    assert body["outcome"] == "referred" and body["decision"]["eligible"] is False
    assert fresh_client.get("/api/v1/accounts/2000001", headers=h).json()["balance"] == "640.00"
    assert len(_audit(fresh_client, "fee_waiver_requested")) == 1


def test_reconnection_fee_always_goes_to_a_person(fresh_client):
    h = verified_headers(fresh_client, "2000001")
    body = fresh_client.post("/api/v1/accounts/2000001/fee-waivers", headers=h,
                             json={"fee_kind": "reconnection_fee"}).json()
    assert body["outcome"] == "referred"


def test_extension_granted_then_limited_to_one_per_six_months(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    before = fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["due_date"]
    body = fresh_client.post("/api/v1/accounts/1000001/extensions", headers=h,
                             json={"days": 10}).json()
    assert body["outcome"] == "granted", body
    after = fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["due_date"]
    assert after > before
    assert body["decision"]["details"]["new_due_date"] == after
    again = fresh_client.post("/api/v1/accounts/1000001/extensions", headers=h,
                              json={"days": 5}).json()
    assert again["outcome"] == "referred"


def test_extension_longer_than_policy_is_referred(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    body = fresh_client.post("/api/v1/accounts/1000001/extensions", headers=h,
                             json={"days": 30}).json()
    assert body["outcome"] == "referred"
    assert any("14" in r["en"] for r in body["decision"]["reasons"])


def test_payment_arrangement_for_past_due_balance(fresh_client):
    h = verified_headers(fresh_client, "2000001")
    decision = fresh_client.get("/api/v1/accounts/2000001/eligibility",
                                headers=h).json()["payment_arrangement"]
    body = fresh_client.post("/api/v1/accounts/2000001/payment-arrangements", headers=h,
                             json={"installments": 4}).json()
    assert body["outcome"] == ("granted" if decision["eligible"] else "referred")
    if body["outcome"] == "granted":
        amounts = [p["amount"] for p in body["decision"]["details"]["plan"]]
        assert sum(float(a) for a in amounts) == 640.00
    # Maria owes nothing past due: no arrangement to make, and nothing for a person to review.
    hm = verified_headers(fresh_client, "1000001")
    maria = fresh_client.post("/api/v1/accounts/1000001/payment-arrangements", headers=hm,
                              json={"installments": 3}).json()
    assert maria["outcome"] == "nothing_to_grant" and maria["reference"] is None
    assert maria["message"]["en"] == "You have no past-due balance, so a payment arrangement " \
        "isn't needed."
    assert not _audit(fresh_client, "payment_arrangement_referred")


def test_a_waiver_with_no_fee_to_waive_is_answered_plainly_not_queued_for_review(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    body = fresh_client.post("/api/v1/accounts/1000001/fee-waivers", headers=h,
                             json={"fee_kind": "late_fee"}).json()
    assert body["outcome"] == "nothing_to_grant"
    assert "no late fee" in body["message"]["en"] and "recargo" in body["message"]["es"]
    assert not _audit(fresh_client, "fee_waiver_requested")
    with Session(fresh_client.app.state.engine) as s:
        assert not s.exec(select(FeeAdjustment).where(FeeAdjustment.reason.contains("1000001"))
                          ).all()
