"""bot/channels.py: card numbers are masked (by common.cards) before Rasa stores or logs them,
and each answer ends with the bot's reading of the customer's message."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import response

from bot.channels import MaskingRestInput, add_reading
from common.signals import split_signals

CHANNEL = MaskingRestInput(token="a-hub-token-for-the-tests")


@pytest.mark.parametrize("written", [
    "4111 1111 1111 1111", "4111.1111.1111.1111", "4111  1111  1111  1111",
    "4111\u00a01111\u00a01111\u00a01111", "4111\n1111\n1111\n1111", "4111/1111/1111/1111",
    "4111-1111-1111-1111", "4111111111111111",
])
def test_card_numbers_are_masked_on_arrival(written: str) -> None:
    request = SimpleNamespace(json={"sender": "c1", "message": f"my card {written} ok"})
    assert CHANNEL._extract_message(request) == "my card **** **** **** 1111 ok"


def test_other_text_is_left_alone() -> None:
    request = SimpleNamespace(json={"sender": "c1", "message": "account 1000002 zip 92694"})
    assert CHANNEL._extract_message(request) == "account 1000002 zip 92694"
    assert CHANNEL._extract_message(SimpleNamespace(json={"sender": "c1"})) is None


# --- the intent reading appended to each answer (common/signals.py) ---------------------------



def _store_with(sender: str, *intents: tuple[str, float]) -> InMemoryTrackerStore:
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker(sender, slots=[])
    for name, confidence in intents:
        tracker.update(UserUttered(f"said {name}", {"name": name, "confidence": confidence}))
        tracker.update(BotUttered("ok"))
    asyncio.run(store.save(tracker))
    return store


def _request(store: InMemoryTrackerStore, sender: str = "c1") -> SimpleNamespace:
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    return SimpleNamespace(json={"sender": sender, "message": "hi"}, app=app, method="POST")


def test_the_answer_ends_with_the_latest_messages_intent() -> None:
    store = _store_with("c1", ("greet", 0.9), ("nlu_fallback", 0.31))
    bot = [{"recipient_id": "c1", "text": "Sorry?"}]
    answer = asyncio.run(add_reading(_request(store), response.json(bot)))
    replies = json.loads(answer.body)
    assert replies == bot + [{"custom": {"nlu": {"intent": "nlu_fallback", "confidence": 0.31}}}]
    kept, signals = split_signals(replies)
    assert kept == bot and signals.intent == "nlu_fallback"


def test_an_empty_answer_stays_empty_so_the_hub_sees_a_silent_bot() -> None:
    store = _store_with("c1", ("greet", 0.9))
    assert asyncio.run(add_reading(_request(store), response.json([]))) is None


def test_no_tracker_or_a_broken_store_leaves_the_answer_alone() -> None:
    bot = [{"recipient_id": "c2", "text": "Hello"}]
    assert asyncio.run(add_reading(_request(_store_with("c1", ("greet", 1.0)), "c2"),
                                   response.json(bot))) is None

    class Broken:
        async def retrieve(self, sender: str) -> None:
            raise RuntimeError("database gone")

    broken = _request(Broken())  # type: ignore[arg-type]
    assert asyncio.run(add_reading(broken, response.json(bot))) is None


def test_the_hook_is_on_the_channels_blueprint() -> None:
    bp = CHANNEL.blueprint(lambda message: asyncio.sleep(0))  # type: ignore[arg-type,return-value]
    kinds = [m.attach_to if hasattr(m, "attach_to") else m[1] for m in bp._future_middleware]
    assert "response" in [str(k) for k in kinds]
