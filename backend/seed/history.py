"""Six weeks of past conversations, so the supervisor's analytics have something to show.

Closed chat and email conversations with the customer's messages (each with the intent the bot
read), the bot's and a rep's replies, handoffs with their reasons and priorities, waits to claim
and ratings. They name no account: nothing here is anyone's record. Drawn from their own
random.Random, so the accounts' data keeps its own draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert

from backend.models import Conversation, Message, Rating

DAYS = 42
# (intent, weight, task the bot can finish alone)
INTENTS: tuple[tuple[str, int, bool], ...] = (
    ("check_balance", 16, True), ("pay_bill", 12, True), ("high_bill", 10, False),
    ("explain_bill", 8, True), ("report_leak", 6, True), ("start_service", 6, True),
    ("stop_service", 5, True), ("transfer_service", 3, True), ("payment_arrangement", 6, False),
    ("fee_waiver", 5, False), ("autopay", 4, True), ("paperless_billing", 2, True),
    ("water_outage", 4, True), ("water_quality", 3, False), ("update_contact", 3, True),
    ("usage_history", 3, True), ("order_status", 3, True), ("shutoff", 3, False),
    ("faq/office_hours", 4, True), ("faq/payment_locations", 3, True), ("ask_rates", 2, True),
)
# (reason code, priority, English reason, Spanish reason, weight)
REASONS: tuple[tuple[str, str, str, str, int], ...] = (
    ("request", "request", "Customer asked for a person", "El cliente pidió una persona", 30),
    ("policy_referral", "complex", "Policy referral: needs a supervisor's decision",
     "Remisión por política: requiere decisión de un supervisor", 20),
    ("dispute", "complex", "Customer disputes a charge", "El cliente disputa un cargo", 14),
    ("strong_emotion", "distressed", "Customer is very upset", "El cliente está muy molesto", 12),
    ("fallbacks", "complex", "The bot didn't understand twice",
     "El bot no entendió dos veces", 10),
    ("distress", "distressed", "Hardship or distress", "Dificultades o angustia", 6),
    ("verification_failed", "request", "Couldn't verify the customer",
     "No se pudo verificar al cliente", 5),
    ("emergency", "emergency", "Safety emergency reported",
     "Emergencia de seguridad reportada", 3),
)
SAY = {
    "en": {"check_balance": "hi what do i owe right now", "pay_bill": "I want to pay my bill",
           "high_bill": "why is my bill so high this month??",
           "report_leak": "theres a leak by the meter",
           "fee_waiver": "can you waive the late fee",
           "payment_arrangement": "can I pay in installments",
           "nlu_fallback": "ok so the thing with the guy last week", "bot": "Here's what I found.",
           "rep": "Thanks for waiting, I can help with that."},
    "es": {"check_balance": "cuanto debo", "pay_bill": "quiero pagar mi factura",
           "high_bill": "por que mi factura salio tan alta",
           "report_leak": "hay una fuga cerca del medidor",
           "fee_waiver": "me pueden quitar el cargo por atraso",
           "payment_arrangement": "puedo pagar en partes",
           "nlu_fallback": "lo del señor de la otra semana", "bot": "Esto es lo que encontré.",
           "rep": "Gracias por esperar, le ayudo con eso."},
}


@dataclass
class _Out:
    conversations: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    ratings: list[dict[str, Any]]


def _utc(day: date, minutes: float) -> datetime:
    # District hours are Pacific; stored UTC at a fixed UTC-8, as the rest of the seed does.
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=8, minutes=minutes)


def history(*, today: date, seed: int, days: int = DAYS) -> _Out:
    """Conversation rows for the `days` days before `today` (today itself is left empty)."""
    rng = random.Random(seed ^ 0xC0FFEE)
    out = _Out([], [], [])
    names, weights = [i[0] for i in INTENTS], [i[1] for i in INTENTS]
    solo = {i[0]: i[2] for i in INTENTS}
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        busy = day.weekday() < 5
        for _ in range(rng.randint(9, 16) if busy else rng.randint(4, 8)):
            _conversation(rng, out, day=day, intent=rng.choices(names, weights)[0],
                          solo=solo, busy=busy)
    return out


def _conversation(rng: random.Random, out: _Out, *, day: date, intent: str,
                  solo: dict[str, bool], busy: bool) -> None:
    cid = f"{rng.getrandbits(128):032x}"
    lang = "es" if rng.random() < 0.28 else "en"
    channel = "email" if rng.random() < 0.22 else "web"
    start = rng.uniform(7 * 60, 19 * 60) if channel == "web" else rng.uniform(0, 24 * 60)
    at = _utc(day, start)
    intents = [intent]
    if rng.random() < 0.07:
        intents.insert(0, "nlu_fallback")
    handed = rng.random() < (0.18 if solo[intent] else 0.55)
    if intents[0] == "nlu_fallback" and rng.random() < 0.5:
        handed = True
    seq = 0

    def say(sender: str, words: str, minutes: float, **extra: Any) -> None:
        nonlocal seq
        seq += 1
        out.messages.append(dict(conversation_id=cid, seq=seq, sender=sender, text=words,
                                 payload={}, client_id=None, rep_id=None, internal=False,
                                 created_at=at + timedelta(minutes=minutes), **extra))

    clock = 0.0
    for name in intents:
        say("customer", SAY[lang].get(name, SAY[lang]["check_balance"]), clock, intent=name)
        clock += rng.uniform(0.05, 0.3)
        say("bot", SAY[lang]["bot"], clock, intent=None)
        clock += rng.uniform(0.3, 2.0)
    row = dict(id=cid, channel=channel, language=lang, status="closed", verified_account=None,
               handoff_reason=None, handoff_priority=None, assigned_rep_id=None, skills=[],
               queued_at=None, closed_at=None, followup_email=None, claimed_at=None,
               rating_requested_at=None, reconnect_secret_hash=None, handoff={},
               link_account=None, created_at=at, updated_at=at)
    if handed:
        code, priority, en, es, _ = rng.choices(REASONS, [r[4] for r in REASONS])[0]
        if intents[0] == "nlu_fallback":
            code, priority, en, es = REASONS[4][:4]
        queued = at + timedelta(minutes=clock)
        # Waits are long-tailed and longer on busy days; emergencies jump the queue.
        median = {"emergency": 0.5, "distressed": 1.5}.get(priority, 2.5 if busy else 1.5)
        wait = min(90.0, rng.lognormvariate(0, 0.9) * median)
        claimed = queued + timedelta(minutes=wait)
        skills = (["spanish"] if lang == "es" else []) + (["billing"] if code in (
            "policy_referral", "dispute") else [])
        row.update(handoff_reason=en, handoff_priority=priority, queued_at=queued,
                   claimed_at=claimed, skills=skills,
                   handoff={"reason_code": code, "reason": {"en": en, "es": es},
                            "priority": priority, "skills": skills, "language": lang})
        clock += wait + rng.uniform(0.5, 2)
        say("rep", SAY[lang]["rep"], clock, intent=None)
        clock += rng.uniform(2, 15)
    closed = at + timedelta(minutes=clock + rng.uniform(0.5, 5))
    row.update(closed_at=closed, updated_at=closed)
    if rng.random() < 0.4:
        row["rating_requested_at"] = closed
        if rng.random() < 0.55:
            good = 0.8 if not handed else 0.65
            score = rng.choices((5, 4, 3, 2, 1), (good * 0.7, good * 0.3, 0.1, 0.06, 0.04))[0]
            out.ratings.append(dict(
                conversation_id=cid, score=score, comment=None, channel=channel, language=lang,
                intents=sorted(set(intents), key=intents.index), person_involved=handed,
                trigger="resolved" if handed else "bot_task",
                created_at=closed + timedelta(minutes=rng.uniform(0.2, 30))))
    out.conversations.append(row)


def add_history(session: Any, *, today: date, seed: int, days: int = DAYS) -> int:
    """Insert the history; returns how many conversations it holds."""
    rows = history(today=today, seed=seed, days=days)
    for model, data in ((Conversation, rows.conversations), (Message, rows.messages),
                        (Rating, rows.ratings)):
        if data:
            session.execute(insert(model.__table__), data)
    return len(rows.conversations)
