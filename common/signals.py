"""Control messages: what the bot tells the hub alongside its replies, never shown to anyone.

Rasa's REST channel answers with the bot's messages only, so the bot side adds these as custom
messages and the hub takes them out before anything is stored or shown:

- `{"custom": {"nlu": {"intent": name, "confidence": c}}}`: how the bot read the customer's
  message (bot/channels.py adds it to every answer), for the reports;
- `{"custom": {"task_done": "<action name>"}}`: an action finished a customer's task
  (actions/common.py), so the hub may ask the customer how it went.

Both sides import this module, so the two can't disagree on a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NLU_KEY = "nlu"
TASK_DONE_KEY = "task_done"
SIGNAL_KEYS = frozenset({NLU_KEY, TASK_DONE_KEY})
# Keys of a Rasa reply that carry something for the customer.
_CONTENT_KEYS = ("text", "buttons", "image", "attachment", "elements", "quick_replies")


def nlu_message(intent: str, confidence: float) -> dict[str, Any]:
    """The whole reply the REST channel appends (it has no dispatcher)."""
    return {"custom": {NLU_KEY: {"intent": str(intent)[:60],
                                 "confidence": round(float(confidence), 4)}}}


def task_done_payload(action: str) -> dict[str, Any]:
    """The json_message an action sends (`dispatcher.utter_message(json_message=...)`); Rasa
    wraps it as the reply's `custom`."""
    return {TASK_DONE_KEY: str(action)}


@dataclass
class Signals:
    """The control messages of one bot answer (or of several turns, in order)."""

    intents: list[tuple[str, float]] = field(default_factory=list)
    tasks_done: list[str] = field(default_factory=list)

    @property
    def intent(self) -> str | None:
        """The reading of the customer's message: the first turn's."""
        return self.intents[0][0] if self.intents else None


def is_signal(reply: Any) -> bool:
    """A reply with nothing for the customer and only control keys in its custom payload."""
    if not isinstance(reply, dict) or any(reply.get(k) for k in _CONTENT_KEYS):
        return False
    custom = reply.get("custom")
    return isinstance(custom, dict) and bool(custom) and set(custom) <= SIGNAL_KEYS


def split_signals(replies: list[Any]) -> tuple[list[Any], Signals]:
    """(the replies for the customer, in order; the control messages read). A malformed control
    message is dropped rather than shown."""
    kept: list[Any] = []
    signals = Signals()
    for reply in replies:
        if not is_signal(reply):
            kept.append(reply)
            continue
        custom = reply["custom"]
        nlu = custom.get(NLU_KEY)
        if isinstance(nlu, dict) and isinstance(nlu.get("intent"), str) and nlu["intent"]:
            try:
                confidence = float(nlu.get("confidence") or 0.0)
            except (TypeError, ValueError):
                confidence = 0.0
            signals.intents.append((nlu["intent"][:60], confidence))
        task = custom.get(TASK_DONE_KEY)
        if isinstance(task, str) and task:
            signals.tasks_done.append(task[:80])
    return kept, signals
