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
from actions.requests import FORMS, TASKS, second_request
from common.channel import METADATA_KEY, peek
from common.signals import task_done_payload

log = logging.getLogger(__name__)

# Replies that finish no request, so a waiting second request is not started after them.
NOT_A_STEP = {"action_greet", "action_default_fallback", "action_handle_inform"}
# Actions that can run after verification, by name; filled as the topic modules load.
REGISTRY: dict[str, type["WaterDeskAction"]] = {}
# Actions that finish a customer's task when they end without a question, form, offer or
# handoff: the hub is told (`task_done`, common/signals.py) and asks the customer to rate it.
TASKS_DONE = frozenset({
    "action_check_balance", "action_explain_bill", "action_usage_history",  # explained
    "action_order_status", "action_fee_waiver",  # looked up; decided
    "action_payment_arrangement", "action_autopay", "action_paperless",  # made or changed
    "action_leak_order", "action_meter_test_order", "action_meter_reread",  # work orders
    "action_report_leak", "action_water_quality",
    "action_start_service", "action_stop_service", "action_transfer_service",  # placed
    "action_update_contact", "action_confirm_mailing",
    "action_water_outage", "action_report_outage",  # answered; report filed
})
# A yes to an offer finishes the task that offered it (action_accept_offer does the work).
OFFER_TASKS = {"arrangement": "action_payment_arrangement",
               "extension": "action_payment_arrangement",
               "autopay": "action_autopay", "paperless": "action_paperless"}


@dataclass(frozen=True)
class Context:
    lang: str
    verified: bool
    token: str | None
    account: str | None
    name: str | None
    conversation_id: str
    turn: int
    channel: str = "web"

    @classmethod
    def of(cls, tracker: Tracker) -> "Context":
        return cls(
            channel=str(channel_claims(tracker).get("ch") or "web"),
            lang="es" if tracker.get_slot("language") == "es" else "en",
            verified=bool(tracker.get_slot("verified")),
            token=tracker.get_slot("verification_token"),
            account=tracker.get_slot("verified_account"),
            name=tracker.get_slot("customer_name"),
            conversation_id=tracker.sender_id,
            turn=len(tracker.events),
        )

    @property
    def email(self) -> bool:
        """By email, a question costs the customer a day: ask everything at once, never to
        rephrase."""
        return self.channel == "email"

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


def channel_token(tracker: Tracker) -> str | None:
    """The channel token the hub signed for the latest message (see common/channel.py)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            token = (event.get("metadata") or {}).get(METADATA_KEY)
            return token if isinstance(token, str) else None
    return None


def channel_claims(tracker: Tracker) -> dict[str, Any]:
    """The hub's facts about this turn, read unverified: enough to choose how to ask, never
    to trust an identity (only the backend checks the signature, on /verify)."""
    return peek(channel_token(tracker))


def money(value: Any) -> str:
    return f"${float(value):,.2f}"


def say(dispatcher: CollectingDispatcher, ctx: Context, en: str, es: str,
        buttons: list[tuple[str, str, str]] | None = None) -> None:
    """Send text in the conversation's language; buttons are (title_en, title_es, payload)."""
    kwargs: dict[str, Any] = {"text": ctx.t(en, es)}
    if buttons:
        kwargs["buttons"] = [{"title": ctx.t(a, b), "payload": p} for a, b, p in buttons]
    dispatcher.utter_message(**kwargs)


async def card_warning(dispatcher: CollectingDispatcher, ctx: Context) -> None:
    if ctx.email:
        try:
            d = await get_api().district()
            where, phone = d["payment_url"], d["phone"]
        except (APIError, APIUnavailable, KeyError):
            where, phone = "our website", "our customer service number"
        say(dispatcher, ctx,
            "For your security, we did not use or keep the card number in your email: it was "
            "removed before anyone saw it. Please never send card details by email. You can pay "
            f"safely online at {where}, by phone at {phone}, or set up AutoPay.",
            "Por su seguridad, no usamos ni guardamos el número de tarjeta de su correo: se "
            "eliminó antes de que nadie lo viera. Por favor nunca envíe datos de tarjeta por "
            f"correo. Puede pagar de forma segura en línea en {where}, por teléfono al {phone}, "
            "o inscribirse en el pago automático.")
        return
    say(dispatcher, ctx,
        "For your security I never take card numbers in chat, so I've hidden the one you "
        "sent. Please don't send it again; you can pay safely online instead.",
        "Por su seguridad nunca recibo números de tarjeta por chat, así que oculté el que "
        "envió. Por favor no lo vuelva a enviar; puede pagar de forma segura en línea.")


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
            await card_warning(dispatcher, ctx)
        if self.guarded:
            from actions.handoff import guard  # the handoff module imports this one

            handed = await guard(dispatcher=dispatcher, tracker=tracker, ctx=ctx, extra=events)
            if handed is not None:
                return events + handed
        if second := second_request(tracker.latest_message):
            events.append(SlotSet("next_request", second))
        if not ctx.verified and channel_claims(tracker).get("link"):
            from actions.verification import verify_by_link  # that module imports this one

            ctx, linked = await verify_by_link(tracker=tracker, ctx=ctx)
            events += linked
        if self.needs_verification and not ctx.verified:
            return events + start_verification(pending=self.action_name, tracker=tracker)
        done = await self.safely(dispatcher, tracker, ctx)
        return events + done + await then_next(
            self.action_name, done, dispatcher=dispatcher, tracker=tracker, ctx=ctx,
            pending=second or tracker.get_slot("next_request"))

    async def safely(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     ctx: Context) -> list[EventType]:
        try:
            done = await self.handle(dispatcher, tracker, ctx)
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
        if task := finished_task(self.action_name, tracker, done):
            dispatcher.utter_message(json_message=task_done_payload(task))
        return done

    @abstractmethod
    async def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     ctx: Context) -> list[EventType]:
        """The topic's work, once guards and verification have passed."""


def finished_task(name: str, tracker: Tracker, done: list[EventType]) -> str | None:
    """The task an action that returned `done` without failing has finished, if any: none while
    it asks something (an offer, a form, verification) or hands off."""
    from actions.contact_check import busy  # that module imports this one

    if name == "action_accept_offer":
        name = OFFER_TASKS.get((tracker.get_slot("offer") or "").partition(":")[0], "")
    if name not in TASKS_DONE or busy(done):
        return None
    return name


async def perform(name: str, *, dispatcher: CollectingDispatcher, tracker: Tracker,
                  ctx: Context) -> list[EventType]:
    """Run a registered action the customer just agreed to, verifying them first if it needs it."""
    action = REGISTRY[name]()
    if action.needs_verification and not ctx.verified:
        return start_verification(pending=name)
    return await action.safely(dispatcher, tracker, ctx)


async def then_next(done_by: str, done: list[EventType], *, dispatcher: CollectingDispatcher,
                    tracker: Tracker, ctx: Context, pending: str | None) -> list[EventType]:
    """The customer's second request, once the first is finished (no form, offer or handoff)."""
    if not pending or TASKS.get(pending) == done_by:
        return [SlotSet("next_request", None)] if pending else []
    if done_by in NOT_A_STEP:
        return []
    for e in done:
        if (e.get("event") == "active_loop" and e.get("name")) or (
                e.get("event") == "slot" and e.get("name") in ("offer", "handed_off")
                and e.get("value")):
            return []  # still busy with the first request: the second waits
    cleared: list[EventType] = [SlotSet("next_request", None)]
    slots = {e["name"]: e.get("value") for e in done if e.get("event") == "slot"}
    if slots.get("verified") and not ctx.verified:  # verified just now, for the first request
        ctx = ctx.with_verification(token=slots["verification_token"],
                                    account=slots["verified_account"],
                                    name=slots.get("customer_name"), lang=slots.get("language")
                                    or ctx.lang)
    if pending in TASKS:
        return cleared + await perform(TASKS[pending], dispatcher=dispatcher, tracker=tracker,
                                       ctx=ctx)
    en, es = FORMS[pending]
    say(dispatcher, ctx, f"You also mentioned {en}. Shall we do that now?",
        f"También mencionó {es}. ¿Lo hacemos ahora?",
        buttons=[("Yes", "Sí", f"/{pending}"), ("No, thanks", "No, gracias", "/deny")])
    return cleared


def start_verification(*, pending: str | None, tracker: Tracker | None = None,
                       not_factors: set[str] | frozenset[str] = frozenset()) -> list[EventType]:
    """Remember what the customer asked for and run the verification form; it resumes afterwards.

    `not_factors` are entities of the request that are its subject ("change my phone to …").
    """
    given = {e.get("entity") for e in (tracker.latest_message.get("entities", []) if tracker else [])
             if e.get("entity") not in not_factors}
    # Details in the same message ("balance for 1000001, 92688") are kept; stale ones are cleared.
    cleared = [SlotSet(slot, None) for slot, entity in
               (("account_number", "account_number"), ("zip", "zip"), ("phone", "phone"),
                ("last_name", "last_name")) if entity not in given]
    return [SlotSet("pending_action", pending), *cleared, ActiveLoop("verify_form")]


async def work_order(action: WaterDeskAction, ctx: Context, *, kind: str, priority: str,
                     description: str, location: str | None = None) -> dict[str, Any]:
    """A field work order; an unverified customer must say where (the backend checks)."""
    body: dict[str, Any] = {"kind": kind, "priority": priority, "description": description[:2000]}
    if location:
        body["location"] = location
    return await action.api.write("POST", "/work-orders", body=body, key=ctx.key(action.action_name),
                                  token=ctx.token if ctx.verified else None,
                                  conversation_id=ctx.conversation_id)
