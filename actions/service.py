"""Start, stop and transfer service, and contact updates: forms validated against the backend."""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.addresses import (ACCOUNT_TYPES, CONTACT_FIELDS, EMAIL_RE, ZIP_RE, contact_update,
                               parse_address, service_address)
from actions import by_email
from actions.api import APIError, get_api
from actions.billing import when
from actions.common import Context, WaterDeskAction, say, start_verification
from actions.emotion import normalize

FORM_SLOTS = {
    "start_service_form": ["account_type", "service_address", "service_zip", "service_date",
                           "customer_full_name", "contact_phone", "contact_email",
                           "mailing_address"],
    "stop_service_form": ["service_date", "forwarding_address"],
    "transfer_service_form": ["service_address", "service_zip", "service_date"],
    "contact_form": ["contact_change"],
}
NEEDS_VERIFICATION = {"stop_service_form", "transfer_service_form", "contact_form"}
INTENT_FORM = {"start_service": "start_service_form", "stop_service": "stop_service_form",
               "transfer_service": "transfer_service_form", "update_contact": "contact_form"}
class ActionBeginServiceForm(WaterDeskAction):
    """Clears the form's slots; stop, transfer and contact changes verify the customer first."""

    action_name = "action_begin_service_form"

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        form = INTENT_FORM.get(tracker.latest_message.get("intent", {}).get("name", ""),
                               "start_service_form")
        given = given_in(tracker, form=form)
        # What the request already said fills the form (validated when it starts); the rest is
        # cleared, so an earlier request's answers are not reused.
        events: list[EventType] = [SlotSet(slot, given.get(slot)) for slot in FORM_SLOTS[form]]
        if form in NEEDS_VERIFICATION and not ctx.verified:
            # A phone, ZIP or address that is the request's subject is not a verification factor.
            subject = {"phone", "zip"} if form == "contact_form" else (
                {"zip"} if "service_address" in given else set())
            events += start_verification(pending=f"form:{form}", tracker=tracker, not_factors=subject)
        return events


def given_in(tracker: Tracker, *, form: str) -> dict[str, Any]:
    """The form's slots that the customer's request message already answers."""
    entities: dict[str, Any] = {}
    text = tracker.latest_message.get("text") or ""
    forwarding = None
    for e in tracker.latest_message.get("entities", []):
        entities.setdefault(e.get("entity"), e.get("value"))
        if e.get("entity") == "address" and parse_address(text[e.get("start", 0):]):
            forwarding = forwarding or text[e.get("start", 0):]
    slots = FORM_SLOTS[form]
    given: dict[str, Any] = {}
    if "service_date" in slots and entities.get("date"):
        given["service_date"] = entities["date"]
    if "account_type" in slots and entities.get("account_type"):
        given["account_type"] = entities["account_type"]
    if "service_address" in slots and entities.get("address"):
        given["service_address"] = entities["address"]
        if entities.get("zip"):  # the ZIP that goes with the new address
            given["service_zip"] = entities["zip"]
    if form == "stop_service_form" and forwarding:
        given["forwarding_address"] = forwarding
    if form == "start_service_form" and entities.get("email"):
        given["contact_email"] = entities["email"]
    if form == "contact_form" and contact_update(text):
        given["contact_change"] = text
    if Context.of(tracker).email:  # an email may give the rest too, in any order
        given = {**by_email.answers(text, slots), **given}
    return given


class _ServiceValidation(FormValidationAction):
    @abstractmethod
    def name(self) -> str:
        """Abstract, so the action server doesn't register this shared base."""

    def ctx(self, tracker: Tracker) -> Context:
        return Context.of(tracker)

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> list[EventType]:
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        asked = tracker.get_slot("requested_slot")
        if asked and self.ctx(tracker).email:
            # An email answers every question at once, so the whole text is no one slot's value.
            slots = [s for s in self.domain_slots(domain)
                     if s == asked or tracker.get_slot(s) is None]
            found = by_email.answers(tracker.latest_message.get("text") or "", slots)
            if asked in by_email.FREE_TEXT and asked not in found:
                found[asked] = None
            events += [SlotSet(k, v) for k, v in found.items()]
        return events

    def validate_account_type(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        # A button's title typed out ("Construcción temporal") is still the same choice.
        text = normalize(str(value or ""))
        for kind, words in ACCOUNT_TYPES:
            if any(w in text for w in words):
                return {"account_type": kind}
        return {"account_type": None}

    def validate_service_address(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = " ".join(str(value or "").split()).strip(" ,.")
        if not re.match(r"^\d+\s+\S+", text):
            say(dispatcher, self.ctx(tracker), "Please give the street number and name, e.g. 22 Alondra.",
                "Por favor indique el número y la calle, por ejemplo 22 Alondra.")
            return {"service_address": None}
        slots: dict[str, Any] = {"service_address": ZIP_RE.split(text)[0].strip(" ,")}
        found = ZIP_RE.search(text)
        if found and not tracker.get_slot("service_zip"):
            slots["service_zip"] = found.group(1)
        return slots

    async def validate_service_zip(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        zip_code = str(value or "")[:5]
        if not zip_code.isdigit() or len(zip_code) != 5:
            return {"service_zip": None}
        if not await get_api().in_service_area(zip_code):
            say(dispatcher, self.ctx(tracker),
                f"Sorry, ZIP {zip_code} is outside our service area, so another water provider "
                "serves that address. Could you check the ZIP?",
                f"Lo siento, el código postal {zip_code} está fuera de nuestra área de servicio, así "
                "que otro proveedor atiende esa dirección. ¿Puede revisar el código postal?")
            return {"service_zip": None}
        return {"service_zip": zip_code}

    async def validate_service_date(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        try:
            check = await get_api().check_service_date(str(value)[:10])
        except APIError:
            return {"service_date": None}
        if not check["ok"]:
            ctx = self.ctx(tracker)
            say(dispatcher, ctx, ctx.pick(check["problems"][0]), ctx.pick(check["problems"][0]))
            return {"service_date": None}
        return {"service_date": str(value)[:10]}


class ValidateStartServiceForm(_ServiceValidation):
    def name(self) -> str:
        return "validate_start_service_form"

    def validate_customer_full_name(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        words = [w for w in str(value or "").replace(",", " ").split() if w[0].isalpha()]
        if len(words) < 2:
            say(dispatcher, self.ctx(tracker), "Please give a first and last name.",
                "Por favor indique nombre y apellido.")
            return {"customer_full_name": None}
        return {"customer_full_name": " ".join(words[:4])}

    def validate_contact_phone(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        digits = "".join(ch for ch in str(value or "") if ch.isdigit())[-10:]
        return {"contact_phone": digits if len(digits) == 10 else None}

    def validate_contact_email(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = str(value or "")
        if text == "none" or EMAIL_RE.fullmatch(text):
            return {"contact_email": text.lower()}
        return {"contact_email": None}

    def validate_mailing_address(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == "same" or parse_address(str(value)):
            return {"mailing_address": value}
        say(dispatcher, self.ctx(tracker),
            "Please give the full mailing address with city and ZIP, e.g. PO Box 12, Irvine CA 92618.",
            "Por favor indique la dirección postal completa con ciudad y código postal, por ejemplo "
            "PO Box 12, Irvine CA 92618.")
        return {"mailing_address": None}


class ValidateStopServiceForm(_ServiceValidation):
    def name(self) -> str:
        return "validate_stop_service_form"

    def validate_forwarding_address(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if parse_address(str(value)):
            return {"forwarding_address": value}
        say(dispatcher, self.ctx(tracker),
            "Please give the full address with city and ZIP, e.g. 9 Elm St, Irvine CA 92618.",
            "Por favor indique la dirección completa con ciudad y código postal, por ejemplo "
            "9 Elm St, Irvine CA 92618.")
        return {"forwarding_address": None}


class ValidateTransferServiceForm(_ServiceValidation):
    def name(self) -> str:
        return "validate_transfer_service_form"


class ValidateContactForm(FormValidationAction):
    def name(self) -> str:
        return "validate_contact_form"

    def validate_contact_change(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if contact_update(str(value or "")):
            return {"contact_change": value}
        say(dispatcher, Context.of(tracker),
            "I didn't find a phone number, email or full mailing address in that. Could you send it again?",
            "No encontré un teléfono, correo o dirección postal completa. ¿Me lo puede enviar de nuevo?")
        return {"contact_change": None}


class _Order(WaterDeskAction):
    """A service order is read back first; a yes (action_accept_offer) comes back to place it."""

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        if tracker.get_slot("offer") == f"order:{self.action_name}":
            return await self.place(dispatcher, tracker, ctx)
        en, es = self.read_back(tracker, ctx)
        say(dispatcher, ctx, f"{en} Shall I place this order?", f"{es} ¿Hago la orden?",
            buttons=[("Yes, place it", "Sí, hágala", "/affirm"), ("No", "No", "/deny")])
        return [SlotSet("offer", f"order:{self.action_name}")]

    @abstractmethod
    def read_back(self, tracker: Tracker, ctx: Context) -> tuple[str, str]:
        """What the order will do, in English and Spanish."""

    @abstractmethod
    async def place(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                    ctx: Context) -> list[EventType]:
        """Create the order and tell the customer."""


def _mailing(value: str | None) -> tuple[str, str]:
    return ("same as the service address", "la misma del servicio") if value == "same" \
        else (str(value), str(value))


class ActionStartService(_Order):
    action_name = "action_start_service"

    def read_back(self, tracker, ctx):  # type: ignore[no-untyped-def]
        s = tracker.get_slot
        kind = s("account_type") or "residential"
        mail_en, mail_es = _mailing(s("mailing_address"))
        return (f"To confirm: start {kind.replace('_', ' ')} service at {s('service_address')}, "
                f"{s('service_zip')} on {when(s('service_date'), ctx)}, for "
                f"{s('customer_full_name')}, phone {s('contact_phone')}, mailing address "
                f"{mail_en}.",
                f"Para confirmar: iniciar servicio ({kind.replace('_', ' ')}) en "
                f"{s('service_address')}, {s('service_zip')} el {when(s('service_date'), ctx)}, "
                f"a nombre de {s('customer_full_name')}, teléfono {s('contact_phone')}, dirección "
                f"postal {mail_es}.")

    async def place(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        s = tracker.get_slot
        service = service_address(s("service_address"), s("service_zip"))
        mailing = service if s("mailing_address") == "same" else parse_address(s("mailing_address"))
        first, *rest = s("customer_full_name").split()
        body = {"kind": "start", "requested_date": s("service_date"),
                "account_type": s("account_type") or "residential",
                "service_address": service, "mailing_address": mailing,
                "identity": {"first_name": first, "last_name": " ".join(rest),
                             "phone": s("contact_phone"),
                             "email": None if s("contact_email") == "none" else s("contact_email"),
                             "preferred_language": ctx.lang}}
        order = await self.api.write("POST", "/service-orders", body=body, key=ctx.key(self.action_name),
                                     token=ctx.token, conversation_id=ctx.conversation_id)
        say(dispatcher, ctx,
            f"Done! Service at {s('service_address')} starts {when(order['requested_date'], ctx)}. "
            f"Your order number is {order['order_number']} and your new account number is "
            f"{order['new_account_number']}.",
            f"¡Listo! El servicio en {s('service_address')} empieza el "
            f"{when(order['requested_date'], ctx)}. Su número de orden es {order['order_number']} y "
            f"su nuevo número de cuenta es {order['new_account_number']}.")
        if order.get("deposit_reason"):
            say(dispatcher, ctx, ctx.pick(order["deposit_reason"]), ctx.pick(order["deposit_reason"]))
        return []


class ActionStopService(_Order):
    action_name = "action_stop_service"
    needs_verification = True

    def read_back(self, tracker, ctx):  # type: ignore[no-untyped-def]
        day, to = when(tracker.get_slot("service_date"), ctx), tracker.get_slot("forwarding_address")
        return (f"To confirm: stop service on account {ctx.account} on {day}, with the final bill "
                f"mailed to {to}.",
                f"Para confirmar: terminar el servicio de la cuenta {ctx.account} el {day}, con la "
                f"factura final enviada a {to}.")

    async def place(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        body = {"kind": "stop", "requested_date": tracker.get_slot("service_date"),
                "forwarding_address": parse_address(tracker.get_slot("forwarding_address"))}
        order = await self.api.write("POST", "/service-orders", body=body, key=ctx.key(self.action_name),
                                     token=ctx.token, conversation_id=ctx.conversation_id)
        say(dispatcher, ctx,
            f"Done. Service on account {ctx.account} stops {when(order['requested_date'], ctx)} "
            f"(order {order['order_number']}). We'll read the meter that day and mail the final bill "
            "to your forwarding address; any deposit is credited on it.",
            f"Listo. El servicio de la cuenta {ctx.account} termina el "
            f"{when(order['requested_date'], ctx)} (orden {order['order_number']}). Leeremos el "
            "medidor ese día y enviaremos la factura final a su nueva dirección; cualquier depósito "
            "se acredita en ella.")
        return []


class ActionTransferService(_Order):
    action_name = "action_transfer_service"
    needs_verification = True

    def read_back(self, tracker, ctx):  # type: ignore[no-untyped-def]
        s = tracker.get_slot
        day = when(s("service_date"), ctx)
        return (f"To confirm: on {day}, move service from account {ctx.account} to "
                f"{s('service_address')}, {s('service_zip')}.",
                f"Para confirmar: el {day}, pasar el servicio de la cuenta {ctx.account} a "
                f"{s('service_address')}, {s('service_zip')}.")

    async def place(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        s = tracker.get_slot
        body = {"kind": "transfer", "requested_date": s("service_date"),
                "service_address": service_address(s("service_address"), s("service_zip"))}
        order = await self.api.write("POST", "/service-orders", body=body, key=ctx.key(self.action_name),
                                     token=ctx.token, conversation_id=ctx.conversation_id)
        say(dispatcher, ctx,
            f"Done. On {when(order['requested_date'], ctx)} service moves to {s('service_address')} "
            f"under new account {order['new_account_number']} (order {order['order_number']}). "
            f"{ctx.pick(order.get('deposit_reason'))}",
            f"Listo. El {when(order['requested_date'], ctx)} el servicio pasa a {s('service_address')} "
            f"con la nueva cuenta {order['new_account_number']} (orden {order['order_number']}). "
            f"{ctx.pick(order.get('deposit_reason'))}")
        return []


class ActionUpdateContact(WaterDeskAction):
    action_name = "action_update_contact"
    needs_verification = True

    async def handle(self, dispatcher, tracker, ctx):  # type: ignore[no-untyped-def]
        update = contact_update(tracker.get_slot("contact_change") or "")
        result = await self.api.write("PATCH", f"/accounts/{ctx.account}/contact", body=update,
                                      key=ctx.key(self.action_name), token=ctx.token,
                                      conversation_id=ctx.conversation_id)
        # Only what the customer changed: flags it settled (returned mail, bounces) go unsaid.
        names = [CONTACT_FIELDS[f] for f in result["changed"] if f in CONTACT_FIELDS]
        en = ", ".join(n[0] for n in names) or "nothing"
        es = ", ".join(n[1] for n in names) or "nada"
        say(dispatcher, ctx, f"Updated: {en}. Thanks for keeping your details current.",
            f"Actualizado: {es}. Gracias por mantener sus datos al día.")
        return [SlotSet("contact_change", None)]


