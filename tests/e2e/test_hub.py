"""A conversation through the backend's REST API, answered by the real bot and queued for a person."""

import httpx
import pytest

from tests.utils.stack import SERVICE_TOKEN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def test_rest_conversation_with_the_bot_then_a_handoff(stack):
    api = f"{stack.backend}/api/v1/conversations"
    cid = httpx.post(api, headers=SERVICE).json()["id"]

    def say(text: str) -> dict:
        r = httpx.post(f"{api}/{cid}/messages", headers=SERVICE, json={"text": text}, timeout=60)
        r.raise_for_status()
        return r.json()

    first = say("how much do i owe")
    assert first["status"] == "bot" and "account number" in first["replies"][0]["text"]
    say("1000002")
    balance = say("92694")
    assert any("$312.40" in m["text"] for m in balance["replies"])
    handed = say("i want to talk to a real person")
    assert handed["status"] == "queued"
    conversation = httpx.get(f"{api}/{cid}", headers=SERVICE).json()
    assert conversation["handoff_priority"] == "request"
    assert conversation["verified_account"] == "1000002"
    assert "1000002" in conversation["handoff"]["summary"]
    seqs = [m["seq"] for m in conversation["messages"]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [m["sender"] for m in conversation["messages"]][:2] == ["customer", "bot"]
    # Queued: a further message is stored but the bot is not asked.
    assert say("hello?")["replies"] == []
