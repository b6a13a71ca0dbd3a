"""The scripted customer of bench/containment_eval.py.

It reads the bot's latest replies, recognises what they ask (English or Spanish, whatever the
wording, as long as the question names what it wants), and answers from the task: the account
it is (number, ZIP, phone, last name) and the facts it knows (a date, a new address…). Buttons
are clicked (their payload is sent, as the widget does) when one fits the answer. It accepts
offers and read-back confirmations unless the task says otherwise, and always declines a
person. It repeats its request once when it is not understood or recognises nothing, then
gives up. Asked the same thing again, it says a date or "no email" another way.
Standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


def fold(text: str) -> str:
    """Lower case without accents, so one pattern reads "número" and "numero"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


# What a bot message asks, first match wins: the order settles overlaps ("the ZIP code of the
# service address" is a ZIP; "first and last name" a full name; "the new phone, email or
# mailing address" a contact change).
QUESTIONS: list[tuple[str, str]] = [
    ("human", r"(connect|transfer) you|representative|representante|comunique|a person\b|"
              r"una persona|agent\b|agente"),
    ("rephrase", r"didn.?t (quite )?(get|understand|catch)|another way|not understanding|"
                 r"no entendi|no le entendi|de otra forma|sigo sin entender|do with that|"
                 r"haga con ese dato"),
    ("confirm", r"go ahead|proceed|shall i (place|submit|book|confirm)|is (that|this|everything) "
                r"(right|correct)|all correct|\bconfirm|procedo|adelante|es correcto|"
                r"(esta|todo) (bien|correcto)|lo confirmo|confirma|hago la orden|hagala|"
                r"(place|submit) (this|the|your) order"),
    ("account_number", r"account number|numero de cuenta"),
    ("phone_on_file", r"phone (number )?(on|for) (the|your) account|phone on file|"
                      r"telefono (registrado|de la cuenta)"),
    ("full_name", r"whose name|full name|first and last|a nombre de quien|nombre completo|"
                  r"nombre y apellido"),
    ("last_name", r"last name|surname|apellido"),
    ("outage_place", r"zip code or (street )?address|codigo postal o (la )?direccion"),
    ("new_zip", r"(zip|codigo postal)[^?]{0,25}(that address|the new|esa direccion|nueva)"),
    ("zip", r"\bzip\b|codigo postal"),
    ("contact_change", r"like to update|would you like to change|quiere actualizar|quiere cambiar|"
                       r"new phone, email|nuevo telefono, correo"),
    ("account_type", r"kind of service|type of service|tipo de servicio|home or (a )?business|"
                     r"residential or commercial|residencial o comercial|casa o (un )?negocio"),
    ("mailing", r"mailing address|bills go|direccion postal|enviamos las facturas"),
    ("forwarding", r"final bill|factura final|forwarding"),
    ("service_address", r"service address|new address|address (are you moving|of the new)|"
                        r"moving to|"
                        r"direccion del servicio|nueva direccion|a donde se (muda|cambia)"),
    ("date", r"what date|which date|what day|which day|que fecha|que dia|when (would|do|should)|"
             r"para cuando|desde cuando|cuando (quiere|desea|necesita|se)"),
    ("contact_phone", r"phone|telefono"),
    ("email", r"email|e-mail|correo"),
    ("leak_location", r"where is the (water|leak)|donde esta (el agua|la fuga)|where.*leak"),
    ("severity", r"how bad|how much water|que tan (fuerte|grave)|cuanta agua"),
    ("leak_address", r"address|intersection|direccion|cruce"),
    ("anything_else", r"anything else|algo mas"),
    ("offer", r"shall i|should i|would you like|do you want|want me to|turn it on|switch back|"
              r"\blo (inscribo|preparo|hago|programo|activo)|\bla (activo|programo)|quiere|desea|"
              r"le gustaria"),
    ("help", r"how can i help|what do you need|help you with|en que le (puedo )?ayud|que necesita"),
]
# Buttons that lead to what each kind of task wants, clicked when the bot offers them instead
# of answering (a menu, a statement with buttons) or has not understood the request twice.
KIND_BUTTONS = {
    "balance": ("check_balance",), "due_date": ("check_balance",),
    "bill_explanation": ("explain_bill",), "pay_info": ("pay_bill",), "autopay": ("/autopay",),
    "payment_arrangement": ("payment_arrangement",), "outage": ("water_outage",),
    "small_leak": ("report_leak",), "start_service": ("start_service",),
    "stop_service": ("stop_service",), "transfer_service": ("transfer_service",),
    "meter_reread": ("reread",), "meter_test": ("meter_test",),
}
YES = {"en": ["yes please", "yes", "yeah go ahead", "sure"],
       "es": ["si por favor", "si", "claro que si"]}
NO = {"en": ["no thanks", "no"], "es": ["no gracias", "no"]}
AFFIRM, DENY = re.compile(r"affirm|^(yes|si|sure|ok)\b"), re.compile(r"deny|^no\b")


def phone_text(digits: str, style: int) -> str:
    d = "".join(ch for ch in digits if ch.isdigit())[-10:]
    return [f"({d[:3]}) {d[3:6]}-{d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}", d][style % 3]


@dataclass
class Customer:
    task: dict[str, Any]
    style: int = 0  # picks among phrasings, so tasks differ but runs repeat
    rephrased: bool = False
    asked: dict[str, int] = field(default_factory=dict)
    clicked: set[str] = field(default_factory=set)
    gave_up: str = ""  # why the customer stopped, when it did

    @property
    def lang(self) -> str:
        return self.task["lang"]

    @property
    def facts(self) -> dict[str, Any]:
        return self.task.get("facts") or {}

    @property
    def account(self) -> dict[str, Any]:
        return self.task.get("account") or {}

    def say(self, en: str, es: str) -> str:
        return es if self.lang == "es" else en

    def opening(self) -> str:
        values = {k: v for k, v in self.account.items()}
        values["account"] = values.get("number", "")
        return self.task["opening"].format(**values)

    def reply(self, messages: list[dict[str, Any]]) -> str | None:
        """The customer's next message after the bot's replies, or None when it gives up."""
        said = [m for m in messages if m.get("text") or m.get("buttons")]
        for message in reversed(said):
            key = recognise(message.get("text") or "")
            if key:
                break
        else:
            key, message = None, (said[-1] if said else {})
        buttons = message.get("buttons") or []
        self.asked[key or "?"] = self.asked.get(key or "?", 0) + 1
        if key and self.asked[key] > 3:
            return self.give_up(f"asked for {key} a 4th time")
        answer = self.answer(key, buttons)
        if answer is None and (key is None or self.rephrased):
            answer = self.click(buttons, *KIND_BUTTONS.get(self.task["kind"], ()))
            if answer in self.clicked:
                answer = None
            self.clicked.add(answer or "")
        return answer if answer is not None else self.restate(message.get("text") or "")

    def restate(self, text: str) -> str | None:
        if self.rephrased:
            return self.give_up("not understood after rephrasing: " + text[:120])
        self.rephrased = True
        return self.task.get("request") or self.opening()

    def give_up(self, why: str) -> None:
        self.gave_up = why
        return None

    def yes_no(self, yes: bool, buttons: list[dict[str, Any]]) -> str:
        wanted = AFFIRM if yes else DENY
        for b in buttons:
            if wanted.search(fold(b.get("payload", ""))) or wanted.search(fold(b.get("title", ""))):
                return b.get("payload") or b.get("title")
        words = (YES if yes else NO)[self.lang]
        return words[self.style % len(words)]

    def click(self, buttons: list[dict[str, Any]], *words: str) -> str | None:
        for word in words:
            for b in buttons:
                if "request_human" in b.get("payload", ""):
                    continue  # never a person
                if word and word in fold(b.get("payload", "") + " " + b.get("title", "")):
                    return b.get("payload") or b.get("title")
        return None

    def answer(self, key: str | None, buttons: list[dict[str, Any]]) -> str | None:
        a, f, s = self.account, self.facts, self.style
        contact = f.get("contact") or {}
        if key in ("human", "confirm"):
            return self.yes_no(key == "confirm", buttons)
        if key == "offer":  # a choice among the task's own options, or a yes/no offer
            return (self.click(buttons, *KIND_BUTTONS.get(self.task["kind"], ()))
                    or self.yes_no(f.get("accept", True), buttons))
        if key == "account_number":
            if not a:
                return self.say("i don't have an account yet", "todavia no tengo cuenta")
            if self.task.get("knows_account", True):
                return [a["number"], self.say(f"its {a['number']}", f"es la {a['number']}"),
                        self.say(f"account {a['number']}", f"cuenta {a['number']}")][s % 3]
            phone = phone_text(a["phone"], s)
            return self.say(f"i dont have it, my phone is {phone}",
                            f"no la tengo, mi telefono es {phone}")
        if key == "contact_change" and contact:
            kind, value = next(iter(contact.items()))
            return {"phone": self.say(f"new number is {value}", f"mi nuevo numero es {value}"),
                    "email": self.say(f"the new one is {value}", f"el nuevo es {value}"),
                    "mailing": value}[kind]
        if key == "account_type":
            kind = f.get("account_type", "residential")
            typed = {"residential": "residencial", "commercial": "comercial"}.get(kind, kind)
            return self.click(buttons, kind, kind[:6]) or self.say(kind, typed)
        if key == "mailing" and f.get("mailing") == "same":
            return self.click(buttons, "affirm", "same", "misma") or self.say("same", "la misma")
        again = self.asked.get(key or "", 0) > 1  # asked again: say it another way
        y, m, d = (str(f.get("date") or "--").split("-") + ["", ""])[:3]
        if key == "email" and "email" in f:
            return f["email"] or ("no" if again else self.say("i dont have one", "no tengo correo"))
        if key == "leak_location" and f.get("leak_location"):
            words = {"inside": ("inside", "home", "casa"), "yard": ("yard", "jardin"),
                     "meter_box": ("meter", "medidor"), "street": ("street", "calle")}
            where = words[f["leak_location"]]
            return (self.click(buttons, *where)
                    or self.say(f"in the {where[0]}", f"en el {where[-1]}"))
        if key == "severity" and f.get("severity"):
            minor = f["severity"] == "minor"
            kinds = ("minor", "drip", "goteo") if minor else ("emergenc", "gush")
            return (self.click(buttons, *kinds)
                    or (self.say("just a drip", "es poquita") if minor
                        else self.say("its gushing", "sale a chorros")))
        simple = {
            "phone_on_file": a and phone_text(a["phone"], s),
            "last_name": a and [a["last_name"], a["last_name"].lower(),
                                self.say(f"its {a['last_name']}", f"es {a['last_name']}")][s % 3],
            "full_name": f.get("full_name"),
            "zip": a.get("zip") or f.get("new_zip"),
            "outage_place": a.get("zip") or f.get("new_zip"),
            "new_zip": f.get("new_zip") or a.get("zip"),
            "mailing": f.get("mailing") or contact.get("mailing"),
            "forwarding": f.get("forwarding"),
            "service_address": f.get("new_address"),
            "date": f.get("date") and (self.say(f"{m}/{d}/{y}", f"{d}/{m}/{y}")
                                       if again else f.get("date_text")),
            "contact_phone": f.get("phone") or contact.get("phone"),
            "email": contact.get("email"),
            "leak_address": a and f"{a['street']}, {a['zip']}",
        }
        return simple.get(key or "") or None  # anything else: the goal isn't met, ask again


def recognise(text: str) -> str | None:
    """What a bot message asks of the customer, or None for a statement."""
    folded = fold(text)
    asks = "?" in folded or re.search(r"\b(please|por favor|send me|escribame|type|escriba)\b",
                                      folded)
    if not asks:
        return None
    # The question is the last sentence that asks something; earlier ones are context.
    sentences = [s for s in re.split(r"(?<=[.?!])\s+|\n", folded) if s.strip()]
    asking = [s for s in sentences if "?" in s] or sentences[-1:]
    for scope in (asking[-1], folded):
        for key, pattern in QUESTIONS:
            if re.search(pattern, scope):
                return key
    return None
