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
HINT = 0.2  # below this the reading is not even passed on as a hint

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Casefolded, accents and apostrophes off, one space: "Está" and "esta" read alike."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _SPACES.sub(" ", text.replace("'", "").replace("’", "")).strip()


def reading(parse_data: dict | None) -> tuple[str, float] | None:
    """(category, confidence) the classifier left in a message's parse data, if any."""
    for entity in (parse_data or {}).get("entities") or []:
        if entity.get("entity") == ENTITY and entity.get("value") in CATEGORIES:
            return str(entity["value"]), float(entity.get("confidence_entity") or 0.0)
    return None
