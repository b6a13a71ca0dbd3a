"""Follow-up email end to end: a web customer over Socket.IO leaves an address and goes away; the
rep's reply reaches them by email through the relay, threaded; they answer by SMTP to the
reply address, and the rep sees their answer live in the same conversation."""

from __future__ import annotations

import smtplib

import httpx
import pytest

from tests.utils.chat import Customer, Rep, run
from tests.utils.mail import Relay, mail
from tests.utils.stack import Stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
REP_LOGIN = {"username": "rep@smwd.example.com", "password": "rep-demo-password"}
ADDRESS = "web.followup@example.net"


def body(msg) -> str:  # type: ignore[no-untyped-def]
    return msg.get_body(("plain",)).get_content()


def test_a_reply_to_an_away_web_customer_is_emailed_and_their_answer_comes_back(
        stack: Stack, relay: Relay) -> None:
    async def scenario() -> None:
        customer = Customer(stack.backend)
        cid = await customer.connect(language="en")
        await customer.say("I want to talk to a real person", client_id="f1")
        await customer.wait_for("handoff", lambda h: h["status"] == "queued")
        left = await customer.sio.call("leave_email", {"email": ADDRESS}, timeout=10)
        assert left == {"ok": True}
        await customer.disconnect()  # gone: nobody sees the reply live

        login = httpx.post(f"{stack.backend}/api/v1/login/access-token", data=REP_LOGIN)
        token = login.json()["access_token"]
        rep = Rep(stack.backend, token)
        await rep.connect()
        watched = await rep.sio.call("watch", {"conversation_id": cid}, namespace="/rep")
        assert watched["ok"]
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=stack.backend, headers=auth) as http:
            assert (await http.post(f"/api/v1/queue/{cid}/claim")).status_code == 200
            r = await http.post(f"/api/v1/queue/{cid}/messages",
                                json={"text": "Hi, this is Maria. Your refund is on its way."})
            assert r.status_code == 201

            [sent] = relay.sent_to(ADDRESS)
            assert "Your refund is on its way." in body(sent) and "Maria Lopez" in body(sent)
            assert "You left us this address in your chat" in body(sent)
            reply_to = sent["Reply-To"]
            assert reply_to.startswith("inbox+") and sent["Message-ID"]

            # The customer answers by email, to the thread's reply address.
            answer = mail("Thank you! How long will it take?", sender=ADDRESS,
                          subject=f"Re: {sent['Subject']}", to=reply_to,
                          In_Reply_To=sent["Message-ID"], References=sent["Message-ID"])
            with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=90) as smtp:
                smtp.send_message(answer)
            live = await rep.wait_for("message", lambda m: m.get("sender") == "customer"
                                      and "How long will it take" in m.get("text", ""))
            assert live["conversation_id"] == cid and not live["internal"]
            entry = (await http.get(f"/api/v1/queue/{cid}")).json()
            assert entry["channel"] == "web" and entry["status"] == "assigned"
            assert "How long will it take" in entry["messages"][-1]["text"]

            # The next reply continues the same thread.
            r = await http.post(f"/api/v1/queue/{cid}/messages",
                                json={"text": "About five business days."})
            assert r.status_code == 201
            later = [m for m in relay.sent_to(ADDRESS, count=3)
                     if "five business days" in body(m)]
            assert later and later[0]["In-Reply-To"] == answer["Message-ID"]
            assert later[0]["Reply-To"] == reply_to
            assert sent["Message-ID"] in later[0]["References"].split()
        await rep.disconnect()

    run(scenario())
