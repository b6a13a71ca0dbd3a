"""The rep queue's rules: priority order, skills routing, position and expected wait, and what
to tell a waiting customer out of hours. Plain Python: no web code, no database."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from backend.domain.calendar import is_open, next_opening
from backend.domain.district import District
from common.dates import format_weekday_time
from common.handoff import PRIORITIES, Skill, priority_rank  # noqa: F401  (the hub reads them here)

class Waiting(Protocol):
    id: str
    handoff_priority: str | None
    queued_at: datetime | None
    skills: list[str]


class OnShift(Protocol):
    id: int | None
    role: str
    skills: list[str]


def skills_of(rep: OnShift) -> set[str]:
    """A rep's skills; a supervisor (by role) also has the supervisor skill."""
    return set(rep.skills) | ({Skill.supervisor.value} if rep.role == "supervisor" else set())


def order(entries: Iterable[Waiting]) -> list[Waiting]:
    """Highest priority first, then the longest waiting."""
    far = datetime.max.replace(tzinfo=None)

    def key(e: Waiting) -> tuple[int, Any]:
        at = e.queued_at.replace(tzinfo=None) if e.queued_at else far
        return priority_rank(e.handoff_priority), at

    return sorted(entries, key=key)


def can_serve(*, rep_skills: Iterable[str], needed: Iterable[str]) -> bool:
    return set(needed) <= set(rep_skills)


def eligible(*, entry: Waiting, rep: OnShift, reps_on_shift: Sequence[OnShift]) -> bool:
    """A rep is offered an entry if they have its skills, or if no rep on shift has them all
    (then anyone may take it rather than leave the customer waiting for nobody)."""
    if can_serve(rep_skills=skills_of(rep), needed=entry.skills):
        return True
    return not any(can_serve(rep_skills=skills_of(r), needed=entry.skills)
                   for r in reps_on_shift)


@dataclass(frozen=True)
class Availability:
    open_now: bool
    reps_on_shift: int
    next_open: datetime

    @property
    def live(self) -> bool:
        return self.open_now and self.reps_on_shift > 0


def availability(*, district: District, now: datetime, reps_on_shift: int) -> Availability:
    open_now = is_open(district=district, at=now)
    return Availability(open_now=open_now, reps_on_shift=reps_on_shift,
                        next_open=next_opening(district=district, at=now))


def handoff_state(*, status: str, position: int | None, avail: Availability,
                  handle_minutes: float, rep_name: str | None = None) -> dict[str, Any]:
    """What a customer sees about their place in the queue (the `handoff` event)."""
    wait = None
    if status == "queued" and position is not None:
        # Everyone ahead plus this customer, shared among the reps on shift.
        wait = math.ceil(position * handle_minutes / max(1, avail.reps_on_shift))
    return {
        "status": status, "position": position if status == "queued" else None,
        "expected_wait_minutes": wait if avail.live else None,
        "open_now": avail.open_now, "reps_on_shift": avail.reps_on_shift,
        "next_open": avail.next_open.isoformat(), "rep_name": rep_name,
        "can_leave_email": status == "queued" and not avail.live,
    }


AFTER_HOURS = {
    "en": "Our representatives are away right now. You're in the queue and nothing is lost: "
          "someone will answer here from {when}. If you'd rather not wait, leave your email "
          "address and we'll follow up by email.",
    "es": "Nuestros representantes no están disponibles en este momento. Usted está en la fila y "
          "no se pierde nada: alguien le responderá aquí a partir del {when}. Si prefiere no "
          "esperar, deje su correo electrónico y le daremos seguimiento por correo.",
}
WAITING = {
    "en": "You're number {position} in line for a representative; the expected wait is about "
          "{minutes} minutes.",
    "es": "Usted es el número {position} en la fila para un representante; la espera estimada es "
          "de unos {minutes} minutos.",
}
def when_text(*, at: datetime, language: str) -> str:
    return format_weekday_time(at=at, lang=language)


def queue_notice(*, state: dict[str, Any], avail: Availability, language: str) -> str | None:
    """The system message a customer gets on joining the queue."""
    lang = "es" if language == "es" else "en"
    if not avail.live:
        return AFTER_HOURS[lang].format(when=when_text(at=avail.next_open, language=lang))
    if state.get("position") and state.get("expected_wait_minutes") is not None:
        return WAITING[lang].format(position=state["position"],
                                    minutes=state["expected_wait_minutes"])
    return None
