"""Rep accounts and the queue through the API: sign-in, roles, claim, reply, transfer, resolve,
supervisor approvals. The bot is unreachable here, so a customer message queues its
conversation (the real bot's handoffs are covered end to end)."""

import threading

from sqlmodel import Session

from backend.hub import conversations as data
from tests.utils.api import (
    FIELD_REP,
    SERVICE,
    SUPERVISOR,
    queued_conversation,
    rep_headers,
    verified_headers,
)


def test_sign_in_and_roles(client):
    bad = client.post("/api/v1/login/access-token",
                      data={"username": "rep@smwd.example.com", "password": "wrong-password"})
    assert bad.status_code == 401 and bad.json()["detail"] == "Incorrect email or password"
    unknown = client.post("/api/v1/login/access-token",
                          data={"username": "nobody@x.example", "password": "whatever-pass"})
    assert unknown.status_code == 401 and unknown.json() == bad.json()
    assert client.get("/api/v1/queue").status_code == 401
    assert client.get("/api/v1/queue", headers=SERVICE).status_code == 401  # not a rep token
    rep = rep_headers(client)
    me = client.get("/api/v1/reps/me", headers=rep).json()
    assert me["role"] == "rep" and "spanish" in me["skills"] and "password_hash" not in me
    assert client.get("/api/v1/queue/stats", headers=rep).status_code == 403
    assert client.get("/api/v1/approvals", headers=rep).status_code == 403
    sup = rep_headers(client, SUPERVISOR)
    assert client.get("/api/v1/queue/stats", headers=sup).status_code == 200
    new = client.post("/api/v1/reps", headers=sup, json={
        "email": "New.Rep@smwd.example.com", "name": "New Rep", "skills": ["billing"],
        "password": "a-long-enough-password"})
    assert new.status_code == 201 and new.json()["email"] == "new.rep@smwd.example.com"
    again = client.post("/api/v1/reps", headers=sup, json={
        "email": "new.rep@smwd.example.com", "name": "Dup", "password": "a-long-enough-password"})
    assert again.status_code == 409
    assert client.post("/api/v1/reps", headers=rep, json={}).status_code == 403


def test_queue_claim_reply_note_transfer_return_resolve(fresh_client):
    client = fresh_client
    rep, field = rep_headers(client), rep_headers(client, FIELD_REP)
    assert client.put("/api/v1/reps/me/shift", headers=rep, json={"on_shift": True}).json()[
        "on_shift"]
    cid = queued_conversation(client, "hola, necesito ayuda", language="es")
    queue = client.get("/api/v1/queue", headers=rep).json()
    entry = next(e for e in queue["entries"] if e["id"] == cid)
    assert entry["status"] == "queued" and entry["language"] == "es"
    assert entry["priority"] == "complex" and entry["age_seconds"] >= 0

    assert client.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                       json={"text": "hi"}).status_code == 409  # claim first
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=field).status_code == 409
    r = client.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                    json={"text": "Hola, soy Maria. ¿En qué le ayudo?"})
    assert r.status_code == 201 and r.json()["sender"] == "rep"
    note = client.post(f"/api/v1/queue/{cid}/messages", headers=field,
                       json={"text": "check the meter history", "internal": True})
    assert note.status_code == 201
    # The customer's view never has the note; the rep's view does.
    public = client.get(f"/api/v1/conversations/{cid}", headers=SERVICE).json()
    texts = [m["text"] for m in public["messages"]]
    assert "check the meter history" not in texts
    assert any("se unió" in t for t in texts) and "Hola, soy Maria. ¿En qué le ayudo?" in texts
    detail = client.get(f"/api/v1/queue/{cid}", headers=rep).json()
    assert any(m["internal"] and m["text"] == "check the meter history"
               for m in detail["messages"])
    # A customer message while a rep holds it is stored and the bot isn't asked.
    r = client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                    json={"text": "gracias"})
    assert r.json()["status"] == "assigned" and r.json()["replies"] == []

    moved = client.post(f"/api/v1/queue/{cid}/transfer", headers=rep, json={"skill": "field"})
    assert moved.json()["status"] == "queued"
    assert client.post(f"/api/v1/queue/{cid}/transfer", headers=rep,
                       json={"skill": "plumbing"}).status_code == 422
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=field).status_code == 200
    back = client.post(f"/api/v1/queue/{cid}/return-to-bot", headers=field)
    assert back.json()["status"] == "bot"
    cid2 = queued_conversation(client)
    client.post(f"/api/v1/queue/{cid2}/claim", headers=rep)
    assert client.post(f"/api/v1/queue/{cid2}/resolve", headers=rep).json()["status"] == "closed"
    assert client.post(f"/api/v1/conversations/{cid2}/messages", headers=SERVICE,
                       json={"text": "one more thing"}).status_code == 409
    assert client.get("/api/v1/queue/nope", headers=rep).status_code == 404


def test_exactly_one_claim_wins_a_race(fresh_client):
    client = fresh_client
    cid = queued_conversation(client)
    engine = client.app.state.engine
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def attempt(rep_id: int) -> None:
        with Session(engine) as session:
            barrier.wait()
            wins.append(data.claim(session=session, conversation_id=cid, rep_id=rep_id))

    threads = [threading.Thread(target=attempt, args=(1 + i % 3,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(wins) == [False] * 7 + [True]


def test_account_card_work_order_and_supervisor_approval(fresh_client):
    client = fresh_client
    rep, sup = rep_headers(client), rep_headers(client, SUPERVISOR)
    cid = queued_conversation(client)
    assert client.get(f"/api/v1/queue/{cid}/account", headers=rep).status_code == 404
    # The customer verified with the bot before the handoff.
    verified_headers(client, "1000002")
    with Session(client.app.state.engine) as session:
        conversation = session.get(data.Conversation, cid)
        conversation.verified_account = "1000002"
        session.add(conversation)
        session.commit()
    card = client.get(f"/api/v1/queue/{cid}/account", headers=rep).json()
    assert card["summary"]["balance"] == "312.40" and card["bills"] and card["usage"]
    client.post(f"/api/v1/queue/{cid}/claim", headers=rep)
    order = client.post(f"/api/v1/queue/{cid}/work-orders", headers=rep, json={
        "kind": "meter_reread", "description": "Customer disputes the last read"})
    assert order.status_code == 201 and order.json()["order_number"].startswith("WO-")
    card = client.get(f"/api/v1/queue/{cid}/account", headers=rep).json()
    assert [o["order_number"] for o in card["open_orders"]] == [order.json()["order_number"]]
    # A meter test's fee has no written waiver rule: it waits for a supervisor.
    assert client.post(f"/api/v1/queue/{cid}/work-orders", headers=rep, json={
        "kind": "meter_test", "description": "Customer disputes the meter"}).status_code == 201
    waiver = client.post(f"/api/v1/queue/{cid}/fee-waivers", headers=rep,
                         json={"fee_kind": "meter_test_fee", "reason": "Hardship"}).json()
    assert waiver["outcome"] == "referred"
    pending = client.get("/api/v1/approvals", headers=sup).json()
    assert [p["reference"] for p in pending] == [waiver["reference"]]
    decided = client.post(f"/api/v1/approvals/{pending[0]['id']}", headers=sup,
                          json={"approve": True, "note": "one-time courtesy"})
    assert decided.json()["status"] == "approved"
    assert client.post(f"/api/v1/approvals/{pending[0]['id']}", headers=sup,
                       json={"approve": False}).status_code == 409
    assert client.get("/api/v1/approvals", headers=sup).json() == []


def test_account_card_shows_notes_flags_and_pending_approvals(fresh_client):
    from datetime import date

    from sqlmodel import select

    from backend.models import Account
    from backend.models.approvals import Approval

    client = fresh_client
    rep = rep_headers(client)
    cid = queued_conversation(client)
    customer = verified_headers(client, "2000001")
    for body in ("Mail came back from 12 Old Mill Rd", "Customer confirmed the new address"):
        assert client.post("/api/v1/accounts/2000001/notes", headers=customer,
                           json={"body": body}).status_code == 201
    with Session(client.app.state.engine) as session:
        conversation = session.get(data.Conversation, cid)
        conversation.verified_account = "2000001"
        account = session.exec(select(Account).where(
            Account.account_number == "2000001")).one()
        account.returned_mail, account.email_bounced = True, True
        session.add(Approval(account_id=account.id, kind="fee_waiver", rule="no_written_rule",
                             request={"fee_kind": "reconnection_fee", "amount_cents": 7500},
                             requested_by="rep:1", requested_on=date(2026, 12, 2)))
        session.add_all([conversation, account])
        session.commit()
    card = client.get(f"/api/v1/queue/{cid}/account", headers=rep).json()
    assert card["summary"]["balance"] == "640.00"
    # Newest first: today's two, then the seeded shut-off note.
    assert [n["body"] for n in card["notes"]][:3] == [
        "Customer confirmed the new address", "Mail came back from 12 Old Mill Rd",
        "Past-due balance $640.00. Shut-off notice mailed 2026-11-28; service shut-off "
        "scheduled for 2026-12-09."]
    assert all(n["author"].startswith("bot:") for n in card["notes"][:2])
    assert card["notes"][0]["created_at"] > card["notes"][2]["created_at"]
    assert card["flags"] == {"returned_mail": True, "email_bounced": True}
    assert card["pending_approvals"] == 1
    # The card needs a signed-in rep.
    assert client.get(f"/api/v1/queue/{cid}/account", headers=SERVICE).status_code == 401
