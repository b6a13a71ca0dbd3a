"""Faults survived in the scale-out configuration (issue 9, item 8): PostgreSQL and Redis
restarted in the middle of conversations. The run command runs backend A, the action server and
Rasa (trackers in PostgreSQL, locks in Redis) under its supervisor, with backend B as a second
process on the same database and Redis. Both servers are private to this module, on free ports:
the machine's shared PostgreSQL and Redis serve other tests and are never restarted."""

from __future__ import annotations

import time
from contextlib import ExitStack

import httpx
import pytest

from common import clock
from tests.utils.chat import Customer, Rep
from tests.utils.chat import run as run_async
from tests.utils.faults import SupervisedRun, private_postgres, private_redis, supervised_run
from tests.utils.resilient import AnyCustomer, SteadyCustomer, converse
from tests.utils.stack import start_backend
from tests.utils.tally import (
    Tally, back_to_the_bot, rep_token, report_figures, settle, through_fault, told_plainly,
    web_and_rest)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
FIGURES: list[Tally] = []
DOWN = 5.0  # seconds each server stays down


@pytest.fixture(scope="module")
def scaled(model, tmp_path_factory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("faults-scaled")
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    with ExitStack() as es:
        pg = es.enter_context(private_postgres())
        redis = es.enter_context(private_redis())
        database_url = pg.create_database("waterdesk")
        run = es.enter_context(supervised_run(tmp / "a", env={
            "DATABASE_URL": database_url, "REDIS_URL": redis.url}))
        backend_b = es.enter_context(start_backend(
            tmp / "b", stack=es, database_url=database_url, rasa_url=",".join(run.rasas),
            # On the real clock, as A is (tests/utils/faults.supervised_run says why).
            extra_env={"REDIS_URL": redis.url, clock.ENV: ""}))
        yield run, backend_b, pg, redis


def both(run: SupervisedRun, backend_b: str, tag: str) -> list[AnyCustomer]:
    """Customers on both backends, chat and REST."""
    return (web_and_rest(run.backend, f"{tag}-a", web=3, rest=1)
            + web_and_rest(backend_b, f"{tag}-b", web=3, rest=1))


def check_carries_on(run: SupervisedRun, backend_b: str, tally: Tally,
                     customers: list[AnyCustomer]) -> None:
    """After the fault, new conversations on either backend get the bot again, and a
    conversation queued by it goes back to the bot."""
    for backend in (run.backend, backend_b):
        fresh = SteadyCustomer(backend, "after")
        run_async(converse(fresh, ["what are your office hours?"], pause=0))
        texts = [m for m in fresh.seen.values() if m.get("sender") == "bot"]
        assert texts, f"no bot answer on {backend} after the fault: {fresh.seen}"
    queued = [c.session_id for c in customers if told_plainly(run.backend, c.session_id)]
    tally.notes.append(f"{len(queued)} told plainly and queued")
    if queued:
        assert back_to_the_bot(backend_b, queued[0])


def test_postgres_restarted_mid_conversation(scaled):
    run, backend_b, pg, _ = scaled
    customers = both(run, backend_b, "pg")

    def restart() -> None:
        pg.stop("fast")  # ends every connection, as a restart or failover does
        time.sleep(DOWN)
        pg.start()

    in_flight = through_fault(customers, restart)
    tally = settle(run.backend, customers, Tally("PostgreSQL restarted (scale-out)",
                                                 in_flight=in_flight), FIGURES)
    check_carries_on(run, backend_b, tally, customers)
    assert len(run.starts("backend")) == 1 and len(run.starts("rasa")) == 1  # none died


def test_redis_restarted_mid_conversation(scaled):
    run, backend_b, _, redis = scaled
    customers = both(run, backend_b, "redis")

    back: list[float] = []

    def restart() -> None:
        redis.stop()  # no persistence: it comes back empty, as after a crash
        time.sleep(DOWN)
        redis.start()
        back.append(time.monotonic())

    in_flight = through_fault(customers, restart)
    tally = settle(run.backend, customers, Tally("Redis restarted (scale-out)",
                                                 in_flight=in_flight), FIGURES)
    check_carries_on(run, backend_b, tally, customers)
    # The fan-out between the backends comes back by itself.
    run_async(_fan_out_resumes(run.backend, backend_b))
    tally.notes.append(f"fan-out across the backends live again {time.monotonic() - back[0]:.0f}s "
                       "after Redis was back")


async def _fan_out_resumes(backend_a: str, backend_b: str, patience: float = 90) -> None:
    """A customer on A and a rep on B share a conversation live again."""
    customer = Customer(backend_a)
    cid = await customer.connect()
    await customer.say("I want to talk to a real person", client_id="p1")
    token = rep_token(backend_b)
    rep = Rep(backend_b, token)
    await rep.connect()
    await rep.sio.call("watch", {"conversation_id": cid}, namespace="/rep")
    async with httpx.AsyncClient(base_url=backend_b, timeout=30,
                                 headers={"Authorization": f"Bearer {token}"}) as http:
        assert (await http.post(f"/api/v1/queue/{cid}/claim")).status_code == 200
        for i in range(int(patience)):
            line = f"rep line {i}"
            assert (await http.post(f"/api/v1/queue/{cid}/messages",
                                    json={"text": line})).status_code == 201
            try:
                await customer.wait_for("bot_uttered", lambda m, t=line: m["text"] == t,
                                        timeout=1)
                break
            except TimeoutError:
                continue
        else:
            raise AssertionError("rep messages on B never reached the customer on A")
    await customer.say("thanks, that helps", client_id="p2")
    await rep.wait_for("message", lambda m: m["text"] == "thanks, that helps", timeout=30)
    await customer.disconnect()
    await rep.disconnect()


def test_fault_figures(scaled):
    run = scaled[0]
    assert report_figures("scale-out: PostgreSQL, Redis, two backends", FIGURES,
                          run.data_dir / "fault-figures.txt") == 0
