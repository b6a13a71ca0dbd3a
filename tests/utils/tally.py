"""What a fault cost: each conversation's stored transcript against what its customer sent and
saw, and the helpers that drive dialogs through a fault and act as a rep afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from backend.hub.conversations import BACK_TO_BOT, UNAVAILABLE
from tests.utils.chat import run as run_async
from tests.utils.resilient import (
    DIALOGS, SERVICE, AnyCustomer, RestCustomer, SteadyCustomer, converse)


@dataclass
class Tally:
    """What one fault cost, over the conversations that lived through it."""

    fault: str
    channel: str = "chat"  # or "email": replies through the outbox
    conversations: int = 0
    in_flight: int = 0  # messages sent and unanswered at the moment of the fault
    sent: int = 0
    stored: int = 0
    lost: list[str] = field(default_factory=list)  # sent but not stored
    duplicated: list[str] = field(default_factory=list)  # stored more than once
    unseen: list[str] = field(default_factory=list)  # stored, never reached the customer
    unanswered: list[str] = field(default_factory=list)  # the bot held it and never answered
    # REST messages stored whose answer went with the backend: the client can't safely ask
    # again (POST /conversations/{id}/messages takes no idempotency key). Reported, not failed.
    answers_lost: list[str] = field(default_factory=list)
    queued: int = 0
    carried_on: int = 0
    reconnects: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def messages_lost(self) -> int:
        return len(self.lost)

    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.unseen or self.unanswered)

    def line(self) -> str:
        if self.channel == "email":
            return (f"{self.fault}: {self.conversations} emails in, {self.in_flight} replies "
                    f"waited in the outbox, {self.stored} delivered, {len(self.lost)} lost, "
                    f"{len(self.duplicated)} duplicated")
        return (f"{self.fault}: {self.conversations} conversations, {self.in_flight} messages in "
                f"flight at the fault, {self.sent} sent, {len(self.lost)} lost, "
                f"{len(self.duplicated)} duplicated, {len(self.unseen)} unseen, "
                f"{len(self.unanswered)} unanswered"
                + (f", {len(self.answers_lost)} REST answers lost (no idempotency key to ask again)"
                   if self.answers_lost else "")
                + f"; {self.carried_on} carried on with the bot, "
                f"{self.queued} queued; {self.reconnects} reconnects/retries")


def unanswered(msgs: list[dict[str, Any]]) -> list[str]:
    """Customer messages the bot held and never answered: the next message is the customer's
    again. A system message says where the conversation went (queued, a rep joined), and only
    the return to the bot gives it back."""
    with_bot, missed = True, []
    for m, after in zip(msgs, msgs[1:] + [None]):
        if m["sender"] == "system":
            with_bot = m["text"] in BACK_TO_BOT.values()
        elif m["sender"] == "customer" and with_bot and after and after["sender"] == "customer":
            missed.append(m["text"])
    return missed


async def audit(backend: str, customers: list[AnyCustomer], tally: Tally) -> Tally:
    """Every message a customer sent is stored exactly once, every stored message reached the
    customer (chat), and every conversation either has the bot's answer to its last message or
    is queued for a person."""
    async with httpx.AsyncClient(base_url=backend, headers=SERVICE, timeout=30) as http:
        for c in customers:
            if isinstance(c, SteadyCustomer):
                await c.catch_up()
            r = await http.get(f"/api/v1/conversations/{c.session_id}")
            r.raise_for_status()
            conv = r.json()
            msgs = conv["messages"]
            tally.conversations += 1
            tally.sent += len(c.sent)
            tally.stored += len(msgs)
            tally.reconnects += c.reconnects
            mine = [m for m in msgs if m["sender"] == "customer"]
            for key, text in c.sent.items():
                # A chat message is known by its client_id; a REST one by its text (the lines
                # of one dialog differ).
                n = sum(m["client_id"] == key if isinstance(c, SteadyCustomer)
                        else m["text"] == text for m in mine)
                if n < 1:
                    tally.lost.append(f"{c.tag}: {text!r}")
                elif n > 1:
                    tally.duplicated.append(f"{c.tag}: {text!r} x{n}")
            if isinstance(c, SteadyCustomer):
                tally.unseen += [f"{c.tag}: seq {m['seq']} {m['text'][:40]!r}" for m in msgs
                                 if m["seq"] not in c.seen]
            for text in unanswered(msgs):
                if isinstance(c, RestCustomer) and text in c.lost_answers:
                    tally.answers_lost.append(f"{c.tag}: {text!r}")
                else:
                    tally.unanswered.append(f"{c.tag}: {text!r}")
            if conv["status"] in ("queued", "assigned"):
                tally.queued += 1
            elif msgs and msgs[-1]["sender"] != "customer":
                tally.carried_on += 1
            else:
                tally.unanswered.append(f"{c.tag}: the last word is the customer's "
                                        f"(status {conv['status']})")
    return tally


# --- driving a fault, and what a rep sees -------------------------------------------------------

def through_fault(customers: list[AnyCustomer], inject: Callable[[], None], *,
                  at: int = 2, lag: float = 0.15) -> int:
    """Runs a dialog per customer, all at once; they send line `at` together, and the fault is
    injected `lag` seconds later, while those messages are with the hub and the bot. Returns
    how many were still in flight then."""
    async def go() -> int:
        barrier = asyncio.Barrier(len(customers) + 1)
        tasks = [asyncio.create_task(converse(c, DIALOGS[i % len(DIALOGS)], barrier=barrier,
                                              at=at))
                 for i, c in enumerate(customers)]
        waiting = asyncio.create_task(barrier.wait())
        done, _ = await asyncio.wait({waiting, *tasks}, timeout=120,
                                     return_when=asyncio.FIRST_COMPLETED)
        if waiting not in done:  # a dialog failed (or hung) before the fault
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise AssertionError(f"the dialogs never reached line {at}: "
                                 f"{[t.exception() for t in done if t is not waiting]}")
        await asyncio.sleep(lag)
        in_flight = sum(c.in_flight for c in customers)
        await asyncio.to_thread(inject)
        await asyncio.gather(*tasks)
        return in_flight
    return run_async(go())


def web_and_rest(backend: str, tag: str, web: int = 6, rest: int = 2) -> list[AnyCustomer]:
    return ([SteadyCustomer(backend, f"{tag}-web{i}") for i in range(web)]
            + [RestCustomer(backend, f"{tag}-rest{i}") for i in range(rest)])


def settle(backend: str, customers: list[AnyCustomer], tally: Tally,
           figures: list[Tally]) -> Tally:
    run_async(audit(backend, customers, tally))
    figures.append(tally)
    assert tally.ok(), f"{tally.line()}\n{tally}"
    return tally


def rep_token(backend: str) -> str:
    r = httpx.post(f"{backend}/api/v1/login/access-token",
                   data={"username": "rep@smwd.example.com", "password": "rep-demo-password"})
    r.raise_for_status()
    return r.json()["access_token"]


def console_serves_the_queue(backend: str, ids: set[str]) -> dict[str, dict]:
    """The rep console's queue, which must keep working while the bot is down."""
    auth = {"Authorization": f"Bearer {rep_token(backend)}"}
    r = httpx.get(f"{backend}/api/v1/queue", headers=auth, timeout=30)
    r.raise_for_status()
    entries = {e["id"]: e for e in r.json()["entries"]}
    assert ids <= set(entries), ids - set(entries)
    return entries


def back_to_the_bot(backend: str, conversation_id: str) -> str:
    """A rep takes a queued conversation and hands it back to the bot, which answers again."""
    auth = {"Authorization": f"Bearer {rep_token(backend)}"}
    with httpx.Client(base_url=backend, timeout=60) as http:
        assert http.post(f"/api/v1/queue/{conversation_id}/claim",
                         headers=auth).status_code == 200
        assert http.post(f"/api/v1/queue/{conversation_id}/return-to-bot",
                         headers=auth).status_code == 200
        r = http.post(f"/api/v1/conversations/{conversation_id}/messages", headers=SERVICE,
                      json={"text": "what are your office hours?"})
    r.raise_for_status()
    assert r.json()["status"] == "bot" and any(m["sender"] == "bot" for m in r.json()["replies"])
    return r.json()["replies"][0]["text"]


def told_plainly(backend: str, conversation_id: str) -> bool:
    r = httpx.get(f"{backend}/api/v1/conversations/{conversation_id}", headers=SERVICE)
    return any(m["sender"] == "system" and m["text"] == UNAVAILABLE["en"]
               for m in r.json()["messages"])


def report_figures(title: str, figures: list[Tally], out: Any) -> int:
    """Print (and write to the Path `out`) the issue's figures: faults injected, conversations
    through them, messages lost. Returns the messages lost."""
    assert figures, "run with the fault tests above"
    lost = sum(t.messages_lost for t in figures)
    report = "\n".join(["", f"fault figures ({title}):"]
                       + [f"  {t.line()}" + "".join(f"; {n}" for n in t.notes) for t in figures]
                       + [f"  faults injected: {len(figures)}; conversations through them: "
                          f"{sum(t.conversations for t in figures)}; messages lost: {lost}"])
    out.write_text(report)
    print(report)
    return lost
