from tests.utils.api import SERVICE, field_errors


def test_verify_by_account_and_zip(client):
    r = client.post("/api/v1/verify", headers=SERVICE,
                    json={"account_number": "1000002", "zip": "92694"})
    body = r.json()
    assert body["verified"] is True and body["first_name"] == "James"
    assert body["verification_token"] and body["expires_in"] > 0


def test_verify_by_phone_and_last_name_ignores_accents_and_format(client):
    r = client.post("/api/v1/verify", headers=SERVICE,
                    json={"phone": "+1 (949) 555-0101", "last_name": "  lópez"})
    body = r.json()
    assert body["verified"] is True and body["account_number"] == "1000001"
    assert body["preferred_language"] == "es"


def test_wrong_details_reveal_nothing(client):
    r = client.post("/api/v1/verify", headers=SERVICE,
                    json={"account_number": "1000001", "zip": "92694",
                          "conversation_id": "wrong-zip-test"})
    body = r.json()
    assert r.status_code == 200 and body["verified"] is False
    assert body["account_number"] is None and body["first_name"] is None
    assert body["verification_token"] is None
    assert body["message"]["es"]


def test_lockout_after_repeated_failures(fresh_client):
    attempt = {"phone": "9495550102", "last_name": "Smith"}
    lefts = []
    for _ in range(5):
        r = fresh_client.post("/api/v1/verify", headers=SERVICE, json=attempt)
        assert r.status_code == 200
        lefts.append(r.json()["attempts_left"])
    assert lefts == [4, 3, 2, 1, 0]
    # Locked now, even with the right details.
    r = fresh_client.post("/api/v1/verify", headers=SERVICE,
                          json={"phone": "9495550102", "last_name": "Carter"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    # Another customer is not affected.
    r = fresh_client.post("/api/v1/verify", headers=SERVICE,
                          json={"account_number": "1000001", "zip": "92688"})
    assert r.json()["verified"] is True


def test_verify_needs_one_complete_method(client):
    errors = field_errors(client.post("/api/v1/verify", headers=SERVICE,
                                      json={"account_number": "1000001"}))
    assert any("zip" in msg for msg in errors.values())
    errors = field_errors(client.post("/api/v1/verify", headers=SERVICE,
                                      json={"account_number": "12ab", "zip": "92688"}))
    assert "body.account_number" in errors
