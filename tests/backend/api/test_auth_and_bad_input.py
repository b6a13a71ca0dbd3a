"""Wrong credentials and bad input get clear errors, never a crash."""

import pytest

from tests.utils.api import SERVICE


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_missing_or_wrong_service_token_is_401(client, headers):
    r = client.get("/api/v1/district", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert "service token" in r.json()["detail"]


def test_service_token_cannot_pose_as_a_rep(client):
    r = client.get("/api/v1/district", headers={**SERVICE, "X-Actor": "rep"})
    assert r.status_code == 403


def test_health_needs_no_token(client):
    assert client.get("/api/v1/utils/health-check").json() == {"status": "ok"}


def test_malformed_json_is_422(client):
    r = client.post("/api/v1/verify", headers={**SERVICE, "Content-Type": "application/json"},
                    content=b'{"account_number": ')
    assert r.status_code == 422


def test_huge_payload_is_413(client):
    r = client.post("/api/v1/verify", headers=SERVICE,
                    json={"account_number": "1000001", "zip": "92688", "x": "a" * 400_000})
    assert r.status_code == 413
    assert "larger than" in r.json()["detail"]
    # The server is still fine afterwards.
    assert client.get("/api/v1/utils/health-check").status_code == 200


def test_unknown_account_with_a_valid_token_for_it_is_404(client, seeded_settings):
    from backend.core.security import create_verification_token
    token, _ = create_verification_token(settings=seeded_settings, account_number="9999999",
                                         method="test", conversation_id=None)
    r = client.get("/api/v1/accounts/9999999", headers={**SERVICE, "X-Verification-Token": token})
    assert r.status_code == 404


def test_openapi_spec_is_clean(client):
    spec = client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    for path in spec["paths"].values():
        for op in path.values():
            assert op.get("summary") and op.get("tags"), op
