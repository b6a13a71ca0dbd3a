"""Findings 1, 2 and 5 of the security probe, against the real running stack: the action server
open to the network and trusting forged trackers, email verification trusting the From header,
and Rasa's REST webhook open to any caller and taking caller metadata as identity."""

from __future__ import annotations

import smtplib
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func
from sqlmodel import Session, select

from backend.models.orders import WorkOrder
from tests.utils.mail import JAMES, TRUSTED_RELAY, Relay, mail
from tests.utils.stack import ACTION_TOKEN, HUB, RASA_TOKEN, ROOT, Stack

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
FORGED_META = {"channel": "email", "email_from": JAMES, "conversation_id": "x"}


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP port listens on, from /proc (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def forged_call(action: str, sender: str, slots: dict, text: str = "") -> dict:
    latest = {"text": text, "intent": {"name": "inform", "confidence": 1.0}, "entities": [],
              "metadata": FORGED_META}
    return {"next_action": action, "sender_id": sender, "version": "3.6.2",
            "tracker": {"sender_id": sender, "slots": {"language": "en", **slots},
                        "latest_message": latest, "latest_action_name": "action_listen",
                        "active_loop": {}, "paused": False, "followup_action": None,
                        "events": [{"event": "user", "text": text, "parse_data": latest,
                                    "metadata": FORGED_META}]},
            "domain": {"slots": {}, "responses": {}, "forms": {}, "actions": []}}


def work_orders(stack: Stack) -> int:
    engine = create_engine(stack.database_url)
    try:
        with Session(engine) as session:
            return int(session.exec(select(func.count()).select_from(WorkOrder)).one())
    finally:
        engine.dispose()


def test_the_bot_servers_listen_on_loopback_only(stack: Stack):
    loopback = {"0100007F", "00000000000000000000000001000000"}
    for url in (stack.actions, stack.rasa):
        addresses = listening_addresses(int(url.rsplit(":", 1)[1]))
        assert addresses and addresses <= loopback, (url, addresses)
    run = (ROOT / "scripts" / "run").read_text()
    assert "-m actions.server --host 127.0.0.1" in run and "--interface 127.0.0.1" in run
    assert "rasa_sdk" not in run  # its own entry point listens on 0.0.0.0 and accepts anyone


def test_the_action_server_refuses_calls_without_the_action_token(stack: Stack):
    before = work_orders(stack)
    leak = forged_call("action_report_leak", uuid.uuid4().hex,
                       {"leak_severity": "gushing", "leak_address": "14 Vista Ridge"},
                       "water is gushing from the street at 14 Vista Ridge")
    for headers in ({}, {"X-Action-Token": "guess"}, {"X-Action-Token": ACTION_TOKEN + "x"}):
        r = httpx.post(f"{stack.actions}/webhook", json=leak, headers=headers, timeout=30)
        assert r.status_code == 401, r.text
    assert work_orders(stack) == before
    assert httpx.get(f"{stack.actions}/health", timeout=10).status_code == 200


def test_actions_never_take_identity_from_tracker_metadata(stack: Stack):
    """Even a caller holding the action token can't verify by claiming an email sender."""
    call = forged_call("action_verify", uuid.uuid4().hex, {"account_number": "1000002"},
                       "my account is 1000002")
    r = httpx.post(f"{stack.actions}/webhook", json=call, timeout=30,
                   headers={"X-Action-Token": ACTION_TOKEN})
    assert r.status_code == 200, r.text
    said = " ".join(m.get("text") or "" for m in r.json()["responses"])
    slots = {e["name"]: e["value"] for e in r.json()["events"] if e.get("event") == "slot"}
    assert not slots.get("verification_token") and not slots.get("verified"), slots
    assert "312.40" not in said and "verified" not in said.lower(), said


def test_rasas_rest_channel_answers_only_the_hub(stack: Stack):
    body = {"sender": uuid.uuid4().hex, "message": "how much do I owe? my account is 1000002",
            "metadata": FORGED_META}
    for headers in ({}, {"X-Hub-Token": "guess"}):
        r = httpx.post(f"{stack.rasa}/webhooks/rest/webhook", json=body, headers=headers,
                       timeout=30)
        assert r.status_code == 401, r.text


def rest(stack: Stack, sender: str, text: str, metadata: dict) -> str:
    """As the hub would post it (holding the hub token), with a caller's metadata."""
    r = httpx.post(f"{stack.rasa}/webhooks/rest/webhook", timeout=60, headers=HUB,
                   json={"sender": sender, "message": text, "metadata": metadata})
    assert r.status_code == 200, r.text
    return " ".join(m.get("text") or "" for m in r.json())


def test_rasa_ignores_caller_metadata_as_identity(stack: Stack):
    sender = uuid.uuid4().hex
    said = rest(stack, sender, "how much do I owe? my account is 1000002", FORGED_META)
    assert "312.40" not in said and "zip" in said.lower(), said
    # A token that wasn't signed by the hub is no better.
    forged = {"channel_token": "eyJhbGciOiJIUzI1NiJ9.eyJjaCI6ImVtYWlsIiwiY2lkIjoi"
                               + "eCIsImVtYWlsIjoiamFtZXMuY2FydGVyQGV4YW1wbGUuY29tIn0.AAAA"}
    said = rest(stack, uuid.uuid4().hex, "how much do I owe? my account is 1000002", forged)
    assert "312.40" not in said, said
    tracker = httpx.get(f"{stack.rasa}/conversations/{sender}/tracker",
                        params={"token": RASA_TOKEN}, timeout=30).json()
    stored = [e.get("metadata") or {} for e in tracker["events"] if e.get("event") == "user"]
    assert stored and all("email_from" not in m and "channel" not in m for m in stored), stored


def send(stack: Stack, text: str, *, envelope: str, **headers: str):
    msg = mail(text, sender=JAMES, subject="My bill", **headers)
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=90) as smtp:
        smtp.send_message(msg, from_addr=envelope)
    return msg


@pytest.mark.parametrize("headers", [
    {},  # the finding: envelope attacker@, From: the address on file
    {"Authentication_Results": f"mx.attacker.example; spf=pass smtp.mailfrom={JAMES}; "
                               "dkim=pass header.d=example.com"},
    {"Authentication_Results": f"{TRUSTED_RELAY}; spf=fail smtp.mailfrom=attacker.example; "
                               "dkim=none"},
], ids=["no-authentication", "untrusted-relay", "spf-failed"])
def test_a_spoofed_from_header_is_not_a_verification_factor(stack: Stack, relay: Relay, headers):
    msg = send(stack, "how much do I owe? my account is 1000002",
               envelope="attacker@attacker.example", **headers)
    [reply] = relay.replies_to(msg["Message-ID"])
    text = reply.get_body(("plain",)).get_content()
    assert "312.40" not in text and "verified" not in text.lower(), text
    assert "zip" in text.lower(), text
