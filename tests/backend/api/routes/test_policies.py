"""Fee waivers, extensions and arrangements through the bot's API: granted when policy allows,
an approval for a supervisor otherwise, and a waiver credits exactly the fee charged, once."""

from sqlmodel import Session, select

from backend.models import Account, Approval, AuditLog, Deposit, FeeAdjustment, WorkOrder
from tests.utils.api import SUPERVISOR, queued_conversation, rep_headers, verified_headers


def _audit(client, action):
    with Session(client.app.state.engine) as s:
        return s.exec(select(AuditLog).where(AuditLog.action == action)).all()


def _approvals(client):
    with Session(client.app.state.engine) as s:
        return s.exec(select(Approval).order_by(Approval.id)).all()


def _balance(client, number, h):
    a = client.get(f"/api/v1/accounts/{number}", headers=h).json()
    return a["balance"], a["past_due"]


def _waive(client, number, h, kind, **extra):
    r = client.post(f"/api/v1/accounts/{number}/fee-waivers", headers={**h, **extra},
                    json={"fee_kind": kind, "reason": "Customer asked in chat"})
    assert r.status_code == 200, r.text
    return r.json()


def _approve(client, reference, approve=True, note="one-time courtesy"):
    sup = rep_headers(client, SUPERVISOR)
    r = client.post(f"/api/v1/approvals/{reference.removeprefix('AP-')}", headers=sup,
                    json={"approve": approve, "note": note})
    assert r.status_code == 200, r.text
    return r.json()


def _hold_deposit(client, number, cents=10000):
    with Session(client.app.state.engine) as s:
        account = s.exec(select(Account).where(Account.account_number == number)).one()
        s.add(Deposit(account_id=account.id, amount_cents=cents, reason="Required at opening"))
        s.commit()


def _deposits(client, number):
    with Session(client.app.state.engine) as s:
        account = s.exec(select(Account).where(Account.account_number == number)).one()
        return [d.status for d in s.exec(select(Deposit).where(Deposit.account_id == account.id))]


def test_late_fee_waiver_credits_the_fee_once(fresh_client):
    h = verified_headers(fresh_client, "1000002")
    assert _balance(fresh_client, "1000002", h)[0] == "312.40"
    body = _waive(fresh_client, "1000002", h, "late_fee")
    assert body["outcome"] == "granted" and body["decision"]["eligible"] is True
    assert body["reference"].startswith("FA-")
    assert "'late_fee_waiver'" in body["message"]["en"] and "'late_fee_waiver'" in \
        body["message"]["es"]
    assert _balance(fresh_client, "1000002", h)[0] == "297.40"
    [entry] = _audit(fresh_client, "fee_waived")
    assert entry.actor_type == "bot" and entry.detail["rule"] == "late_fee_waiver"
    assert entry.detail["amount_cents"] == 1500 and entry.reason
    # The same bill's fee is never waived twice, by the bot or by a supervisor.
    again = _waive(fresh_client, "1000002", h, "late_fee")
    assert again["outcome"] == "nothing_to_grant" and again["reference"] is None
    assert "already waived" in again["message"]["en"] and "ya se eximió" in again["message"]["es"]
    assert _balance(fresh_client, "1000002", h)[0] == "297.40"
    assert _approvals(fresh_client) == []


def test_a_late_fee_policy_refuses_becomes_one_approval(fresh_client):
    h = verified_headers(fresh_client, "2000001")
    body = _waive(fresh_client, "2000001", h, "late_fee")
    assert body["outcome"] == "referred" and body["decision"]["eligible"] is False
    assert body["reference"].startswith("AP-") and body["message"]["en"].startswith(
        "I can't approve")
    assert _balance(fresh_client, "2000001", h) == ("640.00", "640.00")
    # Asking again is the same request, not a second one.
    assert _waive(fresh_client, "2000001", h, "late_fee")["reference"] == body["reference"]
    [approval] = _approvals(fresh_client)
    assert approval.kind == "fee_waiver" and approval.rule == "late_fee_waiver"
    assert approval.reasons == body["decision"]["reasons"]
    assert approval.request["amount_cents"] == 1500 and approval.request["bill_id"]
    assert approval.requested_by == "bot:" and approval.customer_reason == "Customer asked in chat"
    assert len(_audit(fresh_client, "fee_waiver_requested")) == 1
    decided = _approve(fresh_client, body["reference"])
    assert decided["status"] == "approved" and decided["result_reference"].startswith("FA-")
    assert _balance(fresh_client, "2000001", h)[0] == "625.00"
    # Approved once, it is no longer there to waive.
    assert _waive(fresh_client, "2000001", h, "late_fee")["outcome"] == "nothing_to_grant"
    assert _balance(fresh_client, "2000001", h)[0] == "625.00"


def test_deposit_waiver_with_no_deposit_credits_nothing(fresh_client):
    # The bug: three calls took 1000001 from $84.12 to -$215.88.
    h = verified_headers(fresh_client, "1000001")
    for _ in range(3):
        body = _waive(fresh_client, "1000001", h, "deposit")
        assert body["outcome"] == "nothing_to_grant", body
        assert "no deposit" in body["message"]["en"] and "depósito" in body["message"]["es"]
    assert _balance(fresh_client, "1000001", h) == ("84.12", "0.00")
    assert _approvals(fresh_client) == [] and not _audit(fresh_client, "fee_waived")


def test_a_held_deposit_is_waived_once_when_policy_allows(fresh_client):
    # Maria has paid on time for over a year: the policy waives a held deposit.
    _hold_deposit(fresh_client, "1000001")
    h = verified_headers(fresh_client, "1000001")
    body = _waive(fresh_client, "1000001", h, "deposit")
    assert body["outcome"] == "granted", body
    assert "$100.00 deposit" in body["message"]["en"] and "'deposit_waiver'" in body["message"]["en"]
    assert _balance(fresh_client, "1000001", h)[0] == "-15.88"
    assert _deposits(fresh_client, "1000001") == ["refunded"]
    for _ in range(2):
        assert _waive(fresh_client, "1000001", h, "deposit")["outcome"] == "nothing_to_grant"
    assert _balance(fresh_client, "1000001", h)[0] == "-15.88"
    with Session(fresh_client.app.state.engine) as s:
        [adj] = s.exec(select(FeeAdjustment).where(FeeAdjustment.fee_kind == "deposit",
                                                   FeeAdjustment.deposit_id.is_not(None))).all()
    assert adj.amount_cents == 10000


def test_a_held_deposit_policy_refuses_is_credited_on_approval_only(fresh_client):
    # James paid late this year: his deposit waiver goes to a supervisor.
    _hold_deposit(fresh_client, "1000002")
    h = verified_headers(fresh_client, "1000002")
    body = _waive(fresh_client, "1000002", h, "deposit")
    assert body["outcome"] == "referred" and body["decision"]["rule"] == "deposit_waiver"
    assert _balance(fresh_client, "1000002", h)[0] == "312.40"
    decided = _approve(fresh_client, body["reference"])
    assert decided["amount"] == "100.00" and decided["kind"] == "fee_waiver"
    assert _balance(fresh_client, "1000002", h)[0] == "212.40"
    assert _deposits(fresh_client, "1000002") == ["refunded"]
    assert _waive(fresh_client, "1000002", h, "deposit")["outcome"] == "nothing_to_grant"
    assert _balance(fresh_client, "1000002", h)[0] == "212.40"


def test_reconnection_and_meter_test_fees_need_a_fee_that_was_charged(fresh_client):
    h = verified_headers(fresh_client, "2000001")
    for kind in ("reconnection_fee", "meter_test_fee"):
        body = _waive(fresh_client, "2000001", h, kind)
        assert body["outcome"] == "nothing_to_grant", body
    assert _balance(fresh_client, "2000001", h)[0] == "640.00" and _approvals(fresh_client) == []


def test_meter_test_fee_is_charged_and_a_waiver_credits_exactly_it(fresh_client):
    h = verified_headers(fresh_client, "1000002")
    r = fresh_client.post("/api/v1/work-orders", headers=h, json={
        "kind": "meter_test", "description": "Customer disputes the meter's accuracy"})
    assert r.status_code == 201 and r.json()["fee"] == "50.00"
    # In the balance at once, and not past due.
    assert _balance(fresh_client, "1000002", h) == ("362.40", "0.00")
    body = _waive(fresh_client, "1000002", h, "meter_test_fee")
    assert body["outcome"] == "referred" and body["decision"]["rule"] == "meter_test_fee_review"
    [approval] = _approvals(fresh_client)
    assert approval.request["amount_cents"] == 5000 and approval.request["charge_id"]
    assert _balance(fresh_client, "1000002", h)[0] == "362.40"
    decided = _approve(fresh_client, body["reference"])
    assert decided["amount"] == "50.00"
    assert _balance(fresh_client, "1000002", h) == ("312.40", "0.00")
    assert _waive(fresh_client, "1000002", h, "meter_test_fee")["outcome"] == "nothing_to_grant"
    assert _balance(fresh_client, "1000002", h)[0] == "312.40"


def test_extension_granted_then_referred_then_approved_and_the_customer_told(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    before = fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["due_date"]
    body = fresh_client.post("/api/v1/accounts/1000001/extensions", headers=h,
                             json={"days": 10}).json()
    assert body["outcome"] == "granted", body
    assert "'due_date_extension'" in body["message"]["en"]
    after = fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["due_date"]
    assert after > before and body["decision"]["details"]["new_due_date"] == after
    cid = queued_conversation(fresh_client, "hola", language="es")
    again = fresh_client.post("/api/v1/accounts/1000001/extensions",
                              headers={**h, "X-Conversation-Id": cid}, json={"days": 5}).json()
    assert again["outcome"] == "referred" and again["reference"].startswith("AP-")
    [approval] = _approvals(fresh_client)
    assert approval.kind == "due_date_extension" and approval.rule == "due_date_extension"
    assert approval.conversation_id == cid and approval.language == "es"
    assert any(r["code"] == "recent_extension" for r in approval.reasons)
    assert len(_audit(fresh_client, "due_date_extension_referred")) == 1
    decided = _approve(fresh_client, again["reference"])
    assert decided["result_reference"].startswith("EXT-")
    moved = fresh_client.get("/api/v1/accounts/1000001", headers=h).json()["due_date"]
    assert moved > after
    [entry] = _audit(fresh_client, "approval_approved")
    assert entry.actor_type == "rep" and entry.detail["rule"] == "due_date_extension"
    # Told in the conversation, in Spanish, with the rule.
    messages = fresh_client.get(f"/api/v1/conversations/{cid}",
                                headers=h).json()["messages"]
    assert any("Un supervisor aprobó" in m["text"] and "'due_date_extension'" in m["text"]
               for m in messages), messages


def test_extension_longer_than_policy_is_referred(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    body = fresh_client.post("/api/v1/accounts/1000001/extensions", headers=h,
                             json={"days": 30}).json()
    assert body["outcome"] == "referred"
    assert any("14" in r["en"] for r in body["decision"]["reasons"])


def test_payment_arrangement_granted_and_one_outside_policy_approved(fresh_client):
    h = verified_headers(fresh_client, "2000001")
    body = fresh_client.post("/api/v1/accounts/2000001/payment-arrangements", headers=h,
                             json={"installments": 8}).json()
    assert body["outcome"] == "referred"
    [approval] = _approvals(fresh_client)
    assert approval.kind == "payment_arrangement" and approval.request["installments"] == 8
    decided = _approve(fresh_client, body["reference"])
    assert decided["amount"] == "640.00" and decided["result_reference"].startswith("PA-")
    assert len(_audit(fresh_client, "payment_arrangement_created")) == 1
    # Maria owes nothing past due: no arrangement to make, and nothing for a person to review.
    hm = verified_headers(fresh_client, "1000001")
    maria = fresh_client.post("/api/v1/accounts/1000001/payment-arrangements", headers=hm,
                              json={"installments": 3}).json()
    assert maria["outcome"] == "nothing_to_grant" and maria["reference"] is None
    assert maria["message"]["en"] == "You have no past-due balance, so a payment arrangement " \
        "isn't needed."
    assert len(_approvals(fresh_client)) == 1


def test_an_arrangement_on_a_shut_off_account_turns_the_water_on(fresh_client):
    with Session(fresh_client.app.state.engine) as s:
        account = s.exec(select(Account).where(Account.account_number == "2000001")).one()
        account.status = "shut_off"
        s.add(account)
        s.commit()
    h = verified_headers(fresh_client, "2000001")
    body = fresh_client.post("/api/v1/accounts/2000001/payment-arrangements", headers=h,
                             json={"installments": 4}).json()
    assert body["outcome"] == "granted", body
    amounts = [p["amount"] for p in body["decision"]["details"]["plan"]]
    assert sum(float(a) for a in amounts) == 640.00
    assert "'payment_arrangement'" in body["message"]["en"] and "WO-" in body["message"]["en"]
    a = fresh_client.get("/api/v1/accounts/2000001", headers=h).json()
    # The reconnection fee is charged (office hours: $75), and is not past due.
    assert (a["balance"], a["past_due"], a["status"]) == ("715.00", "640.00", "active")
    with Session(fresh_client.app.state.engine) as s:
        [order] = s.exec(select(WorkOrder).where(WorkOrder.kind == "turn_on")).all()
    assert order.priority == "high" and order.fee_cents == 7500


def test_a_waiver_with_no_fee_to_waive_is_answered_plainly_not_queued_for_review(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    body = _waive(fresh_client, "1000001", h, "late_fee")
    assert body["outcome"] == "nothing_to_grant"
    assert "no late fee" in body["message"]["en"] and "recargo" in body["message"]["es"]
    assert not _audit(fresh_client, "fee_waiver_requested") and _approvals(fresh_client) == []
