"""Leaks, meter rereads and tests, and water quality: triage and field work orders (no water and
low pressure are in actions/outages.py)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import WaterDeskAction, latest_entities, money, say, work_order
from actions.urgent import health_concern, place_in

OUTSIDE = {"street", "sidewalk", "meter_box", "yard"}
HEALTH_WORDS = re.compile(
    r"\b(sick|ill|vomit\w*|diarrh\w*|rash\w*|itch\w*|hospital|doctor|nause\w*|"
    r"dizzy|headaches?|stomach|burn\w*|enferm\w*|v[oó]mit\w*|diarrea|sarpullido|ronchas|"
    r"comez[oó]n|mare\w*|n[aá]usea\w*|dolor|ardor|arde|quema\w*|m[eé]dico)\b", re.IGNORECASE)


# Words that place a leak or measure it, for entity spans that aren't one of the slot's values
# ("of the street", "shooting"): the triage must not read an outside gusher as a small inside leak.
PLACES = (
    ("meter_box", ("meter", "medidor", "caja")),
    ("sidewalk", ("sidewalk", "banqueta", "acera", "curb")),
    ("street", ("street", "road", "calle", "hydrant", "hidrante", "avenida", "main", "corner",
                "esquina", "pkwy", "parkway")),
    ("yard", ("yard", "jard", "patio", "lawn", "cesped", "césped", "sprinkler", "garden")),
    ("inside", ("inside", "house", "home", "casa", "kitchen", "cocina", "bath", "baño", "bano",
                "wall", "pared", "ceiling", "techo", "slab", "garage", "dentro", "toilet",
                "inodoro", "sink", "lavabo", "heater", "boiler")),
)
SEVERITY = (
    ("emergency", ("gush", "flood", "shoot", "spray", "pour", "everywhere", "burst", "geyser",
                   "chorro", "inund", "brota", "fuerza", "emergenc", "massive", "huge")),
    ("minor", ("drip", "small", "slow", "little", "tiny", "gote", "poco", "poquit", "charco",
               "puddle", "wet", "húmed", "humed")),
)


def canonical(value: Any, *, choices: tuple[tuple[str, tuple[str, ...]], ...],
              text: str = "") -> str | None:
    """A slot value from what the NLU found, else from the customer's whole message."""
    names = {name for name, _ in choices}
    if value in names:
        return str(value)
    for source in (str(value or ""), text):
        lowered = source.lower()
        for name, words in choices:
            if any(word in lowered for word in words):
                return name
    return None


def _from_words(tracker: Tracker, slot: str,
                choices: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, Any]:
    """The answer to the form's question when the NLU found no span in it ("just a small
    puddle" asked how bad): the customer's words decide, so the question isn't asked again."""
    if tracker.get_slot("requested_slot") != slot or latest_entities(tracker, slot):
        return {}
    found = canonical(None, choices=choices, text=tracker.latest_message.get("text") or "")
    return {slot: found} if found else {}


class ValidateLeakForm(FormValidationAction):
    def name(self) -> str:
        return "validate_leak_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        # A field crew needs a place: the verified premise, or an address the customer gives.
        outside = tracker.get_slot("leak_location") in OUTSIDE
        urgent = tracker.get_slot("severity") == "emergency"
        if (outside or urgent) and not tracker.get_slot("verified"):
            return ["leak_location", "severity", "leak_address"]
        return ["leak_location", "severity"]

    async def extract_leak_location(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        return _from_words(tracker, "leak_location", PLACES)

    async def extract_severity(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> dict[str, Any]:
        return _from_words(tracker, "severity", SEVERITY)

    async def extract_leak_address(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        # Streets named in the report itself ("burst main at Oso and Antonio") are the address.
        if tracker.get_slot("leak_address"):
            return {}
        where = place_in(tracker.latest_message.get("text") or "")
        return {"leak_address": where} if where else {}

    def validate_leak_location(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        return {"leak_location": canonical(value, choices=PLACES, text=text)}

    def validate_severity(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = tracker.latest_message.get("text") or ""
        return {"severity": canonical(value, choices=SEVERITY, text=text)}

    def validate_leak_address(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = " ".join(str(value or "").split())
        return {"leak_address": text if len(text) >= 5 else None}


class ActionReportLeak(WaterDeskAction):
    action_name = "action_report_leak"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        where = tracker.get_slot("leak_location")
        urgent = tracker.get_slot("severity") == "emergency"
        address = tracker.get_slot("leak_address")
        text = tracker.latest_message.get("text") or ""
        done: list[EventType] = [SlotSet("leak_location", None), SlotSet("severity", None),
                                 SlotSet("leak_address", None)]
        if urgent:
            d = await self.api.district()
            order = await work_order(self, ctx, kind="leak_investigation", priority="emergency",
                                      location=address, description=f"Emergency leak ({where}): {text}")
            say(dispatcher, ctx,
                f"This is an emergency: I've dispatched a crew (work order {order['order_number']}). "
                f"Please also call our emergency line now: {d['emergency_phone']}. Keep away from "
                "fast-moving water and any electrical equipment near it, and if water is flooding "
                "your home, close your main shut-off valve if you can do so safely.",
                f"Es una emergencia: envié una cuadrilla (orden {order['order_number']}). Llame "
                f"también ahora a nuestra línea de emergencias: {d['emergency_phone']}. Aléjese del "
                "agua que corre con fuerza y de aparatos eléctricos cercanos y, si el agua inunda su "
                "casa, cierre la llave de paso principal si puede hacerlo sin riesgo.")
            from actions.handoff import hand_off

            return done + await hand_off(dispatcher=dispatcher, tracker=tracker, ctx=ctx,
                                         reason_code="emergency", emergency=True)
        if where in OUTSIDE:
            order = await work_order(self, ctx, kind="leak_investigation", priority="normal",
                                      location=address, description=f"Leak reported at {where}: {text}")
            say(dispatcher, ctx,
                f"Thanks for reporting it. A field crew will check it within one business day "
                f"(work order {order['order_number']}). If it gets worse, tell me or call our "
                "emergency line.",
                f"Gracias por avisarnos. Una cuadrilla lo revisará en un día hábil (orden "
                f"{order['order_number']}). Si empeora, dígame o llame a la línea de emergencias.")
            return done
        say(dispatcher, ctx,
            "Leaks inside the property are the owner's to repair, but here's how to find them:\n"
            "• Close your main shut-off valve if water is running where it shouldn't.\n"
            "• Toilet dye test: put a few drops of food coloring in the tank and wait 15 minutes; "
            "color in the bowl means a leaking flapper.\n"
            "• Check the meter's leak indicator (the small triangle) with all water off: if it "
            "spins, water is escaping somewhere.\n"
            "Would you like a free leak investigation visit?",
            "Las fugas dentro de la propiedad las repara el dueño, pero así puede encontrarlas:\n"
            "• Cierre la llave de paso principal si corre agua donde no debe.\n"
            "• Prueba del tinte: ponga unas gotas de colorante en el tanque del inodoro y espere 15 "
            "minutos; si el color pasa a la taza, la válvula tiene fuga.\n"
            "• Revise el indicador de fugas del medidor (el triangulito) con toda el agua cerrada: "
            "si gira, hay una fuga.\n"
            "¿Quiere una visita gratuita de revisión de fugas?",
            buttons=[("Yes, send someone", "Sí, envíen a alguien", "/affirm"),
                     ("No, thanks", "No, gracias", "/deny")])
        return done + [SlotSet("offer", "leak_order")]


class ActionMeterReread(WaterDeskAction):
    action_name = "action_meter_reread"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        order = await work_order(self, ctx, kind="meter_reread", priority="normal",
                                  description="Customer asked for a meter reread: "
                                  + (tracker.latest_message.get("text") or "")[:500])
        say(dispatcher, ctx,
            f"I've requested a meter reread (work order {order['order_number']}). A technician will "
            "read it within 3 business days; if the first read was wrong, we'll correct your bill.",
            f"Solicité una nueva lectura del medidor (orden {order['order_number']}). Un técnico la "
            "hará en 3 días hábiles; si la lectura anterior estaba mal, corregiremos su factura.")
        return []


class ActionMeterTest(WaterDeskAction):
    action_name = "action_meter_test"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        d = await self.api.district()
        fee = money(d["fees"]["meter_test_fee"])
        say(dispatcher, ctx,
            f"A meter accuracy test costs {fee}. If the meter reads outside accuracy limits, we "
            "replace it, refund the fee and adjust your bills. Shall I schedule it?",
            f"La prueba de precisión del medidor cuesta {fee}. Si el medidor está fuera de los "
            "límites de precisión, lo reemplazamos, le devolvemos el cargo y ajustamos sus facturas. "
            "¿La programo?",
            buttons=[("Yes, schedule it", "Sí, prográmela", "/affirm"), ("No", "No", "/deny")])
        return [SlotSet("offer", "meter_test")]


class ActionWaterQuality(WaterDeskAction):
    action_name = "action_water_quality"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        text = tracker.latest_message.get("text") or ""
        if HEALTH_WORDS.search(text):  # never "meets all standards" to someone who may be ill
            return await health_concern(self, dispatcher, tracker, ctx)
        say(dispatcher, ctx,
            "Our water meets all state and federal standards. Cloudy water is usually air and "
            "clears from the bottom of a glass in a few minutes; brown or yellow water after nearby "
            "work usually clears by running the cold tap for 5–10 minutes. A chlorine taste is "
            "normal and fades if you chill the water.",
            "Nuestra agua cumple con todas las normas estatales y federales. El agua turbia suele "
            "ser aire y se aclara desde el fondo del vaso en unos minutos; el agua café o amarilla "
            "después de obras cercanas suele aclararse dejando correr la llave fría 5–10 minutos. "
            "Un sabor a cloro es normal y disminuye si enfría el agua.")
        location = None if ctx.verified else (latest_entities(tracker, "address") or [None])[0]
        if ctx.verified or location:
            order = await work_order(self, ctx, kind="water_quality", priority="normal",
                                     location=location, description=f"Water quality: {text}")
            say(dispatcher, ctx,
                f"I've also asked our water quality team to check (work order {order['order_number']}).",
                f"También pedí al equipo de calidad del agua que lo revise (orden {order['order_number']}).")
        return []
