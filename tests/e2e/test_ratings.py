"""The customer's voice with the real stack: a widget-style conversation in which the bot
finishes a task (the balance, after verification) gets one rating request; the customer's
rating over their own socket is stored with the conversation's facts; every customer message
the bot read has its intent."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from tests.utils.chat import Customer, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _rows(stack, sql: str, **params):
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as db:
            return db.execute(text(sql), params).mappings().all()
    finally:
        engine.dispose()


def test_a_finished_bot_task_asks_once_and_the_rating_is_stored(stack):
    async def scenario() -> str:
        customer = Customer(stack.backend)
        cid = await customer.connect(language="en")
        # Before anything is asked, a rating is refused.
        early = await customer.sio.call("rate", {"score": 5}, timeout=30)
        assert early["ok"] is False and early["error"] == "not_requested"

        await customer.say("how much do I owe?", client_id="r1")
        await customer.wait_for("bot_uttered", lambda m: "account number" in m["text"])
        await customer.say("1000002", client_id="r2")
        await customer.say("92694", client_id="r3")
        await customer.wait_for("bot_uttered", lambda m: "$312.40" in m["text"])
        asked = await customer.wait_for(
            "bot_uttered", lambda m: "rating_request" in m["metadata"], timeout=30)
        assert asked["metadata"]["rating_request"] == {"trigger": "bot_task"}
        assert asked["metadata"]["sender"] == "system" and "How did we do" in asked["text"]
        # Control messages never reach the customer.
        assert not any("task_done" in str(m) or '"nlu"' in str(m)
                       for m in customer.events["bot_uttered"])

        # A second finished task asks nothing more.
        await customer.say("what's my balance?", client_id="r4")
        await customer.wait_for("bot_uttered", lambda m: "$312.40" in m["text"]
                                and m["metadata"]["seq"] > asked["metadata"]["seq"])
        assert sum("rating_request" in m["metadata"]
                   for m in customer.events["bot_uttered"]) == 1

        bad = await customer.sio.call("rate", {"score": 9}, timeout=30)
        assert bad["ok"] is False and bad["error"] == "bad_score"
        ok = await customer.sio.call(
            "rate", {"score": 4, "comment": "Quick, thanks. 4111 1111 1111 1111"}, timeout=30)
        assert ok == {"ok": True}
        again = await customer.sio.call("rate", {"score": 1}, timeout=30)
        assert again["ok"] is False and again["error"] == "already_rated"
        await customer.disconnect()
        return cid

    cid = run(scenario())
    [rating] = _rows(stack, "SELECT * FROM rating WHERE conversation_id = :cid", cid=cid)
    assert (rating["score"], rating["channel"], rating["language"], rating["trigger"]) == (
        4, "web", "en", "bot_task")
    assert not rating["person_involved"]
    assert "4111 1111" not in rating["comment"] and rating["comment"].startswith("Quick, thanks.")
    intents = rating["intents"]
    intents = intents if isinstance(intents, list) else json.loads(intents)
    assert "check_balance" in intents
    said = _rows(stack, "SELECT text, intent FROM message WHERE conversation_id = :cid "
                        "AND sender = 'customer' ORDER BY seq", cid=cid)
    assert [m["text"] for m in said] == ["how much do I owe?", "1000002", "92694",
                                         "what's my balance?"]
    assert all(m["intent"] for m in said)  # every message the bot read
    assert said[0]["intent"] == said[3]["intent"] == "check_balance"
    stored = _rows(stack, "SELECT payload FROM message WHERE conversation_id = :cid "
                          "AND sender = 'bot'", cid=cid)
    assert not any("task_done" in str(m["payload"]) or "nlu" in str(m["payload"]) for m in stored)
