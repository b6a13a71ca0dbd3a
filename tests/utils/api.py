"""Small helpers for talking to the API in tests."""

from typing import Any

from tests.utils.db import TEST_SERVICE_TOKEN

SERVICE = {"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}
FIXED = {"1000001": "92688", "1000002": "92694", "2000001": "92691"}


def verified_headers(client: Any, account_number: str, zip_code: str | None = None) -> dict[str, str]:
    zip_code = zip_code or FIXED[account_number]
    r = client.post("/api/v1/verify", headers=SERVICE,
                    json={"account_number": account_number, "zip": zip_code})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verified"] is True, body
    return {**SERVICE, "X-Verification-Token": body["verification_token"]}


def field_errors(response: Any) -> dict[str, str]:
    """{"body.zip": "message", ...} from a 422 response."""
    assert response.status_code == 422, response.text
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in response.json()["detail"]}


REP = ("rep@smwd.example.com", "rep-demo-password")
FIELD_REP = ("field@smwd.example.com", "rep-demo-password")
SUPERVISOR = ("supervisor@smwd.example.com", "supervisor-demo-password")


def rep_headers(client: Any, who: tuple[str, str] = REP) -> dict[str, str]:
    r = client.post("/api/v1/login/access-token", data={"username": who[0], "password": who[1]})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def queued_conversation(client: Any, text: str = "hello", language: str = "en") -> str:
    """A conversation in the queue: the test app's Rasa is unreachable, so the hub queues it."""
    cid = client.post("/api/v1/conversations", headers=SERVICE,
                      params={"language": language}).json()["id"]
    r = client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE, json={"text": text})
    assert r.json()["status"] == "queued", r.text
    return str(cid)
