"""The handoff contract between the bot and the hub: priorities, skills and the message's shape.

The actions decide a handoff and send it as a custom message `{"handoff": {...}}`; the hub
reads it with `read_handoff`, queues by priority and routes by skills. Both sides import this
module, so the two can't disagree on a name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

HANDOFF_KEY = "handoff"

# Queue order: the first is served first.
PRIORITIES: tuple[str, ...] = ("emergency", "distressed", "complex", "request")
DEFAULT_PRIORITY = "request"


class Skill(str, Enum):
    """What a conversation needs of the rep who takes it. A supervisor (by role) has
    `supervisor`."""

    spanish = "spanish"
    billing = "billing"
    field = "field"
    supervisor = "supervisor"

    def __str__(self) -> str:
        return self.value


SKILLS: tuple[str, ...] = tuple(s.value for s in Skill)


def priority_rank(priority: str | None) -> int:
    # An unknown priority waits with the plain requests rather than jumping the queue.
    return PRIORITIES.index(priority) if priority in PRIORITIES else len(PRIORITIES) - 1


def known_skills(skills: Any) -> list[str]:
    """The known skills in `skills`, in SKILLS order; anything else is dropped."""
    wanted = {str(s) for s in skills} if isinstance(skills, (list, tuple, set)) else set()
    return [s for s in SKILLS if s in wanted]


@dataclass(frozen=True)
class Handoff:
    """What the bot learnt, for the rep who picks the conversation up."""

    reason_code: str
    reason_en: str
    reason_es: str
    priority: str = DEFAULT_PRIORITY
    skills: tuple[str, ...] = ()
    language: str = "en"
    summary: str = ""
    verified_account: str | None = None
    collected: dict[str, Any] = field(default_factory=dict)
    emotions: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(f"unknown priority {self.priority!r}")
        if unknown := {str(s) for s in self.skills} - set(SKILLS):
            raise ValueError(f"unknown skills {sorted(unknown)}")
        object.__setattr__(self, "skills", tuple(known_skills(self.skills)))

    def to_payload(self) -> dict[str, Any]:
        """The custom message's value: JSON-ready."""
        data = asdict(self)
        return {"reason_code": data.pop("reason_code"),
                "reason": {"en": data.pop("reason_en"), "es": data.pop("reason_es")},
                **data, "skills": list(self.skills)}


def read_handoff(custom: Any) -> dict[str, Any] | None:
    """The handoff in a bot reply's custom payload, normalised: an unknown priority becomes
    `request` and unknown skills are dropped, so a malformed message can't jump the queue or
    strand a conversation. None when there is no handoff."""
    handoff = custom.get(HANDOFF_KEY) if isinstance(custom, dict) else None
    if not isinstance(handoff, dict):
        return None
    out = dict(handoff)
    if out.get("priority") not in PRIORITIES:
        out["priority"] = DEFAULT_PRIORITY
    out["skills"] = known_skills(out.get("skills"))
    reason = out.get("reason")
    out["reason"] = ({"en": str(reason.get("en") or ""), "es": str(reason.get("es") or "")}
                     if isinstance(reason, dict) else {"en": "", "es": ""})
    return out
