"""A leak alert's signed chat link against the real backend, action server and Rasa: the chat
opens verified for the account, and the balance comes with no questions; an expired or tampered
link opens the chat as usual, with a note, and the bot asks who you are."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.core.config import Settings
from backend.core.links import chat_link, create_chat_token
from common import clock
from tests.utils.chat import Customer, run
from tests.utils.db import make_test_settings
from tests.utils.stack import SECRET_KEY, SERVICE_TOKEN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
ACCOUNT = "1000002"
BALANCE = "$312.40"  # 1000002's balance in the demo district
ASKS = ("account number", "número de cuenta", "ZIP", "código postal")


def stack_settings(backend: str, tmp: Path) -> Settings:
    """The stack's signing key and address, as the alert job there would use them."""
    return make_test_settings(database_url="sqlite://", data_dir=tmp).model_copy(
        update={"SECRET_KEY": SECRET_KEY, "PUBLIC_URL": backend})


class LinkCustomer(Customer):
    """The widget opened by the link: it presents the token when it starts the conversation."""

    async def open_with(self, token: str) -> str:
        await self.sio.connect(self.url, transports=["websocket"], namespaces=["/"])
        await self.sio.emit("session_request", {"session_id": None, "chat_link": token})
        self.session_id = await self.wait_for("session_confirm", timeout=20)
        state = await self.wait_for("session_state", timeout=20)
        self.secret = state.get("session_secret")
        return self.session_id  # type: ignore[return-value]


def conversation(backend: str, cid: str) -> dict[str, Any]:
    r = httpx.get(f"{backend}/api/v1/conversations/{cid}", timeout=30,
                  headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    r.raise_for_status()
    return r.json()


def test_a_valid_link_answers_the_balance_with_no_questions(stack, tmp_path):
    url = chat_link(settings=stack_settings(stack.backend, tmp_path), account_number=ACCOUNT,
                    ref="e2e-alert")
    assert url.startswith(f"{stack.backend}/?chat=")
    token = url.split("?chat=", 1)[1]

    async def scenario() -> tuple[str, list[str]]:
        customer = LinkCustomer(stack.backend)
        cid = await customer.open_with(token)
        greeting = await customer.wait_for("bot_uttered")
        assert "ending in 0002" in greeting["text"] or "termina en 0002" in greeting["text"]
        assert (await customer.say("what's my balance?", client_id="c1"))["ok"]
        await customer.wait_for("bot_uttered", lambda m: BALANCE in m["text"], timeout=90)
        await asyncio.sleep(0.5)
        await customer.disconnect()
        return cid, customer.texts()

    cid, said = run(scenario())
    assert not [t for t in said if any(ask in t for ask in ASKS)], said
    stored = conversation(stack.backend, cid)
    assert stored["verified_account"] == ACCOUNT
    assert all(token not in m["text"] and token not in str(m["payload"])
               for m in stored["messages"])
    # Audited like any other verification, by its method.
    login = httpx.post(f"{stack.backend}/api/v1/login/access-token", timeout=30,
                       data={"username": "supervisor@smwd.example.com",
                             "password": "supervisor-demo-password"})
    login.raise_for_status()
    audit = httpx.get(f"{stack.backend}/api/v1/audit", timeout=30,
                      params={"account_number": ACCOUNT, "action": "customer_verified"},
                      headers={"Authorization": f"Bearer {login.json()['access_token']}"})
    audit.raise_for_status()
    assert {"method": "signed_link"} in [e["detail"] for e in audit.json()]
    # The token is in no service's log.
    for log in stack.logs.glob("*.log"):
        assert token.split(".")[2] not in log.read_text(errors="replace"), log.name


@pytest.mark.parametrize("bad", ["expired", "tampered"])
def test_an_expired_or_tampered_link_opens_the_chat_as_usual(stack, bad, tmp_path):
    settings = stack_settings(stack.backend, tmp_path)
    if bad == "expired":
        with clock.frozen("2026-11-20T17:00:00Z"):
            token = create_chat_token(settings=settings, account_number=ACCOUNT, ref="old")
    else:
        # A genuine link for another account, its account changed to 1000002.
        header, _, signature = create_chat_token(
            settings=settings, account_number="1000003", ref="x").split(".")
        _, body, _ = create_chat_token(settings=settings, account_number=ACCOUNT,
                                       ref="x").split(".")
        token = ".".join([header, body, signature])

    async def scenario() -> tuple[str, list[dict[str, Any]]]:
        customer = LinkCustomer(stack.backend)
        cid = await customer.open_with(token)
        note = await customer.wait_for("bot_uttered")
        assert note["metadata"]["sender"] == "system"
        assert "expired" in note["text"] or "venció" in note["text"]
        assert (await customer.say("what's my balance?", client_id="c1"))["ok"]
        await customer.wait_for("bot_uttered", lambda m: "account number" in m["text"]
                                or "número de cuenta" in m["text"], timeout=90)
        await customer.disconnect()
        return cid, customer.events["bot_uttered"]

    cid, said = run(scenario())
    assert not any(BALANCE in m["text"] or "0002" in m["text"] for m in said)
    assert conversation(stack.backend, cid)["verified_account"] is None
