"""Handing a conversation to a representative: the guard on every turn, and the handoff itself.

What the bot learnt travels with the handoff as a `handoff` custom message, which the hub reads
to queue the conversation; the customer is told what happens next.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api import APIError, APIUnavailable, get_api
from actions.common import Context, WaterDeskAction, say
from actions.emotion import EmotionReading
from actions.handoff_decision import HandoffDecision, Signals, asks_for_person, decide
from actions.summary import summarize
from common import urgency
from common.handoff import HANDOFF_KEY, Handoff

# Collected details worth a rep's glance; tokens and internals stay out.
COLLECTED = ("verified_account", "customer_name", "language", "account_type", "service_address",
             "service_zip", "service_date", "leak_location", "severity", "leak_address", "offer",
             "pending_action")
GENERIC_INTENTS = {"greet", "goodbye", "thank", "affirm", "deny", "inform", "help",
                   "bot_challenge", "out_of_scope", "request_human", "nlu_fallback", "complain",
                   urgency.INTENT}
# Reasons the guard acts on by itself, before the topic action runs.
PROACTIVE = {"emergency", "threat", "misconduct", "distress", "strong_emotion", "request",
             "dispute"}
# Reasons that come from the bot's own state rather than the customer's words.
FORCED = {
    "system_unavailable": ("Our systems were unavailable to the bot",
                           "Los sistemas no estaban disponibles para el bot", "complex"),
    "unclear_email": ("The bot could not tell with confidence what this email asks",
                      "El bot no pudo determinar con certeza qué pide este correo", "complex"),
    "health_concern": ("Possible health concern about water quality",
                       "Posible problema de salud por la calidad del agua", "distressed"),
}

# What the customer is told, where a forced handoff's own words fit better than a request's.
SAY = {"unclear_email": (
    "Thank you for your email. So that nothing in it is missed, I'm passing it to a "
    "representative, who will read all of it.",
    "Gracias por su correo. Para que no se pase nada por alto, se lo paso a un representante, "
    "que lo leerá completo.")}


def _reading(e: dict[str, Any]) -> EmotionReading:
    """An emotion reading back from the slot, where it is kept as a plain dict."""
    return EmotionReading(label=e["label"], valence=e["valence"], intensity=e["intensity"],
                          cues=tuple(e.get("cues", ())))


def _emotions(tracker: Tracker) -> tuple[EmotionReading, ...]:
    return tuple(_reading(e) for e in tracker.get_slot("emotions") or [])


def _topic(tracker: Tracker) -> str | None:
    """The customer's latest request, for routing and the rep's summary."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            parse = event.get("parse_data") or {}
            name = (parse.get("intent") or {}).get("name")
            if name == urgency.INTENT:  # the NLU's own reading stays second in the ranking
                name = ((parse.get("intent_ranking") or [{}, {}])[1:2] or [{}])[0].get("name")
            if name and name not in GENERIC_INTENTS:
                return str(name)
    return None


def _signals(tracker: Tracker, ctx: Context, *, extra: list[EventType] | None = None,
             **overrides: Any) -> Signals:
    readings = _emotions(tracker)
    for event in extra or []:  # readings from this turn, not yet on the tracker
        if event.get("name") == "emotions" and event.get("value"):
            readings = readings + (_reading(event["value"][-1]),)
    intent = tracker.latest_message.get("intent") or {}
    fields: dict[str, Any] = dict(
        text=tracker.latest_message.get("text") or "", lang=ctx.lang,
        intent=intent.get("name"), intent_confidence=float(intent.get("confidence") or 0),
        consecutive_fallbacks=0, emotions=readings, emergency=False, policy_referral=None,
        dispute=False, verification_failures=int(tracker.get_slot("verify_failures") or 0),
        verified_account=ctx.account if ctx.verified else None,
        collected={**{k: tracker.get_slot(k) for k in COLLECTED if tracker.get_slot(k)},
                   **({"topic": topic} if (topic := _topic(tracker)) else {})},
    )
    if found := urgency.reading(tracker.latest_message):
        fields.update(urgency=found[0], urgency_confidence=found[1])
    fields.update(overrides)
    return Signals(**fields)


async def guard(*, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context,
                extra: list[EventType]) -> list[EventType] | None:
    """Hands off before anything else when the customer's words call for a person."""
    if tracker.get_slot("handed_off"):
        return None
    decision = await _decide(_signals(tracker, ctx, extra=extra))
    if decision.handoff and decision.reason_code in PROACTIVE:
        return await _send(dispatcher, tracker, ctx, decision)
    return None


async def hand_off(*, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context,
                   reason_code: str, policy_referral: str | None = None,
                   emergency: bool = False, consecutive_fallbacks: int = 0,
                   then: tuple[str, str] | None = None) -> list[EventType]:
    """Hands off for a reason the bot already knows (a request, a referral, an emergency…).

    `then` is said (en, es) after the handoff's own first line: what the bot already did.
    """
    if reason_code in FORCED:
        en, es, priority = FORCED[reason_code]
        base = decide(_signals(tracker, ctx, intent="request_human", intent_confidence=1.0))
        say_en, say_es = SAY.get(reason_code, (base.customer_message_en, base.customer_message_es))
        decision = HandoffDecision(
            handoff=True, reason_code=reason_code, reason_en=en, reason_es=es, priority=priority,
            skills=base.skills, customer_message_en=say_en, customer_message_es=say_es)
    else:
        overrides: dict[str, Any] = {"emergency": emergency, "policy_referral": policy_referral,
                                     "consecutive_fallbacks": consecutive_fallbacks}
        if reason_code == "verification_failed":
            overrides["verification_failures"] = 3
        if reason_code == "request":
            overrides.update(intent="request_human", intent_confidence=1.0)
        decision = await _decide(_signals(tracker, ctx, **overrides))
        if not decision.handoff:  # asked for, so honour it as a plain request
            decision = decide(_signals(tracker, ctx, intent="request_human", intent_confidence=1.0))
    return await _send(dispatcher, tracker, ctx, decision, then=then)


async def _decide(signals: Signals) -> HandoffDecision:
    decision = decide(signals)
    if decision.reason_code != "emergency":
        return decision
    try:  # the district's own emergency line, not a default
        phone = (await get_api().district())["emergency_phone"]
    except (APIError, APIUnavailable, KeyError):
        return decision
    return decide(signals, emergency_phone=phone)


async def _send(dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context,
                decision: HandoffDecision, *,
                then: tuple[str, str] | None = None) -> list[EventType]:
    turns = [("user" if e.get("event") == "user" else "bot", e.get("text") or "")
             for e in tracker.events if e.get("event") in ("user", "bot") and e.get("text")]
    signals = _signals(tracker, ctx)
    payload = Handoff(
        reason_code=decision.reason_code, reason_en=decision.reason_en,
        reason_es=decision.reason_es, priority=decision.priority, skills=decision.skills,
        language=ctx.lang,
        summary=summarize(turns=turns, collected=signals.collected, lang=ctx.lang),
        verified_account=signals.verified_account, collected=dict(signals.collected),
        emotions=list(tracker.get_slot("emotions") or []),
    ).to_payload()
    say(dispatcher, ctx, decision.customer_message_en, decision.customer_message_es)
    if then:
        say(dispatcher, ctx, *then)
    dispatcher.utter_message(json_message={HANDOFF_KEY: payload})
    # Any form stops here: the rep takes over, and the bot must not ask its question again.
    return [SlotSet("handed_off", True), SlotSet("offer", None), ActiveLoop(None),
            SlotSet("requested_slot", None)]


class ActionHandoff(WaterDeskAction):
    action_name = "action_handoff"
    guarded = False

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        text = tracker.latest_message.get("text") or ""
        heard = (text.startswith("/") or asks_for_person(text, lang=ctx.lang)
                 or urgency.reading(tracker.latest_message) is not None)
        if not heard:  # only DIET read a request ("add my wife as an authorized person"): ask
            say(dispatcher, ctx, "Would you like me to connect you with a representative?",
                "¿Quiere que lo comunique con un representante?",
                buttons=[("Yes, please", "Sí, por favor", "/affirm"),
                         ("No, thanks", "No, gracias", "/deny")])
            return [SlotSet("offer", "handoff:request")]
        return await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx, reason_code="request")


class ActionHandleComplaint(WaterDeskAction):
    action_name = "action_handle_complaint"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        # The guard already handed off anger, threats and distress; this is a calmer complaint.
        say(dispatcher, ctx,
            "I'm sorry about this, and I want to get it right. I can look into it with you, or "
            "connect you with a representative who can.",
            "Lamento mucho esto y quiero resolverlo. Puedo revisarlo con usted o comunicarlo con un "
            "representante.",
            buttons=[("Talk to a representative", "Hablar con un representante", "/request_human"),
                     ("Show me what you can do", "¿Qué puede hacer?", "/help")])
        return [SlotSet("offer", "handoff:request")]  # a yes takes the offer of a person
