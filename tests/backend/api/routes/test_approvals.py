"""Supervisor approvals, and the rep console's fee waivers: the same answer as the bot's API, the
same money (every fee kind, balances before and after), and the customer told the outcome."""

from sqlmodel import Session, select

from backend.hub import conversations as data
from backend.models import Account, AuditLog, Deposit
from tests.utils.api import (
    SERVICE,
    SUPERVISOR,
    queued_conversation,
    rep_headers,
    verified_headers,
)


def _claimed(client, number, language="en"):
    """A conversation the customer verified in with the bot, then handed to a rep who claimed it."""
    rep = rep_headers(client)
    cid = queued_conversation(client, "hello" if language == "en" else "hola", language=language)
    with Session(client.app.state.engine) as session:
        conversation = session.get(data.Conversation, cid)
        conversation.verified_account = number
        session.add(conversation)
        session.commit()
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    return cid, rep


def _card_balance(client, cid, rep):
    summary = client.get(f"/api/v1/queue/{cid}/account", headers=rep).json()["summary"]
    return summary["balance"], summary["past_due"]


def _waive(client, cid, rep, kind):
    r = client.post(f"/api/v1/queue/{cid}/fee-waivers", headers=rep,
                    json={"fee_kind": kind, "reason": "Courtesy"})
    assert r.status_code == 200, r.text
    return r.json()


def _texts(client, cid):
    return [m["text"] for m in client.get(f"/api/v1/conversations/{cid}",
                                          headers=SERVICE).json()["messages"]]


def test_every_fee_kind_through_the_console(fresh_client):
    client = fresh_client
    sup = rep_headers(client, SUPERVISOR)
    cid, rep = _claimed(client, "1000002")
    assert _card_balance(client, cid, rep) == ("312.40", "0.00")
    # Late fee: the written policy allows it, once; the answer has the account API's shape.
    late = _waive(client, cid, rep, "late_fee")
    assert set(late) == {"outcome", "decision", "reference", "message"}
    assert late["outcome"] == "granted" and "'late_fee_waiver'" in late["message"]["en"]
    assert _card_balance(client, cid, rep)[0] == "297.40"
    assert _waive(client, cid, rep, "late_fee")["outcome"] == "nothing_to_grant"
    # Nothing charged: a deposit, a reconnection fee, a meter-test fee.
    for kind in ("deposit", "reconnection_fee", "meter_test_fee"):
        assert _waive(client, cid, rep, kind)["outcome"] == "nothing_to_grant", kind
    assert _card_balance(client, cid, rep)[0] == "297.40"
    # A meter test the rep orders charges its fee; the waiver waits for a supervisor.
    order = client.post(f"/api/v1/queue/{cid}/work-orders", headers=rep, json={
        "kind": "meter_test", "description": "Customer disputes the meter"}).json()
    assert order["fee"] == "50.00"
    assert _card_balance(client, cid, rep) == ("347.40", "0.00")
    meter = _waive(client, cid, rep, "meter_test_fee")
    assert meter["outcome"] == "referred" and meter["reference"].startswith("AP-")
    # A held deposit James can't have waived by policy (a late payment this year).
    with Session(client.app.state.engine) as s:
        account = s.exec(select(Account).where(Account.account_number == "1000002")).one()
        s.add(Deposit(account_id=account.id, amount_cents=10000))
        s.commit()
    deposit = _waive(client, cid, rep, "deposit")
    assert deposit["outcome"] == "referred" and deposit["decision"]["rule"] == "deposit_waiver"
    assert _card_balance(client, cid, rep)[0] == "347.40"

    pending = client.get("/api/v1/approvals", headers=sup).json()
    assert [(p["reference"], p["amount"], p["kind"]) for p in pending] == [
        (meter["reference"], "50.00", "fee_waiver"), (deposit["reference"], "100.00",
                                                      "fee_waiver")]
    first = pending[0]
    assert first["account_number"] == "1000002" and first["customer_name"] == "James Carter"
    assert first["rule"] == "meter_test_fee_review" and first["rule_text"]["code"] == \
        "meter_test_fee_review"
    assert first["reasons"][0]["code"] == "representative_review"
    assert first["request"]["fee_kind"] == "meter_test_fee" and first["requested_by"] == "rep:1"
    assert first["conversation_id"] == cid and first["language"] == "en"
    assert first["status"] == "pending" and first["decided_by"] is None
    for p in pending:
        decided = client.post(f"/api/v1/approvals/{p['id']}", headers=sup,
                              json={"approve": True, "note": "courtesy"}).json()
        assert decided["status"] == "approved" and decided["result_reference"].startswith("FA-")
    assert _card_balance(client, cid, rep) == ("197.40", "0.00")
    texts = _texts(client, cid)
    assert any("A supervisor approved your meter test fee waiver ($50.00) under the district's "
               "'meter_test_fee_review' rule; it is credited to your balance." in t for t in texts)
    assert any("deposit waiver ($100.00)" in t for t in texts)
    # Once credited, each is gone: asking again changes nothing.
    for kind in ("meter_test_fee", "deposit", "late_fee"):
        assert _waive(client, cid, rep, kind)["outcome"] == "nothing_to_grant", kind
    assert _card_balance(client, cid, rep)[0] == "197.40"
    approved = client.get("/api/v1/approvals", headers=sup, params={"status": "approved"}).json()
    assert [a["reference"] for a in approved] == [p["reference"] for p in pending]


def test_denial_needs_a_note_and_tells_the_customer_in_their_language(fresh_client):
    client = fresh_client
    rep, sup = rep_headers(client), rep_headers(client, SUPERVISOR)
    cid = queued_conversation(client, "hola", language="es")
    h = verified_headers(client, "2000001")
    body = client.post("/api/v1/accounts/2000001/fee-waivers",
                       headers={**h, "X-Conversation-Id": cid},
                       json={"fee_kind": "late_fee", "reason": "Hardship"}).json()
    assert body["outcome"] == "referred"
    approval_id = int(body["reference"].removeprefix("AP-"))
    assert client.get("/api/v1/approvals", headers=rep).status_code == 403
    assert client.post(f"/api/v1/approvals/{approval_id}", headers=rep,
                       json={"approve": True}).status_code == 403
    assert client.post("/api/v1/approvals/999999", headers=sup,
                       json={"approve": True}).status_code == 404
    no_note = client.post(f"/api/v1/approvals/{approval_id}", headers=sup,
                          json={"approve": False, "note": "  "})
    assert no_note.status_code == 422 and no_note.json()["detail"][0]["loc"] == ["body", "note"]
    denied = client.post(f"/api/v1/approvals/{approval_id}", headers=sup,
                         json={"approve": False, "note": "Ya se eximió uno este año."}).json()
    assert denied["status"] == "denied" and denied["decision_note"] == "Ya se eximió uno este año."
    assert denied["decided_by"].startswith("rep:") and denied["decided_at"]
    assert denied["result_reference"] is None
    assert client.post(f"/api/v1/approvals/{approval_id}", headers=sup,
                       json={"approve": True}).status_code == 409
    assert any(t.startswith("Un supervisor revisó su solicitud de exención de su recargo por "
                            "pago atrasado y no pudo aprobarla: Ya se eximió uno este año.")
               for t in _texts(client, cid))
    assert client.get("/api/v1/accounts/2000001", headers=h).json()["balance"] == "640.00"
    assert client.get("/api/v1/approvals", headers=sup).json() == []
    assert [a["id"] for a in client.get("/api/v1/approvals", headers=sup,
                                        params={"status": "denied"}).json()] == [approval_id]
    with Session(client.app.state.engine) as s:
        [entry] = s.exec(select(AuditLog).where(AuditLog.action == "approval_denied")).all()
    assert entry.actor_type == "rep" and entry.reason == "Ya se eximió uno este año."
