"""Every write takes an Idempotency-Key: a retry returns the first result and writes nothing.

backend/api/idempotency.py's middleware covers every POST/PUT/PATCH/DELETE under /api/v1; each
router has a test below that a retry writes nothing twice and gets the same answer."""

import threading

import pytest
from sqlmodel import Session, func, select

from backend.models import (
    AccountNote,
    Approval,
    AuditLog,
    Conversation,
    IdempotencyRecord,
    InboundEmail,
    Message,
    Payment,
    ServiceOrder,
    VerificationAttempt,
    WorkOrder,
)
from backend.models.reps import Rep
from tests.backend.api.routes.test_orders import start_body
from tests.utils.api import SERVICE, SUPERVISOR, queued_conversation, rep_headers, verified_headers
from tests.utils.mail import mail

LEAK = {"kind": "leak_investigation", "location": "14 Vista Ridge", "zip": "92694",
        "description": "Water pooling by the meter box"}


def _count(client, model):
    with Session(client.app.state.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_retry_with_the_same_key_replays_the_first_response(fresh_client):
    before = _count(fresh_client, WorkOrder), _count(fresh_client, AuditLog)
    h = {**SERVICE, "Idempotency-Key": "leak-report-1"}
    first = fresh_client.post("/api/v1/work-orders", headers=h, json=LEAK)
    second = fresh_client.post("/api/v1/work-orders", headers=h, json=LEAK)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert (_count(fresh_client, WorkOrder), _count(fresh_client, AuditLog)) == (
        before[0] + 1, before[1] + 1)


def test_same_key_with_another_body_is_refused(fresh_client):
    h = {**SERVICE, "Idempotency-Key": "leak-report-2"}
    assert fresh_client.post("/api/v1/work-orders", headers=h, json=LEAK).status_code == 201
    other = {**LEAK, "description": "Something else entirely"}
    r = fresh_client.post("/api/v1/work-orders", headers=h, json=other)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["header", "idempotency-key"]


def test_without_a_key_each_request_writes(fresh_client):
    before = _count(fresh_client, WorkOrder)
    for _ in range(2):
        assert fresh_client.post("/api/v1/work-orders", headers=SERVICE, json=LEAK).status_code == 201
    assert _count(fresh_client, WorkOrder) == before + 2


WRITES = (AuditLog, Message, AccountNote, WorkOrder, ServiceOrder, Approval, Conversation,
          VerificationAttempt, Rep, Payment)


def _counts(client, models=WRITES):
    return {m.__name__: _count(client, m) for m in models}


def _retried(client, method, url, *, headers, key, **kw):
    """The write, then its retry with the same key: the retry is a replay and writes nothing."""
    before = _counts(client)
    h = {**headers, "Idempotency-Key": key}
    first = client.request(method, url, headers=h, **kw)
    assert 200 <= first.status_code < 300, first.text
    assert "Idempotent-Replayed" not in first.headers
    written = _counts(client)
    assert written != before, "the first request wrote nothing"
    again = client.request(method, url, headers=h, **kw)
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _counts(client) == written
    return first


def _held_conversation(client, rep, number="1000002"):
    """A queued conversation whose customer verified with the bot, claimed by `rep`."""
    cid = queued_conversation(client)
    with Session(client.app.state.engine) as s:
        conversation = s.get(Conversation, cid)
        conversation.verified_account = number
        s.add(conversation)
        s.commit()
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    return cid


def test_accounts_router(fresh_client):
    h = verified_headers(fresh_client, "1000001")
    _retried(fresh_client, "POST", "/api/v1/accounts/1000001/notes", headers=h, key="note-1",
             json={"body": "Asked about the new rates"})
    _retried(fresh_client, "PUT", "/api/v1/accounts/1000001/autopay", headers=h, key="ap-1",
             json={"enabled": True})
    _retried(fresh_client, "PATCH", "/api/v1/accounts/1000001/contact", headers=h, key="c-1",
             json={"phone": "949-555-0199"})


def test_policies_router(fresh_client):
    h = verified_headers(fresh_client, "1000002")
    _retried(fresh_client, "POST", "/api/v1/accounts/1000002/extensions", headers=h,
             key="ext-1", json={"days": 10})


def test_service_orders_router(fresh_client):
    body = start_body(fresh_client.app.state.settings)
    first = _retried(fresh_client, "POST", "/api/v1/service-orders", headers=SERVICE,
                     key="start-1", json=body)
    assert first.json()["order_number"].startswith("SO-")


def test_work_orders_router(fresh_client):
    _retried(fresh_client, "POST", "/api/v1/work-orders", headers=SERVICE, key="wo-1",
             json=LEAK)


def test_queue_router(fresh_client):
    client = fresh_client
    rep = rep_headers(client)
    cid = queued_conversation(client)
    # A retried claim gets its own 200 again, not "someone else has it".
    _retried(client, "POST", f"/api/v1/queue/{cid}/claim", headers=rep, key="claim-1")
    _retried(client, "POST", f"/api/v1/queue/{cid}/messages", headers=rep, key="say-1",
             json={"text": "Hello, I can help with that."})
    _retried(client, "POST", f"/api/v1/queue/{cid}/transfer", headers=rep, key="tr-1",
             json={"skill": "billing"})
    assert client.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    _retried(client, "POST", f"/api/v1/queue/{cid}/return-to-bot", headers=rep, key="rb-1")
    held = _held_conversation(client, rep)
    _retried(client, "POST", f"/api/v1/queue/{held}/work-orders", headers=rep, key="qwo-1",
             json={"kind": "meter_reread", "description": "Customer disputes the last read"})
    waived = _retried(client, "POST", f"/api/v1/queue/{held}/fee-waivers", headers=rep,
                      key="qfw-1", json={"fee_kind": "late_fee", "reason": "Hardship"})
    assert waived.json()["outcome"] == "granted"
    _retried(client, "POST", f"/api/v1/queue/{held}/resolve", headers=rep, key="res-1")


def test_approvals_router(fresh_client):
    client = fresh_client
    rep, sup = rep_headers(client), rep_headers(client, SUPERVISOR)
    held = _held_conversation(client, rep)
    # A meter test charges its fee; waiving it is for a supervisor.
    assert client.post(f"/api/v1/queue/{held}/work-orders", headers=rep, json={
        "kind": "meter_test", "description": "Customer doubts the meter"}).status_code == 201
    waiver = client.post(f"/api/v1/queue/{held}/fee-waivers", headers=rep,
                         json={"fee_kind": "meter_test_fee", "reason": "Hardship"}).json()
    assert waiver["outcome"] == "referred", waiver
    [pending] = client.get("/api/v1/approvals", headers=sup).json()
    # The retried decision replays the first one's 200 instead of "already decided".
    decided = _retried(client, "POST", f"/api/v1/approvals/{pending['id']}", headers=sup,
                       key="decide-1", json={"approve": True, "note": "one-time courtesy"})
    assert decided.json()["status"] == "approved"


def test_reps_router(fresh_client):
    client = fresh_client
    rep, sup = rep_headers(client), rep_headers(client, SUPERVISOR)
    new = {"email": "retry.rep@smwd.example.com", "name": "Retry Rep", "skills": ["billing"],
           "password": "a-long-enough-password"}
    # A retried creation replays the 201 instead of "a rep with this email already exists".
    _retried(client, "POST", "/api/v1/reps", headers=sup, key="rep-1", json=new)
    _retried(client, "PUT", "/api/v1/reps/me/shift", headers=rep, key="shift-1",
             json={"on_shift": True})


def test_conversations_router(fresh_client):
    first = _retried(fresh_client, "POST", "/api/v1/conversations", headers=SERVICE,
                     key="open-1", params={"language": "es"})
    cid = first.json()["id"]
    # A customer message is not replayed by the middleware: its key is the message's client_id
    # in the hub, which stores it once and answers it again when nothing was said after it
    # (tests/backend/api/routes/test_conversations.py), so a lost answer is said again.
    url = f"/api/v1/conversations/{cid}/messages"
    h = {**SERVICE, "Idempotency-Key": "said-1"}
    before = _count(fresh_client, Message)
    assert fresh_client.post(url, headers=h, json={"text": "hola"}).status_code == 200
    written = _count(fresh_client, Message)
    assert fresh_client.post(url, headers=h, json={"text": "hola"}).status_code == 200
    assert _count(fresh_client, Message) == written > before


def test_verification_router(fresh_client):
    first = _retried(fresh_client, "POST", "/api/v1/verify", headers=SERVICE, key="verify-1",
                     json={"account_number": "1000001", "zip": "92688"})
    assert first.json()["verified"] is True


def test_payments_router(fresh_client):
    h = {**SERVICE, "X-Actor": "integration", "X-Actor-Id": "processor"}
    posted = _retried(fresh_client, "POST", "/api/v1/accounts/1000002/payments", headers=h,
                      key="pay-1", json={"amount": "12.40", "method": "card", "channel": "web"})
    assert posted.json()["balance"] == "300.00"


def test_returned_mail_router(fresh_client):
    rep = rep_headers(fresh_client)
    _retried(fresh_client, "POST", "/api/v1/returned-mail", headers=rep, key="rm-1",
             json={"account_number": "1000002", "note": "Envelope came back: no such number"})


def test_email_webhook_dedupes_by_message_id(fresh_client):
    """Not an Idempotency-Key route: a provider's webhook retries the same raw message, and the
    inbox stores it (as a duplicate) but treats an email once, by its Message-ID."""
    raw = bytes(mail("How much do I owe? My account is 1000002."))
    h = {**SERVICE, "Content-Type": "message/rfc822"}
    first = fresh_client.post("/api/v1/email/inbound", headers=h, content=raw)
    assert first.status_code == 202, first.text
    conversations, messages = _count(fresh_client, Conversation), _count(fresh_client, Message)
    again = fresh_client.post("/api/v1/email/inbound", headers=h, content=raw)
    assert again.status_code == 202 and again.json()["status"] == "duplicate"
    assert (_count(fresh_client, Conversation), _count(fresh_client, Message)) == (
        conversations, messages)
    assert _count(fresh_client, InboundEmail) == 2


def test_sign_in_is_not_kept():
    """POST /login/access-token is left alone: it writes nothing a retry could repeat (a failed
    sign-in is counted whether or not a key comes with it), and its answer is a credential,
    which must not be stored at rest in the idempotency table."""
    from backend.api.idempotency import EXEMPT

    assert any(p.match("/login/access-token") for p in EXEMPT)


# ---- the middleware's own rules -------------------------------------------------------------

def test_keys_are_scoped_by_caller(fresh_client):
    """Another caller using the same key gets its own write, never the first caller's answer."""
    client = fresh_client
    rep, sup = rep_headers(client), rep_headers(client, SUPERVISOR)
    h = {"Idempotency-Key": "shift"}
    mine = client.put("/api/v1/reps/me/shift", headers={**rep, **h}, json={"on_shift": True})
    theirs = client.put("/api/v1/reps/me/shift", headers={**sup, **h}, json={"on_shift": True})
    assert mine.json()["email"] == "rep@smwd.example.com"
    assert theirs.json()["email"] == "supervisor@smwd.example.com"
    assert "Idempotent-Replayed" not in theirs.headers


def test_failures_are_not_kept_and_free_the_key(fresh_client):
    client = fresh_client
    rep = rep_headers(client)
    cid = queued_conversation(client)
    h = {**rep, "Idempotency-Key": "say-early"}
    url = f"/api/v1/queue/{cid}/messages"
    assert client.post(url, headers=h, json={"text": "hi"}).status_code == 409  # claim first
    assert _count(client, IdempotencyRecord) == 0
    client.post(f"/api/v1/queue/{cid}/claim", headers=rep)
    assert client.post(url, headers=h, json={"text": "hi"}).status_code == 201


@pytest.mark.parametrize("key", ["", "x" * 201, "has space", "tab\there"])
def test_a_bad_key_is_refused(client, key):
    r = client.post("/api/v1/work-orders", headers={**SERVICE, "Idempotency-Key": key},
                    json=LEAK)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["header", "idempotency-key"]


def test_concurrent_retries_write_once(fresh_client):
    """Eight copies of one request at once: one write; every other copy waits for it and
    replays it (or, if it waited too long, is told to retry with 409), never a second write."""
    client = fresh_client
    sup = rep_headers(client, SUPERVISOR)
    before = _count(client, Rep)
    new = {"email": "race.rep@smwd.example.com", "name": "Race Rep",
           "password": "a-long-enough-password"}
    barrier = threading.Barrier(8)
    answers: list[tuple[int, bytes, bool]] = []

    def attempt() -> None:
        barrier.wait()
        r = client.post("/api/v1/reps", headers={**sup, "Idempotency-Key": "race"}, json=new)
        answers.append((r.status_code, r.content, "Idempotent-Replayed" in r.headers))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count(client, Rep) == before + 1
    done = [a for a in answers if a[0] == 201]
    assert [a[2] for a in done].count(False) == 1  # one wrote; the rest replayed it
    assert len({a[1] for a in done}) == 1
    assert all(a[0] in (201, 409) for a in answers)
