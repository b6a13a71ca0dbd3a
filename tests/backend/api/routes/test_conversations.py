"""The REST conversation API: a retry with the same Idempotency-Key is the same message."""

from tests.utils.api import SERVICE


def test_a_retried_message_is_stored_once(client):
    cid = client.post("/api/v1/conversations", headers=SERVICE).json()["id"]
    url = f"/api/v1/conversations/{cid}/messages"
    key = {**SERVICE, "Idempotency-Key": "msg-1"}
    first = client.post(url, headers=key, json={"text": "is there an outage on my street?"})
    again = client.post(url, headers=key, json={"text": "is there an outage on my street?"})
    assert first.status_code == again.status_code == 200
    other = client.post(url, headers={**SERVICE, "Idempotency-Key": "msg-2"},
                        json={"text": "hello?"})
    assert other.status_code == 200
    said = [m["text"] for m in client.get(f"/api/v1/conversations/{cid}", headers=SERVICE)
            .json()["messages"] if m["sender"] == "customer"]
    assert said == ["is there an outage on my street?", "hello?"]


def test_an_idempotency_key_must_be_printable_and_short(client):
    cid = client.post("/api/v1/conversations", headers=SERVICE).json()["id"]
    url = f"/api/v1/conversations/{cid}/messages"
    for bad in ("x" * 59, "has space"):
        r = client.post(url, headers={**SERVICE, "Idempotency-Key": bad}, json={"text": "hi"})
        assert r.status_code == 422, (bad, r.text)
