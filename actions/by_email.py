"""Forms by email: every missing detail asked in one email, and one reply answering them all,
in any order ("Residential. 14 Calle Aria 92688. Bills to PO Box 12, Irvine CA 92618.")."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.addresses import ACCOUNT_TYPES, ZIP_RE, parse_address
from actions.emotion import normalize

# Each slot as one line of the email's list, (en, es). service_zip goes with the address.
ITEMS: dict[str, tuple[str, str]] = {
    "account_number": ("your account number (7 digits, on your bill)",
                       "su número de cuenta (7 dígitos, en su factura)"),
    "zip": ("the ZIP code of the service address", "el código postal (ZIP) de la dirección del servicio"),
    "phone": ("the phone number on the account", "el teléfono registrado en la cuenta"),
    "last_name": ("the account holder's last name", "el apellido del titular de la cuenta"),
    "account_type": ("the kind of service: residential, commercial or temporary construction",
                     "el tipo de servicio: residencial, comercial o construcción temporal"),
    "service_address": ("the service address (number, street and ZIP code)",
                        "la dirección del servicio (número, calle y código postal)"),
    "service_zip": ("the ZIP code of the service address", "el código postal de la dirección del servicio"),
    "service_date": ("the date you want (we schedule on business days, up to 60 days ahead)",
                     "la fecha que desea (programamos en días hábiles, hasta 60 días adelante)"),
    "customer_full_name": ("the name the account should be in (first and last name)",
                           "el nombre del titular de la cuenta (nombre y apellido)"),
    "contact_phone": ("a phone number where we can reach you", "un teléfono donde podamos llamarle"),
    "contact_email": ('an email address for the account (or "none")',
                      "un correo electrónico para la cuenta (o «ninguno»)"),
    "mailing_address": ('the mailing address for bills, or "same" if bills go to the service address',
                        "la dirección postal para las facturas, o «la misma» si es la del servicio"),
    "forwarding_address": ("the address where we should send the final bill (street, city and ZIP)",
                           "la dirección a la que enviamos la factura final (calle, ciudad y código postal)"),
    "leak_location": ("where the water is: the street or sidewalk, the meter box, your yard or inside",
                      "dónde está el agua: en la calle o banqueta, la caja del medidor, el jardín o adentro"),
    "severity": ("how bad it is: gushing or flooding, or a drip or small puddle",
                 "qué tan fuerte es: sale a chorros o hay inundación, o es un goteo o charco pequeño"),
    "leak_address": ("the address or nearest intersection", "la dirección o el cruce de calles más cercano"),
    "outage_address": ("the address (number and street) or the ZIP code",
                       "la dirección (número y calle) o el código postal"),
}
LEADS = {
    "verify_form": ("To protect the account holder's privacy, I can share account details only "
                    "after confirming who you are. Please reply with:",
                    "Para proteger la privacidad del titular de la cuenta, solo puedo compartir datos "
                    "de la cuenta después de confirmar su identidad. Por favor responda con:"),
    "start_service_form": ("To start service I need a few details. Please reply with all of them, "
                           "in any order:", "Para iniciar el servicio necesito algunos datos. Por "
                           "favor respóndame con todos, en cualquier orden:"),
    "stop_service_form": ("To stop service I need a few details. Please reply with all of them:",
                          "Para cancelar el servicio necesito algunos datos. Por favor respóndame "
                          "con todos:"),
    "transfer_service_form": ("To move your service I need a few details. Please reply with all "
                              "of them:", "Para cambiar su servicio de domicilio necesito algunos "
                              "datos. Por favor respóndame con todos:"),
    "leak_form": ("To send a crew I need a few details. Please reply with:",
                  "Para enviar una cuadrilla necesito algunos datos. Por favor responda con:"),
    "outage_form": ("To check for outages and report the problem I need to know where. Please "
                    "reply with:", "Para revisar si hay interrupciones y reportar el problema "
                    "necesito saber dónde. Por favor responda con:"),
}
# Slots a chat fills with the whole answer; by email that's never right on its own.
FREE_TEXT = {"service_address", "customer_full_name", "mailing_address", "forwarding_address",
             "leak_address"}
GENERIC_LEAD = ("Please reply with:", "Por favor responda con:")
VERIFY_ROUTES = (("account_number", "zip"), ("phone", "last_name"))

MAILING = re.compile(r"\b(mail(ing)?|bills?|billing|statements?|postal|correspondencia|facturas?|"
                     r"correo postal)\b")
FORWARDING = re.compile(r"\b(final bill|forward(ing)?|new address|factura final|nueva direccion|"
                        r"reenvi\w*)\b")
SAME = re.compile(r"\b(same|service address|misma|mismo|igual)\b")
NAME = re.compile(r"(?:\bname\b|\bnombre\b)(?:\s+(?:is|es|of|de|should be|will be|sera))?"
                  r"(?:\s+(?:in|under|a))?\s*[:\-]?\s*", re.I)


def missing(tracker: Tracker, domain: dict[str, Any], asked: str) -> list[str]:
    """The active form's slots still to fill, the asked one first, as email lines to ask."""
    form = tracker.active_loop.get("name") if tracker.active_loop else None
    if form == "verify_form" or asked in ("account_number", "zip", "phone", "last_name"):
        route = next(r for r in VERIFY_ROUTES if asked in r)
        # The sender's authenticated address stands in for the ZIP: ask only for the number.
        from actions.verification import email_sender  # it imports the forms' helpers

        if asked == "account_number" and tracker.get_slot("zip") is None and email_sender(tracker):
            return ["account_number"]
        return [s for s in route if s == asked or tracker.get_slot(s) is None]
    required = ((domain.get("forms") or {}).get(form or "") or {}).get("required_slots") or [asked]
    slots = [asked] + [s for s in required if s != asked and tracker.get_slot(s) is None]
    if "service_address" in slots and "service_zip" in slots:
        slots.remove("service_zip")
    return [s for s in slots if s in ITEMS]


def question(form: str | None, slots: list[str], lang: str) -> str:
    es = lang == "es"
    lead = LEADS.get(form or "", GENERIC_LEAD)[1 if es else 0]
    return lead + "\n" + "\n".join(f"- {ITEMS[s][1 if es else 0]}" for s in slots)


def segments(text: str) -> list[str]:
    """Lines and sentences; a period inside "St." or "P.O." doesn't end one."""
    parts: list[str] = []
    for line in str(text or "").splitlines():
        parts += [p.strip(" -*•\t") for p in re.split(r"(?<=[a-z0-9)])[.;!?]\s+(?=[A-ZÁÉÍÓÚÑ¿¡])",
                                                     line)]
    return [p for p in parts if p]


def _after_cue(segment: str) -> str:
    # "Mailing address: PO Box 12, Irvine CA 92618" → the part after the label.
    head, sep, tail = segment.partition(":")
    return tail.strip() if sep and len(head) < 40 else segment


MONTHS = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|ene|abr|ago|dic|enero|"
                    r"febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
                    r"diciembre)[a-z]*\b")


def _address_in(segment: str) -> str | None:
    if MONTHS.search(normalize(segment)) and not ZIP_RE.search(segment):
        return None  # "15 de diciembre" is a date, not a street
    found = re.search(r"(p\.?\s*o\.?\s*box\s+\d+|\d+\s+[A-Za-zÁÉÍÓÚÑáéíóúñ]).*", segment, re.I)
    return found.group(0).strip(" .") if found else None


def answers(text: str, slots: list[str]) -> dict[str, Any]:
    """What one email answers of `slots`, whatever the order it gives them in."""
    found: dict[str, Any] = {}
    for seg in segments(text):
        plain = normalize(seg)
        body = _after_cue(seg)
        if "mailing_address" in slots and MAILING.search(plain):
            if SAME.search(plain) and not parse_address(body):
                found.setdefault("mailing_address", "same")
            elif (addr := _address_in(body)) and parse_address(addr):
                found.setdefault("mailing_address", addr)
            continue
        if "forwarding_address" in slots and (addr := _address_in(body)) and parse_address(addr):
            if FORWARDING.search(plain) or "forwarding_address" not in found:
                found["forwarding_address"] = addr
            continue
        if "customer_full_name" in slots and (m := NAME.search(seg)):
            words = [w for w in re.split(r"[\s,]+", seg[m.end():]) if w[:1].isupper()]
            if len(words) >= 2:
                found.setdefault("customer_full_name", " ".join(words[:4]).strip(" ."))
                continue
        if "account_type" in slots and "account_type" not in found:
            kind = next((k for k, words in ACCOUNT_TYPES if any(w in plain for w in words)), None)
            if kind and len(plain) < 80:
                found["account_type"] = kind
                continue
        for slot in ("service_address", "leak_address"):
            if slot in slots and slot not in found and (addr := _address_in(body)):
                street = ZIP_RE.split(addr)[0].split(",")[0].strip(" ,")
                found[slot] = street if slot == "service_address" else addr
                if slot == "service_address" and (z := ZIP_RE.search(addr)):
                    found.setdefault("service_zip", z.group(1))
    return {k: v for k, v in found.items() if k in slots or k == "service_zip"}
