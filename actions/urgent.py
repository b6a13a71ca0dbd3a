"""Messages the urgency classifier marked urgent: to a person at once, before any verification.

A public-safety emergency gets the district's emergency line first, a crew sent to the place the
customer already named, and the emergency queue. Water that may be making someone ill gets
advice, a high-priority water-quality order and a person; never "the water meets all standards".
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import Context, WaterDeskAction, latest_entities, work_order
from actions.handoff import hand_off
from common import urgency

# "at Alondra and Oso Pkwy", "on Crown Valley near the school", "esquina de Antonio y Oso".
_PLACE = re.compile(
    r"\b(?:at|on|near|by|in front of|outside|across from|corner of|intersection of|between|"
    r"en la esquina de|esquina de|esquina|frente a|enfrente de|cerca de|en|entre|sobre|por)\s+"
    r"(?P<place>[^.,;!?\n]{3,80})", re.IGNORECASE)
_STREETISH = re.compile(
    r"\d|\b(?:and|&|y|con)\b\s+\w|\b(?:st|street|ave|avenue|rd|road|pkwy|parkway|blvd|dr|drive|"
    r"ln|lane|way|ct|calle|avenida|av|camino|paseo|vista|alondra|oso|antonio|marguerite|"
    r"crown valley|la paz|el toro|santa margarita|alicia|sendero)\b", re.IGNORECASE)
_NOT_PLACE = re.compile(r"^(?:my|the|our|mi|mis|la|el|mi casa|my house|home|casa)\b",
                        re.IGNORECASE)
_QUALITY = re.compile(
    r"\b(?:water|agua|tap|llave|smell\w*|taste\w*|color|colou?r|brown|yellow|cloudy|milky|"
    r"black|green|chlorine|bleach|chemical|huele|olor|sabor|turbia|cafe|café|amarilla|cloro|"
    r"qu[ií]mico|drank|drink\w*|tom[oó]|tomamos|bebi\w*|beb[ií])\b", re.IGNORECASE)


def place_in(text: str) -> str | None:
    """Where the customer said it is, when they named streets or an address in the message."""
    for match in _PLACE.finditer(text):
        place = " ".join(match.group("place").split())
        if _STREETISH.search(place) and not _NOT_PLACE.match(place):
            return place
    return None


def location(tracker: Tracker) -> str | None:
    text = tracker.latest_message.get("text") or ""
    return (latest_entities(tracker, "address") or [None])[0] or place_in(text)


async def emergency(action: WaterDeskAction, dispatcher: CollectingDispatcher, tracker: Tracker,
                    ctx: Context) -> list[EventType]:
    """The emergency line first, then a crew to the place already given, then a person."""
    text = tracker.latest_message.get("text") or ""
    where = location(tracker)
    then = ("A representative is joining now: please tell them the nearest address or cross "
            "streets.", "Un representante se une ahora: por favor indíquele la dirección o las "
            "calles más cercanas.")
    if where:  # not the premise: a break down the street is not at the customer's home
        order = await work_order(action, ctx, kind="leak_investigation", priority="emergency",
                                 location=where, description=f"Emergency reported: {text}")
        then = (f"I've dispatched a crew to {order['location']} (work order "
                f"{order['order_number']}). Please keep away from the water and anything "
                "electrical near it.",
                f"Envié una cuadrilla a {order['location']} (orden {order['order_number']}). "
                "Manténgase lejos del agua y de cualquier cosa eléctrica cerca.")
    return await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx, reason_code="emergency",
                          emergency=True, then=then)


async def health_concern(action: WaterDeskAction, dispatcher: CollectingDispatcher,
                         tracker: Tracker, ctx: Context) -> list[EventType]:
    """Water that may be making someone ill: advice, a high-priority order and a person."""
    text = tracker.latest_message.get("text") or ""
    where = None if ctx.verified else location(tracker)
    advice = ("Please don't drink the tap water or use it for cooking, formula or brushing teeth "
              "for now: use bottled water. If anyone feels unwell, call your doctor, or 911 in an "
              "emergency.",
              "Por ahora no tome agua de la llave ni la use para cocinar, preparar fórmula o "
              "lavarse los dientes: use agua embotellada. Si alguien se siente mal, llame a su "
              "médico, o al 911 en una emergencia.")
    if ctx.verified or where:
        order = await work_order(action, ctx, kind="water_quality", priority="high",
                                 location=where, description=f"Water quality, health concern: {text}")
        advice = (f"{advice[0]} Our water quality team will check it urgently (work order "
                  f"{order['order_number']}).",
                  f"{advice[1]} Nuestro equipo de calidad del agua lo revisará con urgencia "
                  f"(orden {order['order_number']}).")
    return await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                          reason_code="health_concern", then=advice)


def about_water_quality(tracker: Tracker) -> bool:
    ranking = tracker.latest_message.get("intent_ranking") or []
    names = {r.get("name") for r in ranking[:3]}
    return "water_quality" in names or bool(_QUALITY.search(tracker.latest_message.get("text") or ""))


class ActionUrgent(WaterDeskAction):
    """The classifier heard an emergency, a health risk, distress, a threat or a complaint."""

    action_name = "action_urgent"
    guarded = False  # this is the guard's own work

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        category = (urgency.reading(tracker.latest_message) or ("", 0.0))[0]
        if category == "emergency":
            return await emergency(self, dispatcher, tracker, ctx)
        if category == "health" and about_water_quality(tracker):
            return await health_concern(self, dispatcher, tracker, ctx)
        return await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                              reason_code="urgent")
