"""Every rep write on the hub and the rep administration is audited, with the rep as the actor,
in the same transaction as the change (backend/hub/desk.py, backend/hub/conversations.py,
backend/crud/reps.py)."""

from sqlmodel import Session, col, select

from backend.models import AuditLog
from backend.models.conversations import Message
from backend.models.reps import Rep
from tests.utils.api import (
    FIELD_REP,
    SERVICE,
    SUPERVISOR,
    queued_conversation,
    rep_headers,
)


def _rows(client, **where) -> list[AuditLog]:
    with Session(client.app.state.engine) as session:
        query = select(AuditLog).order_by(col(AuditLog.id))
        for field, value in where.items():
            query = query.where(getattr(AuditLog, field) == value)
        return list(session.exec(query).all())


def _rep_id(client, email: str) -> str:
    with Session(client.app.state.engine) as session:
        return str(session.exec(select(Rep.id).where(Rep.email == email)).one())


def test_claim_messages_transfer_return_and_resolve_are_audited(fresh_client):
    client = fresh_client
    rep, field = rep_headers(client), rep_headers(client, FIELD_REP)
    rep_id, field_id = _rep_id(client, "rep@smwd.example.com"), _rep_id(client,
                                                                       "field@smwd.example.com")
    cid = queued_conversation(client, "I need help")
    before = len(_rows(client))

    assert client.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=field).status_code == 409
    reply = client.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                        json={"text": "Hello, my card 4111 1111 1111 1111 is not for you"})
    note = client.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                       json={"text": "customer sounds upset", "internal": True})
    assert reply.status_code == note.status_code == 201
    assert client.post(f"/api/v1/queue/{cid}/transfer", headers=rep,
                       json={"rep_id": int(field_id)}).status_code == 200
    assert client.post(f"/api/v1/queue/{cid}/transfer", headers=field,
                       json={"skill": "billing"}).status_code == 200
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    assert client.post(f"/api/v1/queue/{cid}/return-to-bot", headers=rep).status_code == 200
    # Back with the bot (which is down here), the next message queues it again.
    assert client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                       json={"text": "still there?"}).json()["status"] == "queued"
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=field).status_code == 200
    assert client.post(f"/api/v1/queue/{cid}/resolve", headers=field).status_code == 200

    rows = _rows(client, entity="conversation", entity_id=cid)
    assert len(_rows(client)) - before == len(rows)  # nothing else was audited
    got = [(r.action, r.actor_type, r.actor_id) for r in rows]
    assert got == [
        ("conversation_claimed", "rep", rep_id),  # the losing claim wrote nothing
        ("rep_message_sent", "rep", rep_id),
        ("internal_note_added", "rep", rep_id),
        ("conversation_transferred", "rep", rep_id),
        ("conversation_transferred", "rep", field_id),
        ("conversation_claimed", "rep", rep_id),
        ("conversation_returned_to_bot", "rep", rep_id),
        ("conversation_claimed", "rep", field_id),
        ("conversation_resolved", "rep", field_id),
    ]
    assert all(r.detail["conversation_id"] == cid for r in rows)
    # The fact and the message's seq, never the text.
    with Session(client.app.state.engine) as session:
        seqs = {m.seq: m for m in session.exec(select(Message).where(
            Message.conversation_id == cid)).all()}
    sent, noted = rows[1], rows[2]
    assert "**** 1111 is not for you" in seqs[sent.detail["seq"]].text
    assert not seqs[sent.detail["seq"]].internal
    assert seqs[noted.detail["seq"]].internal
    assert all("text" not in r.detail and "upset" not in str(r.detail) for r in rows)
    assert rows[3].detail["after"] == {"status": "assigned", "rep_id": int(field_id)}
    assert rows[4].detail["before"]["rep_id"] == int(field_id)
    assert rows[4].detail["after"] == {"status": "queued", "rep_id": None, "skills": ["billing"]}
    assert rows[-1].detail["after"]["status"] == "closed"


def test_a_supervisor_stepping_in_is_audited_as_the_supervisor(fresh_client):
    client = fresh_client
    rep_id = _rep_id(client, "rep@smwd.example.com")
    supervisor_id = _rep_id(client, "supervisor@smwd.example.com")
    cid = queued_conversation(client, "I need help")
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=rep_headers(client)).status_code == 200
    assert client.post(f"/api/v1/queue/{cid}/resolve",
                       headers=rep_headers(client, SUPERVISOR)).status_code == 200
    resolved = _rows(client, action="conversation_resolved", entity_id=cid)
    assert [(r.actor_type, r.actor_id) for r in resolved] == [("rep", supervisor_id)]
    assert supervisor_id != rep_id


def test_shift_changes_and_rep_creation_are_audited(fresh_client):
    client = fresh_client
    rep, sup = rep_headers(client), rep_headers(client, SUPERVISOR)
    rep_id, sup_id = _rep_id(client, "rep@smwd.example.com"), _rep_id(
        client, "supervisor@smwd.example.com")
    assert client.put("/api/v1/reps/me/shift", headers=rep, json={"on_shift": True}).json()[
        "on_shift"]
    assert not client.put("/api/v1/reps/me/shift", headers=rep,
                          json={"on_shift": False}).json()["on_shift"]
    # The demo reps' own creation was audited too, by the system that seeded them.
    [seeded] = _rows(client, entity="rep", entity_id=rep_id, action="rep_created")
    assert (seeded.actor_type, seeded.actor_id) == ("system", "system")
    shifts = _rows(client, entity="rep", entity_id=rep_id, actor_type="rep")
    assert [(r.action, r.actor_type, r.actor_id, r.detail) for r in shifts] == [
        ("shift_started", "rep", rep_id, {"before": False, "after": True}),
        ("shift_ended", "rep", rep_id, {"before": True, "after": False})]

    new = client.post("/api/v1/reps", headers=sup, json={
        "email": "Audit.Rep@smwd.example.com", "name": "Audit Rep", "skills": ["billing"],
        "password": "a-long-enough-password"})
    assert new.status_code == 201
    [created] = _rows(client, action="rep_created", actor_type="rep")
    assert (created.actor_type, created.actor_id, created.entity_id) == (
        "rep", sup_id, str(new.json()["id"]))
    assert created.detail == {"email": "audit.rep@smwd.example.com", "role": "rep",
                              "skills": ["billing"]}
    assert "password" not in str(created.detail)
    # A refused creation writes nothing.
    assert client.post("/api/v1/reps", headers=sup, json={
        "email": "audit.rep@smwd.example.com", "name": "Dup",
        "password": "a-long-enough-password"}).status_code == 409
    assert len(_rows(client, action="rep_created", actor_type="rep")) == 1
