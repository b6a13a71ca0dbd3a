"""Live chat over Socket.IO against the real backend, action server and Rasa server: Rasa's
socketio protocol, the handoff to a rep in the console, reconnects and bad input."""

import asyncio
import uuid

import httpx
import pytest
import socketio

from tests.utils.chat import Customer, Rep, run
from tests.utils.stack import SERVICE_TOKEN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
REP_LOGIN = {"username": "rep@smwd.example.com", "password": "rep-demo-password"}


def rep_token(backend: str) -> str:
    r = httpx.post(f"{backend}/api/v1/login/access-token", data=REP_LOGIN)
    r.raise_for_status()
    return str(r.json()["access_token"])


def test_customer_is_verified_gets_the_balance_then_a_rep_takes_over(stack):
    async def scenario() -> None:
        customer = Customer(stack.backend)
        session_id = await customer.connect()
        assert isinstance(session_id, str) and len(session_id) == 32  # Rasa's bare-id confirm
        state = await customer.wait_for("session_state")
        assert state["status"] == "bot" and state["last_seq"] == 0

        ack = await customer.say("how much do I owe?", client_id="c1")
        assert ack["ok"] and ack["seq"] == 1
        await customer.wait_for("bot_uttered", lambda m: "account number" in m["text"])
        await customer.say("1000002", client_id="c2")
        await customer.say("92694", client_id="c3")
        balance = await customer.wait_for("bot_uttered", lambda m: "$312.40" in m["text"])
        # Rasa's shape on top, the hub's extras under metadata (rasa-webchat renders only that).
        assert set(balance) == {"text", "metadata"}
        assert balance["metadata"]["sender"] == "bot" and balance["metadata"]["seq"] > 3

        # Buttons arrive as Rasa's quick_replies.
        await customer.say("my bill is too high", client_id="c4")
        buttons = await customer.wait_for("bot_uttered", lambda m: m.get("quick_replies"))
        assert set(buttons) == {"text", "quick_replies", "metadata"}
        assert all({"content_type", "title", "payload"} <= set(q) for q in buttons["quick_replies"])

        rep = Rep(stack.backend, rep_token(stack.backend))
        await rep.connect()
        await rep.wait_for("queue")
        await customer.say("I want to talk to a real person", client_id="c5")
        queued = await customer.wait_for("handoff", lambda h: h["status"] == "queued")
        assert queued["position"] >= 1 and "next_open" in queued
        entry = await rep.wait_for("queue", lambda q: any(
            e["id"] == session_id and e["status"] == "queued" for e in q["entries"]))
        mine = next(e for e in entry["entries"] if e["id"] == session_id)
        assert mine["verified_account"] == "1000002" and "1000002" in mine["summary"]
        # While queued the bot stays quiet; the message is stored and echoed.
        before = len(customer.events["bot_uttered"])
        await customer.say("hello? anyone there?", client_id="c6")

        watched = await rep.sio.call("watch", {"conversation_id": session_id}, namespace="/rep")
        assert [m["seq"] for m in watched["messages"]] == list(
            range(1, len(watched["messages"]) + 1))
        auth = {"Authorization": f"Bearer {rep.token}"}
        async with httpx.AsyncClient(base_url=stack.backend, headers=auth) as http:
            assert (await http.post(f"/api/v1/queue/{session_id}/claim")).status_code == 200
            joined = await customer.wait_for("handoff", lambda h: h["status"] == "assigned")
            assert joined["rep_name"] == "Maria Lopez"
            r = await http.post(f"/api/v1/queue/{session_id}/messages",
                                json={"text": "Hi, this is Maria. I can help with that."})
            assert r.status_code == 201
            live = await customer.wait_for("bot_uttered",
                                           lambda m: m["metadata"]["sender"] == "rep")
            assert live["metadata"]["rep_name"] == "Maria Lopez" and "Maria" in live["text"]
            note = await http.post(f"/api/v1/queue/{session_id}/messages",
                                   json={"text": "internal: check autopay", "internal": True})
            assert note.status_code == 201
            await rep.wait_for("message", lambda m: m.get("internal"))
        await customer.say("thank you", client_id="c7")
        await rep.wait_for("message", lambda m: m["text"] == "thank you")
        bot_lines = customer.events["bot_uttered"][before:]
        # The bot never answered the rep's customer.
        assert all(m["metadata"]["sender"] != "bot" for m in bot_lines)
        assert "internal: check autopay" not in customer.texts()
        await customer.disconnect()
        await rep.disconnect()

    run(scenario())


def test_reconnect_replays_missed_messages_and_a_resend_is_stored_once(stack):
    async def scenario() -> None:
        customer = Customer(stack.backend)
        session_id = await customer.connect()
        await customer.say("what are your office hours?", client_id="h1")
        await customer.wait_for("bot_uttered")
        seen = max(m["metadata"]["seq"] for m in customer.events["bot_uttered"])
        await customer.disconnect()

        # Meanwhile (the page is reloading) a message arrives through another channel.
        service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
        async with httpx.AsyncClient(base_url=stack.backend, headers=service,
                                     timeout=60) as http:
            r = await http.post(f"/api/v1/conversations/{session_id}/messages",
                                json={"text": "do you speak spanish?"})
            assert r.status_code == 200 and r.json()["replies"]

        again = Customer(stack.backend)
        assert await again.connect(session_id=session_id, last_seq=seen,
                                   secret=customer.secret) == session_id
        state = await again.wait_for("session_state")
        assert state["last_seq"] > seen
        replayed = await again.wait_for("customer_uttered",
                                        lambda m: m["text"] == "do you speak spanish?")
        assert replayed["seq"] == seen + 1
        await again.wait_for("bot_uttered", lambda m: m["metadata"]["seq"] > seen + 1)
        # The widget resends what it never saw acknowledged: stored once, same seq.
        first = await again.say("what are your office hours?", client_id="h1")
        assert first["seq"] == 1
        async with httpx.AsyncClient(base_url=stack.backend, headers=service) as http:
            got = (await http.get(f"/api/v1/conversations/{session_id}")).json()
        seqs = [m["seq"] for m in got["messages"]]
        assert seqs == list(range(1, len(seqs) + 1))
        assert [m["text"] for m in got["messages"]].count("what are your office hours?") == 1
        # An unknown session id opens a new conversation rather than failing.
        other = Customer(stack.backend)
        assert await other.connect(session_id="f" * 32) != "f" * 32
        await other.disconnect()
        await again.disconnect()

    run(scenario())


def test_bad_input_gets_clear_errors_and_the_server_keeps_going(stack):
    async def scenario() -> None:
        raw = socketio.AsyncClient(reconnection=False)
        await raw.connect(stack.backend, transports=["websocket"])
        # Before session_request there is no conversation to speak in.
        nack = await raw.call("user_uttered", {"message": "hi"}, timeout=10)
        assert nack == {"ok": False, "error": "unknown_session",
                        "message": "Send session_request first"}
        await raw.emit("session_request", "not a dict")
        await asyncio.sleep(0.5)
        for bad in (None, "text", {"message": 42}, {"message": "   "},
                    {"message": "x" * 6000}):
            reply = await raw.call("user_uttered", bad, timeout=10)
            assert reply["ok"] is False and reply["error"] == "bad_request", bad
        email = await raw.call("leave_email", {"email": "not-an-email"}, timeout=10)
        assert email["error"] == "bad_email"
        ok = await raw.call("user_uttered", {"message": "hello", "client_id": str(uuid.uuid4())},
                            timeout=90)
        assert ok["ok"] is True
        await raw.disconnect()

        # A rep socket without a valid token is refused.
        rep = socketio.AsyncClient(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await rep.connect(stack.backend, transports=["websocket"], namespaces=["/rep"],
                              auth={"token": "forged"})

    run(scenario())
    assert httpx.get(f"{stack.backend}/api/v1/utils/health-check").status_code == 200
