"""Our email corpus end to end: every .eml in tests/e2e/email_corpus goes over real SMTP to the
running stack (backend, Rasa, actions), and every reply that comes back on the real relay is
checked against expected.yml. The pass rate is printed; the test fails on any wrong reply
except the known failures that expected.yml lists with their reason."""

from __future__ import annotations

import re
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine
from sqlmodel import Session, select

from backend.models.conversations import Conversation
from backend.models.email import InboundEmail
from common.cards import find_card_numbers
from common.language import detect_language
from tests.utils.mail import Relay
from tests.utils.stack import Stack

pytestmark = [pytest.mark.slow, pytest.mark.changes_demo_accounts, pytest.mark.timeout(900)]

CORPUS = Path(__file__).parent / "email_corpus"
# What each `asks` key looks like in a reply that asks for it, by language.
ASKS = {
    "account_number": ("account number", "número de cuenta"),
    "zip": ("zip", "código postal"),
    "service_type": ("residential", "residencial"),
    "service_address": ("service address", "dirección del servicio"),
    "start_date": ("date", "fecha"),
    "stop_date": ("date", "fecha"),
    "mailing_address": ("mailing address", "dirección postal"),
    "forwarding_address": ("final bill", "factura final"),
    "location": ("address or nearest intersection", "cruce de calles"),
}
ACK = ("a representative will reply to this email", "un representante le responderá a este correo")
NEVER = ("say it another way", "de otra forma", "you can reply with one of these",
         "puede responder con una de estas opciones", "didn't quite get", "no entendí bien")


def expected() -> list[dict[str, Any]]:
    return yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))


def message_id(raw: bytes) -> str:
    found = re.search(rb"^Message-ID:\s*(<[^>]+>)", raw, re.I | re.M)
    assert found, "every corpus email has a Message-ID"
    return found.group(1).decode()


def send(port: int, raw: bytes) -> None:
    sender = re.search(rb"^From:.*?<?([\w.+-]+@[\w.-]+)>?\s*$", raw, re.I | re.M)
    raw = re.sub(rb"\r?\n", b"\r\n", raw)  # SMTP's line ending, whatever the file has
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
        smtp.sendmail(sender.group(1).decode() if sender else "someone@example.com",
                      ["inbox@smwd.example.com"], raw)


def text_of(reply: EmailMessage) -> str:
    return reply.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def answers_to(relay: Relay, message_id: str) -> list[EmailMessage]:
    """The replies to an email, less the rating request a finished bot task sends into the same
    thread a minute later (a separate email, not an answer)."""
    return [m for m in relay.messages() if m["In-Reply-To"] == message_id
            and "/ratings/link?token=" not in text_of(m)]


def conversations(stack: Stack) -> dict[str, tuple[str | None, str | None]]:
    """Message-ID → (conversation id, its status and handoff reason), from the running
    backend's database."""
    engine = create_engine(f"sqlite:///{stack.logs / 'waterdesk.sqlite3'}")
    try:
        with Session(engine) as session:
            rows = session.exec(select(InboundEmail.message_id, InboundEmail.conversation_id)).all()
            status = {c.id: f"{c.status} ({c.handoff_reason})" if c.handoff_reason else str(c.status)
                      for c in session.exec(select(Conversation)).all()}
            return {mid: (cid, status.get(cid or "")) for mid, cid in rows if mid}
    finally:
        engine.dispose()


def problems(entry: dict[str, Any], replies: list[EmailMessage],
             convs: dict[str, tuple[str | None, str | None]], ids: dict[str, str]) -> list[str]:
    if not entry.get("reply", True):
        return [f"answered an email that must not be: {text_of(replies[0])[:200]!r}"] \
            if replies else []
    if len(replies) != 1:
        return [f"{len(replies)} replies instead of one"]
    reply = replies[0]
    text = text_of(reply)
    low = text.lower()
    lang = entry.get("language", "en")
    out = []
    if reply.get_body(("html",)) is None:
        out.append("no HTML part")
    if (said := detect_language(text)) not in (lang, None):
        out.append(f"reply in {said}, not {lang}")
    out += [f"says {p!r}" for p in NEVER if p in low]
    if find_card_numbers(text.replace("*", "")):
        out.append("a card number in the reply")
    out += [f"missing {c!r}" for c in entry.get("contains") or [] if c.lower() not in low]
    out += [f"must not say {c!r}" for c in entry.get("not_contains") or [] if c.lower() in low]
    for key in entry.get("asks") or []:
        if ASKS[key][1 if lang == "es" else 0] not in low:
            out.append(f"doesn't ask for {key}")
    conv, status = convs.get(ids[entry["file"]], (None, None))
    # Judged per email by what its reply says: a later email in the thread may hand off.
    acknowledged = any(a in low for a in ACK)
    if acknowledged != bool(entry.get("handoff")):
        out.append(f"handoff {'told' if acknowledged else 'not told'} (conversation {status}), "
                   f"expected: {bool(entry.get('handoff'))}")
    elif acknowledged and (status or "").split(" ")[0] not in ("queued", "assigned"):
        out.append(f"told of a handoff but the conversation is {status}")
    if parent := entry.get("thread_of"):
        if convs.get(ids[parent], (None,))[0] != conv:
            out.append(f"not in the conversation of {parent}")
    return out


def test_every_email_in_the_corpus_gets_the_right_reply(stack: Stack, relay: Relay) -> None:
    entries = expected()
    raws = {e["file"]: (CORPUS / e["file"]).read_bytes() for e in entries}
    ids = {name: message_id(raw) for name, raw in raws.items()}
    assert len(entries) >= 60 and len(set(ids.values())) == len(entries)
    # Emails that start a conversation go four at a time; one that continues a thread waits
    # for the reply to the email it continues, as a customer would.
    first = [e for e in entries if not e.get("thread_of")]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda e: send(stack.smtp_port, raws[e["file"]]), first))
    for e in entries:
        if e.get("thread_of"):
            relay.replies_to(ids[e["thread_of"]], wait=120)
            send(stack.smtp_port, raws[e["file"]])
    deadline = time.monotonic() + 300
    answered = [e for e in entries if e.get("reply", True)]
    while time.monotonic() < deadline:
        got = {m["In-Reply-To"] for m in relay.messages()}
        if all(ids[e["file"]] in got for e in answered):
            break
        time.sleep(0.5)
    time.sleep(3)  # anything sent twice, or to an auto-reply, would have come by now
    convs = conversations(stack)
    failures = {}
    for e in entries:
        replies = answers_to(relay, ids[e["file"]])
        if found := problems(e, replies, convs, ids):
            failures[e["file"]] = found
    passed = len(entries) - len(failures)
    print(f"\nemail corpus: {passed}/{len(entries)} passed ({passed / len(entries):.1%})")
    known = {e["file"] for e in entries if e.get("known_failure")}
    for name, found in failures.items():
        print(f"  {name}: {'; '.join(found)}")
        for m in answers_to(relay, ids[name]):
            print("    | " + " ".join(text_of(m).split())[:600])
    # Known failures are listed with their reason in expected.yml; any other failure fails.
    new = {name: found for name, found in failures.items() if name not in known}
    assert not new, f"{len(new)} emails got a wrong reply: {new}"
