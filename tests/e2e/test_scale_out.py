"""Scale-out for real: two backend processes on PostgreSQL and Redis, Rasa with its trackers in
PostgreSQL and its locks in Redis. A customer on one backend and a rep on the other hold one
conversation, and every message arrives once, in order."""

import asyncio
import os
import signal
import uuid
from contextlib import ExitStack

import httpx
import pytest

from backend.hub.bridge import sticky_order
from tests.utils.chat import Customer, Rep, run
from tests.utils.stack import RASA_TOKEN, SERVICE_TOKEN, start_backend, start_stack

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]
REDIS = os.environ.get("WATERDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture(scope="module")
def scaled(model, tmp_path_factory):
    """Backends A and B on one PostgreSQL database and one Redis, two Rasa processes sharing
    their trackers (PostgreSQL) and locks (Redis), one action server."""
    tmp = tmp_path_factory.mktemp("scaled")
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    shared = {"REDIS_URL": REDIS, "SOCKETIO_CHANNEL": f"wd-test-{uuid.uuid4().hex}",
              "SMTP_LISTEN_PORT": "0"}
    with ExitStack() as es:
        stack = es.enter_context(start_stack(tmp / "a", model=model, rasa_processes=2,
                                             scale=True, extra_env=shared))
        backend_b = es.enter_context(start_backend(
            tmp / "b", stack=es, database_url=stack.database_url,
            rasa_url=",".join(stack.rasas), extra_env=shared))
        assert stack.database_url.startswith("postgresql")
        yield stack, backend_b


def test_customer_on_one_backend_and_rep_on_another(scaled):
    stack, backend_b = scaled
    run(_conversation(stack.backend, backend_b))


async def _conversation(backend_a: str, backend_b: str) -> None:
    customer = Customer(backend_a)
    cid = await customer.connect()
    await customer.say("how much do I owe?", client_id="m1")
    await customer.say("1000002", client_id="m2")
    await customer.say("92694", client_id="m3")
    await customer.wait_for("bot_uttered", lambda m: "$312.40" in m["text"])

    login = httpx.post(f"{backend_b}/api/v1/login/access-token",
                       data={"username": "rep@smwd.example.com", "password": "rep-demo-password"})
    token = login.json()["access_token"]
    rep = Rep(backend_b, token)
    await rep.connect()
    await customer.say("I want to talk to a real person", client_id="m4")
    # The queue event is emitted by backend A and reaches the console on B through Redis.
    await rep.wait_for("queue", lambda q: any(e["id"] == cid and e["status"] == "queued"
                                              for e in q["entries"]))
    await rep.sio.call("watch", {"conversation_id": cid}, namespace="/rep")
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=backend_b, headers=auth, timeout=30) as http:
        assert (await http.post(f"/api/v1/queue/{cid}/claim")).status_code == 200
        await customer.wait_for("handoff", lambda h: h["status"] == "assigned")

        async def rep_says(i: int) -> None:
            r = await http.post(f"/api/v1/queue/{cid}/messages", json={"text": f"rep {i}"})
            assert r.status_code == 201

        async def customer_says(i: int) -> None:
            ack = await customer.say(f"customer {i}", client_id=f"x{i}")
            while ack.get("error") == "rate_limited":
                # As the widget's outbox does: the same client_id again once the limit allows.
                await asyncio.sleep(ack["retry_after"])
                ack = await customer.say(f"customer {i}", client_id=f"x{i}")
            assert ack["ok"], ack

        # Interleaved from both sides at once, through two processes.
        for i in range(10):
            await asyncio.gather(rep_says(i), customer_says(i))
        await customer.wait_for("bot_uttered", lambda m: m["text"] == "rep 9")
        await rep.wait_for("message", lambda m: m["text"] == "customer 9")
        transcript = (await http.get(f"/api/v1/queue/{cid}")).json()["messages"]

    seqs = [m["seq"] for m in transcript]
    assert seqs == list(range(1, len(seqs) + 1))
    # The customer got each rep line exactly once, in the stored order.
    got = [m for m in customer.events["bot_uttered"] if m["metadata"]["sender"] == "rep"]
    assert [m["text"] for m in got] == [f"rep {i}" for i in range(10)]
    assert [m["metadata"]["seq"] for m in got] == sorted(m["metadata"]["seq"] for m in got)
    # The rep got each customer line exactly once, in order, with no duplicates at all.
    lines = [m for m in rep.events["message"] if m["text"].startswith("customer ")]
    assert [m["text"] for m in lines] == [f"customer {i}" for i in range(10)]
    # Two processes publish independently, so clients order by seq: after sorting, the console
    # shows exactly the stored transcript from the moment it started watching, once each.
    arrived = [m["seq"] for m in rep.events["message"]]
    assert len(arrived) == len(set(arrived))
    first = min(arrived)
    assert sorted(arrived) == [s for s in seqs if s >= first]
    assert [m["text"] for m in sorted(rep.events["message"], key=lambda m: m["seq"])] == [
        m["text"] for m in transcript if m["seq"] >= first]
    await customer.disconnect()
    await rep.disconnect()


def test_a_conversation_carries_on_when_its_rasa_process_dies(scaled):
    """Last in this module: it kills one of the two Rasa processes."""
    stack, backend_b = scaled
    api = f"{stack.backend}/api/v1/conversations"
    cid = httpx.post(api, headers=SERVICE).json()["id"]

    def say(text: str, backend: str = stack.backend) -> str:
        r = httpx.post(f"{backend}/api/v1/conversations/{cid}/messages", headers=SERVICE,
                       json={"text": text}, timeout=60)
        r.raise_for_status()
        assert r.json()["status"] == "bot", r.json()
        return "\n".join(m.get("text") or "" for m in r.json()["replies"])

    home = sticky_order(str(cid), list(stack.rasas))[0]
    other = next(url for url in stack.rasas if url != home)
    assert "account number" in say("how much do I owe")
    say("1000002")
    assert "$312.40" in say("92694")
    # The other process already sees the conversation: the tracker store is shared.
    tracker = httpx.get(f"{other}/conversations/{cid}/tracker",
                        params={"token": RASA_TOKEN}, timeout=30).json()
    assert tracker["slots"]["verified_account"] == "1000002"

    dead = stack.rasa_procs[stack.rasas.index(home)]
    dead.send_signal(signal.SIGKILL)
    dead.wait(timeout=10)
    # Both backends move on to the other process, which knows the customer is verified.
    again = say("how much do I owe")
    assert "$312.40" in again and "account number" not in again
    assert "$312.40" in say("how much do I owe", backend=backend_b)
