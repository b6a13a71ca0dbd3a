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
