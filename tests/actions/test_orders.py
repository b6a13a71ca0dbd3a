"""Where is my order: verified first, then the account's orders in plain words."""

from itertools import count

import pytest

from actions.orders import ActionOrderStatus, describe, quoted_number
from actions.common import Context
from actions.outages import ActionWaterOutage
from tests.actions.test_topics import verified
from tests.utils.trackers import run, slot, texts
from tests.utils.trackers import tracker as base_tracker

pytestmark = pytest.mark.usefixtures("backend")
_turns = count()


def tracker(**kwargs):  # type: ignore[no-untyped-def]
    """Each its own conversation: the actions' writes are idempotent per conversation and turn."""
    return base_tracker(sender=f"orders-{next(_turns)}", **kwargs)


def test_order_status_verifies_first():
    messages, events = run(ActionOrderStatus(), tracker(text="where is my order",
                                                         intent="order_status"))
    assert "WO-" not in texts(messages)
    assert slot(events, "pending_action") == "action_order_status"


def test_no_orders_says_so_and_offers_help():
    slots = verified("2000001", "92691")
    messages, _ = run(ActionOrderStatus(), tracker(text="where is my order",
                                                   intent="order_status", slots=slots))
    assert "no open service or work orders" in texts(messages)


def test_a_report_then_its_work_order_in_the_customers_language():
    slots = verified("1000001", "92688", lang="es")
    assert slots["language"] == "es"
    messages, _ = run(ActionWaterOutage(), tracker(text="no tengo agua", intent="water_outage",
                                                   slots=slots))
    order = next(w.strip(").,") for w in texts(messages).split() if w.startswith("WO-"))
    messages, _ = run(ActionOrderStatus(), tracker(text="cómo va mi orden", intent="order_status",
                                                   slots=slots))
    reply = texts(messages)
    assert f"• {order}, visita de revisión de fugas: recibida, en espera de una cuadrilla" in reply
    assert "(solicitada el 2 de diciembre de 2026)" in reply, reply
    # A number quoted that isn't the account's is not shown; the account's orders are.
    messages, _ = run(ActionOrderStatus(), tracker(text="status of WO-100000",
                                                   intent="order_status", slots=slots))
    assert "No encuentro la orden WO-100000" in texts(messages) and order in texts(messages)
    messages, _ = run(ActionOrderStatus(), tracker(text=f"where is {order.lower()}",
                                                   intent="order_status", slots=slots))
    assert order in texts(messages) and "No encuentro" not in texts(messages)


def test_order_lines_read_plainly():
    en = Context(lang="en", verified=True, token="t", account="1000001", name="M",
                 conversation_id="c", turn=1)
    line = describe({"order_number": "SO-100004", "order_type": "service", "kind": "stop",
                     "status": "scheduled", "scheduled_date": "2026-12-15",
                     "created_at": "2026-12-01T10:00:00Z"}, en)
    assert line == "• SO-100004, stopping service: scheduled, for December 15, 2026."
    assert quoted_number("it's wo 200004 i think") == "WO-200004"
    assert quoted_number("orden so-100123") == "SO-100123" and quoted_number("my order") is None
