"""GET /api/v1/queue/{id}/draft: a rep's token is required, an unknown conversation is 404, and
the draft comes back with its basis, in the customer's language."""

from tests.utils.api import SERVICE, queued_conversation, rep_headers


def test_a_rep_gets_a_draft_with_its_basis(client):
    rep = rep_headers(client)
    cid = queued_conversation(client, "hola, ¿me pueden quitar el recargo?", language="es")
    r = client.get(f"/api/v1/queue/{cid}/draft", headers=rep)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"text", "language", "topic", "decision", "rule", "rule_text", "basis"}
    # Not verified: a request to verify, in Spanish, and no account data.
    assert (body["language"], body["topic"], body["decision"], body["rule"]) == (
        "es", "fee_waiver", "verify", "verification")
    assert "número de cuenta" in body["text"] and "$" not in body["text"]
    assert body["rule_text"]["es"] and body["rule_text"]["en"]
    assert [b["code"] for b in body["basis"]][:3] == ["topic", "decision", "rule"]
    # Drafting sends nothing: the transcript is what it was.
    detail = client.get(f"/api/v1/queue/{cid}", headers=rep).json()
    assert not [m for m in detail["messages"] if m["sender"] == "rep"]


def test_auth_and_unknown_conversation(client):
    cid = queued_conversation(client, "hello")
    assert client.get(f"/api/v1/queue/{cid}/draft").status_code == 401
    assert client.get(f"/api/v1/queue/{cid}/draft", headers=SERVICE).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert client.get(f"/api/v1/queue/{cid}/draft", headers=bad).status_code == 401
    r = client.get("/api/v1/queue/nosuchconversation/draft", headers=rep_headers(client))
    assert r.status_code == 404 and r.json()["detail"] == "No such conversation"
