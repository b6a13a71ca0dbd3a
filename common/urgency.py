"""What the urgency classifier says and how both of its readers name it.

The Rasa component (bot/components/urgency.py) writes its reading into the parse data; the
actions read it back to decide the handoff. Plain Python, no dependencies.
"""

from __future__ import annotations

import re
import unicodedata

# The classifier's labels; NONE means a bot can handle the message itself.
NONE = "none"
CATEGORIES: tuple[str, ...] = (
    "emergency", "health", "hardship", "bereavement", "abuse", "threat", "misconduct",
    "discrimination", "anger", "request_person", NONE,
)  # fmt: skip
INTENT = "urgent"  # the intent the component sets when a message must go to a person at once
ENTITY = "urgency"  # the entity that carries the category and its confidence
HUMAN_INTENT = "request_human"
THRESHOLD = 0.5  # P(not none) at or above which the message is urgent
SURE = 0.8  # ... and at which it is urgent even when the NLU is sure it is a routine task
HINT = 0.2  # below this the reading is not even passed on as a hint
# Intents the bot does itself; with the NLU sure of one, an unsure urgency reading yields to it.
TASK_INTENTS = frozenset({
    "check_balance", "explain_bill", "high_bill", "pay_bill", "autopay", "payment_arrangement",
    "fee_waiver", "deposit", "shutoff", "usage_history", "ask_rates", "paperless_billing",
    "report_leak", "meter_reread", "meter_test", "water_outage", "water_quality", "start_service",
    "stop_service", "transfer_service", "update_contact", "order_status"})
# The linear intent model is less overconfident than DIET was: 0.72 marks the same share of the
# held-out set (84%) that DIET's 0.8 did, at higher precision (bench/nlu_eval.py).
TASK_CONFIDENCE = 0.72

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Casefolded, accents and apostrophes off, one space: "Está" and "esta" read alike."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACES.sub(" ", text.replace("'", "").replace("’", "")).strip()


def is_urgent(confidence: float, *, intent: str | None, intent_confidence: float) -> bool:
    """Whether a reading of this confidence sends the message to a person, given the NLU's own
    intent: ordinary requests mention families, feelings and water, and the NLU knows them."""
    if confidence >= SURE:
        return True
    sure_task = intent in TASK_INTENTS and intent_confidence >= TASK_CONFIDENCE
    return confidence >= THRESHOLD and not sure_task


def reading(parse_data: dict | None) -> tuple[str, float] | None:
    """(category, confidence) the classifier left in a message's parse data, if any."""
    for entity in (parse_data or {}).get("entities") or []:
        if entity.get("entity") == ENTITY and entity.get("value") in CATEGORIES:
            return str(entity["value"]), float(entity.get("confidence_entity") or 0.0)
    return None
