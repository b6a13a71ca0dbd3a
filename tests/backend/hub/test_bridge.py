"""Sticky routing: each conversation keeps to one Rasa process, the same in every backend."""

import asyncio
import subprocess
import sys
from collections import Counter

import pytest

from backend.hub.bridge import BotUnavailable, RasaBridge, sticky_order

URLS = ["http://a:1", "http://b:2", "http://c:3"]


def test_sticky_order_is_stable_spread_and_a_full_failover_list():
    ids = [f"{i:032x}" for i in range(3000)]
    firsts = Counter(sticky_order(cid, URLS)[0] for cid in ids)
    assert set(firsts) == set(URLS) and min(firsts.values()) > 800
    for cid in ids[:50]:
        order = sticky_order(cid, URLS)
        assert sorted(order) == sorted(URLS) and order == sticky_order(cid, list(URLS))
    # Python's own hash() is salted per process; the routing must not be.
    code = ("from backend.hub.bridge import sticky_order;"
            f"print(','.join(sticky_order(c, {URLS!r})[0] for c in {ids[:20]!r}))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert other == ",".join(sticky_order(c, URLS)[0] for c in ids[:20])
    assert sticky_order("x", ["http://only"]) == ["http://only"]


def test_no_rasa_process_answering_is_bot_unavailable():
    bridge = RasaBridge(urls=["http://127.0.0.1:9", "http://127.0.0.1:9/"], token="t" * 16,
                        timeout=2)

    async def send() -> None:
        try:
            await bridge.send(conversation_id="c" * 32, text="hi", metadata={})
        finally:
            await bridge.aclose()

    with pytest.raises(BotUnavailable, match="no Rasa process answered"):
        asyncio.run(send())
