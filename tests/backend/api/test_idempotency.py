"""Every write takes an Idempotency-Key: a retry returns the first result and writes nothing."""

from sqlmodel import Session, func, select

from backend.models import AuditLog, WorkOrder
from tests.utils.api import SERVICE

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
