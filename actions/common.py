"""What every WaterDesk action shares: language, the verified customer, emotion tracking, guards."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import APIError, APIUnavailable, WaterDeskAPI, get_api
from actions.emotion import read_emotion

log = logging.getLogger(__name__)

# Actions that can run after verification, by name; filled as the topic modules load.
REGISTRY: dict[str, type["WaterDeskAction"]] = {}


@dataclass(frozen=True)
class Context:
    lang: str
    verified: bool
    token: str | None
    account: str | None
    name: str | None
    conversation_id: str
    turn: int

    @classmethod
    def of(cls, tracker: Tracker) -> "Context":
        return cls(
            lang="es" if tracker.get_slot("language") == "es" else "en",
            verified=bool(tracker.get_slot("verified")),
            token=tracker.get_slot("verification_token"),
            account=tracker.get_slot("verified_account"),
            name=tracker.get_slot("customer_name"),
            conversation_id=tracker.sender_id,
            turn=len(tracker.events),
        )

    def t(self, en: str, es: str) -> str:
        return es if self.lang == "es" else en

    def pick(self, reason: dict[str, str] | None) -> str:
        """The customer's language from a backend {code, en, es} reason."""
        return "" if not reason else reason.get(self.lang) or reason.get("en", "")

    def key(self, action: str) -> str:
        # Same conversation, same action, same point in it: a retried call is the same write.
        return f"{self.conversation_id}:{action}:{self.turn}"

    def with_verification(self, *, token: str, account: str, name: str, lang: str) -> "Context":
        return replace(self, verified=True, token=token, account=account, name=name, lang=lang)


def money(value: Any) -> str:
    return f"${float(value):,.2f}"


def say(dispatcher: CollectingDispatcher, ctx: Context, en: str, es: str,
        buttons: list[tuple[str, str, str]] | None = None) -> None:
    """Send text in the conversation's language; buttons are (title_en, title_es, payload)."""
    kwargs: dict[str, Any] = {"text": ctx.t(en, es)}
    if buttons:
        kwargs["buttons"] = [{"title": ctx.t(a, b), "payload": p} for a, b, p in buttons]
    dispatcher.utter_message(**kwargs)


def latest_entities(tracker: Tracker, name: str) -> list[Any]:
    return [e.get("value") for e in tracker.latest_message.get("entities", [])
            if e.get("entity") == name]


def emotion_events(tracker: Tracker, ctx: Context) -> list[EventType]:
    """Keep a short history of emotion readings for the handoff decision and the rep."""
    text = tracker.latest_message.get("text") or ""
    if not text or text.startswith("/"):
        return []
    reading = read_emotion(text=text, lang=ctx.lang)
    history = list(tracker.get_slot("emotions") or [])[-9:]
    history.append({"label": reading.label, "valence": reading.valence,
                    "intensity": reading.intensity, "cues": list(reading.cues)})
    return [SlotSet("emotions", history)]


class WaterDeskAction(Action, ABC):
    """Base for topic actions: guards, verification and backend errors handled in one place."""

    action_name: ClassVar[str] = ""
    needs_verification: ClassVar[bool] = False
    # Handoff actions must not re-enter the guard that sends them.
    guarded: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.action_name:
            REGISTRY[cls.action_name] = cls

    def name(self) -> str:
        return self.action_name

    @property
    def api(self) -> WaterDeskAPI:
        return get_api()

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        ctx = Context.of(tracker)
        events = emotion_events(tracker, ctx)
        if latest_entities(tracker, "card_number"):
            say(dispatcher, ctx,
                "For your security I never take card numbers in chat, so I've hidden the one you "
                "sent. Please don't send it again; you can pay safely online instead.",
                "Por su seguridad nunca recibo números de tarjeta por chat, así que oculté el que "
                "envió. Por favor no lo vuelva a enviar; puede pagar de forma segura en línea.")
        if self.guarded:
            from actions.handoff import guard  # the handoff module imports this one

            handed = await guard(dispatcher=dispatcher, tracker=tracker, ctx=ctx, extra=events)
            if handed is not None:
                return events + handed
        if self.needs_verification and not ctx.verified:
            return events + start_verification(pending=self.action_name, tracker=tracker)
        return events + await self.safely(dispatcher, tracker, ctx)

    async def safely(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     ctx: Context) -> list[EventType]:
        try:
            return await self.handle(dispatcher, tracker, ctx)
        except APIUnavailable as exc:
            log.warning("backend unavailable in %s: %s", self.action_name, exc)
            from actions.handoff import hand_off

            say(dispatcher, ctx,
                "Sorry, I can't reach our customer records right now.",
                "Perdón, en este momento no puedo consultar nuestros registros.")
            return await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                                  reason_code="system_unavailable")
        except APIError as exc:
            log.warning("backend refused %s: %s", self.action_name, exc)
            if exc.status == 403 and self.needs_verification:
                # The verification expired: ask again, then carry on.
                return [SlotSet("verified", False), SlotSet("verification_token", None),
                        *start_verification(pending=self.action_name)]
            say(dispatcher, ctx, f"I couldn't do that: {exc.message}",
                f"No pude hacerlo: {exc.message}")
            return []

    @abstractmethod
    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     ctx: Context) -> list[EventType]:
        """The topic's work, once guards and verification have passed."""


def start_verification(*, pending: str | None, tracker: Tracker | None = None) -> list[EventType]:
    """Remember what the customer asked for and run the verification form; it resumes afterwards."""
    given = {e.get("entity") for e in (tracker.latest_message.get("entities", []) if tracker else [])}
    # Details in the same message ("balance for 1000001, 92688") are kept; stale ones are cleared.
    cleared = [SlotSet(slot, None) for slot, entity in
               (("account_number", "account_number"), ("zip", "zip"), ("phone", "phone"),
                ("last_name", "last_name")) if entity not in given]
    return [SlotSet("pending_action", pending), *cleared, ActiveLoop("verify_form")]
