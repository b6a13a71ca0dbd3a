"""No water and low pressure: known outages first, otherwise an outage report and a crew.

Reporting needs no verification: an address or ZIP is enough (a verified customer's premise
stands in). The backend links the report to the account only through the verification token.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.addresses import ZIP_RE
from actions.common import Context, WaterDeskAction, latest_entities, say
from actions.emotion import normalize

# On normalised text (lower case, no accents or apostrophes).
NO_WATER = re.compile(
    r"\b(no (?:water|wter|agua|awa)\b(?! quality)|without water|zero water|"
    r"lost (?:our |the )?water|"
    r"water (?:is |went |has gone |just went |got shut )(?:off|out)|water stopped|"
    r"nothing (?:comes|came|is coming) out|nothing came from|"
    r"(?:water|it) (?:be|come|coming) back|back on|sin (?:agua|awa)|"
    r"no (?:sale|salio|sali) (?:agua|nada|ni)|"
    r"se (?:fue|corto|nos fue) el agua|falta de agua|ni una gota|no (?:hay|tengo|tenemos) agua|"
    r"(?:quede|quedamos|kedamos) sin|regresa el agua|vuelve el agua|corte de agua)")
LOW_PRESSURE = re.compile(
    r"(pressure|presion|barely|casi no sale|weak|trickle|chorrito|sputter|con aire|"
    r"poquita agua|muy poca agua)")
KINDS = {"no_water", "low_pressure"}
KIND_BUTTONS = [
    ("No water at all", "No hay nada de agua", '/water_outage{"outage_kind": "no_water"}'),
    ("Low pressure", "Poca presión", '/water_outage{"outage_kind": "low_pressure"}'),
    ("It's a leak", "Es una fuga", "/report_leak"),
]


def outage_kind(tracker: Tracker) -> str | None:
    """What the customer reports: a button's choice, else their words; None for a question
    about outages ("is there an outage in 92688?")."""
    chosen = (latest_entities(tracker, "outage_kind") or [None])[0]
    if chosen in KINDS:
        return str(chosen)
    text = normalize(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return None
    if NO_WATER.search(text):
        return "no_water"
    return "low_pressure" if LOW_PRESSURE.search(text) else None


def place_named(tracker: Tracker) -> str | None:
    """An address or ZIP in the latest message."""
    address = (latest_entities(tracker, "address") or [None])[0]
    zip_code = (latest_entities(tracker, "zip") or [None])[0]
    if address and zip_code and str(zip_code) not in str(address):
        return f"{address} {zip_code}"
    return str(address or zip_code) if address or zip_code else None


class ActionWaterOutage(WaterDeskAction):
    """No water, low pressure or a question about outages: where, then the answer."""

    action_name = "action_water_outage"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        kind = outage_kind(tracker)
        place = place_named(tracker)
        text = tracker.latest_message.get("text") or ""
        if place is None and text.startswith("/"):
            # A button pressed after a lookup: the place is the one just looked up.
            place = tracker.get_slot("outage_address")
        events: list[EventType] = [SlotSet("outage_kind", kind), SlotSet("outage_address", place)]
        if place or ctx.verified:
            return events + await answer(self, dispatcher, tracker, ctx, kind=kind, place=place)
        return events + [SlotSet("offer", None), ActiveLoop("outage_form")]  # it asks where


class ValidateOutageForm(FormValidationAction):
    def name(self) -> str:
        return "validate_outage_form"

    def validate_outage_address(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = " ".join(str(value or "").split()).strip(" ,.")
        # A ZIP, a street with its number, or an intersection is a place a crew can find.
        if ZIP_RE.search(text) or (len(text) >= 5 and (
                re.search(r"\d+\s+\w+", text) or re.search(r"\b(and|y|&|at|con|esquina)\b", text))):
            return {"outage_address": text[:300]}
        say(dispatcher, Context.of(tracker),
            "I need the street address (number and street) or the ZIP code, e.g. 22 Alondra or "
            "92688.",
            "Necesito la dirección (número y calle) o el código postal, por ejemplo 22 Alondra o "
            "92688.")
        return {"outage_address": None}


class ActionReportOutage(WaterDeskAction):
    """After outage_form has the place, or on a yes to "would you like to report it?"."""

    action_name = "action_report_outage"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        kind = tracker.get_slot("outage_kind")
        place = tracker.get_slot("outage_address")
        if tracker.get_slot("offer") == "run:action_report_outage":
            # "Yes, report it": which of the two?
            say(dispatcher, ctx, "Is there no water at all, or is the pressure low?",
                "¿No sale nada de agua, o hay poca presión?", buttons=KIND_BUTTONS)
            return [SlotSet("offer", None)]
        return await answer(self, dispatcher, tracker, ctx, kind=kind, place=place)


async def answer(action: WaterDeskAction, dispatcher: CollectingDispatcher, tracker: Tracker,
                 ctx: Context, *, kind: str | None, place: str | None) -> list[EventType]:
    if kind is None:  # a question: look it up
        zip_code = place if place and ZIP_RE.fullmatch(place.strip()) else None
        address = None if zip_code else place
        if not place:
            summary = await action.api.account(ctx.account, token=ctx.token)
            zip_code = summary["service_address"].split()[-1]
        return await report_outages(action, dispatcher, ctx, zip_code=zip_code, address=address)
    return await file_report(action, dispatcher, tracker, ctx, kind=kind, place=place)


async def file_report(action: WaterDeskAction, dispatcher: CollectingDispatcher, tracker: Tracker,
                      ctx: Context, *, kind: str, place: str | None) -> list[EventType]:
    text = tracker.latest_message.get("text") or ""
    body: dict[str, Any] = {"kind": kind,
                            "description": "" if text.startswith("/") else text[:2000]}
    if place and ZIP_RE.fullmatch(place.strip()):
        body["zip"] = place.strip()[:5]
    elif place:
        body["location"] = place[:300]
        if found := ZIP_RE.search(place):
            body["zip"] = found.group(1)
    report = await action.api.write("POST", "/outage-reports", body=body,
                                    key=ctx.key(action.action_name),
                                    token=ctx.token if ctx.verified else None,
                                    conversation_id=ctx.conversation_id)
    done: list[EventType] = [SlotSet("outage_kind", None), SlotSet("outage_address", None),
                             SlotSet("offer", None)]
    number = report["report_number"]
    outage = report.get("outage")
    if outage:
        back = ctx.pick(outage.get("expected_back"))
        say(dispatcher, ctx,
            f"There's a known outage that covers {report['location']}: {outage['title']}. "
            + (f"We expect water back by {back}. " if back else "Crews are working on it. ")
            + f"I've added your report to it ({number}), so there's no need to report it again.",
            f"Hay una interrupción conocida que incluye {report['location']}: {outage['title']}. "
            + (f"Esperamos que el agua regrese para el {back}. " if back else
               "Las cuadrillas ya están trabajando. ")
            + f"Agregué su reporte ({number}), así que no necesita reportarlo de nuevo.")
        return done
    order = report.get("work_order_number")
    if kind == "no_water":
        say(dispatcher, ctx,
            f"I don't see a known outage at {report['location']}, so I've reported it ({number}) "
            f"and a crew is on the way to investigate as a high priority (work order {order}). "
            "If your neighbors have water, check that your main shut-off valve is fully open. If you see "
            "water running in the street, tell me or call our emergency line.",
            f"No veo una interrupción conocida en {report['location']}, así que lo reporté "
            f"({number}) y una cuadrilla va a investigar con prioridad alta (orden {order}). Si sus "
            "vecinos sí tienen agua, revise que la llave de paso principal esté totalmente abierta. "
            "Si ve agua corriendo en la calle, dígame o llame a la línea de emergencias.")
    else:
        say(dispatcher, ctx,
            f"I don't see a known outage at {report['location']}, so I've reported the low "
            f"pressure ({number}); a technician will check it within one business day (work order "
            f"{order}). Meanwhile: if it's only one faucet, clean its aerator; if it's the whole "
            "house, check that the main shut-off valve is fully open.",
            f"No veo una interrupción conocida en {report['location']}, así que reporté la baja "
            f"presión ({number}); un técnico la revisará en un día hábil (orden {order}). Mientras "
            "tanto: si es solo una llave, limpie su aireador; si es toda la casa, revise que la "
            "llave de paso principal esté totalmente abierta.")
    return done


async def report_outages(action: WaterDeskAction, dispatcher: CollectingDispatcher, ctx: Context,
                         *, zip_code: str | None, address: str | None) -> list[EventType]:
    """Known outages at a place; none, and the customer is offered a report."""
    outages = await action.api.outages(zip_code=zip_code, address=address)
    place = zip_code or address
    if not outages:
        say(dispatcher, ctx,
            f"I don't see any outage at {place} right now. If you have no water or very low "
            "pressure, it may be a break: would you like to report it?",
            f"No veo interrupciones en {place} en este momento. Si no tiene agua o tiene muy poca "
            "presión, puede ser una ruptura: ¿quiere reportarla?",
            buttons=KIND_BUTTONS)
        # A yes asks which; a button reports at this same place.
        return [SlotSet("offer", "run:action_report_outage"), SlotSet("outage_address", place)]
    for o in outages:
        kind = ctx.t("Planned work" if o["planned"] else "Outage",
                     "Trabajo programado" if o["planned"] else "Interrupción")
        restore = (o.get("expected_restore_at") or "")[11:16]
        say(dispatcher, ctx,
            f"{kind}: {o['title']}. {o['description']} Expected back by {restore} UTC."
            if restore else f"{kind}: {o['title']}. {o['description']}",
            f"{kind}: {o['title']}. {o['description']}")
    return [SlotSet("offer", None)]
