"""Conversations through the REST API when the bot can't be reached: told plainly, queued, nothing lost."""

from tests.utils.api import SERVICE


def test_rasa_down_queues_the_conversation_and_keeps_every_message(client):
    # The test app's RASA_URL points at a port nothing listens on.
    conv = client.post("/api/v1/conversations", headers=SERVICE, params={"language": "es"})
    assert conv.status_code == 201
    cid = conv.json()["id"]
    r = client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                    json={"text": "hola, mi tarjeta es 4111 1111 1111 1111"})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "queued"
    assert "no está disponible" in body["replies"][0]["text"]
    # While queued, the bot is not asked again; the message is still stored.
    r = client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                    json={"text": "¿hay alguien?"})
    assert r.json()["replies"] == [] and r.json()["status"] == "queued"
    got = client.get(f"/api/v1/conversations/{cid}", headers=SERVICE).json()
    assert [m["sender"] for m in got["messages"]] == ["customer", "system", "system", "customer"]
    assert [m["seq"] for m in got["messages"]] == [1, 2, 3, 4]
    # No rep is on shift, so the customer is told when someone will answer, in Spanish.
    assert "deje su correo" in got["messages"][2]["text"]
    assert "4111 1111 1111 1111" not in got["messages"][0]["text"]
    assert got["messages"][0]["text"].endswith("1111")
    assert got["handoff_priority"] == "complex" and "unavailable" in got["handoff_reason"]


def test_conversation_errors(client):
    assert client.post("/api/v1/conversations").status_code == 401
    r = client.post("/api/v1/conversations/nope/messages", headers=SERVICE, json={"text": "hi"})
    assert r.status_code == 404
    cid = client.post("/api/v1/conversations", headers=SERVICE).json()["id"]
    r = client.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE, json={"text": ""})
    assert r.status_code == 422
