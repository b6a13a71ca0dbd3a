"""The questions forms ask, one action per slot (action_ask_<slot>), in both languages."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import by_email
from actions.common import Context, say

# slot: (English, Spanish, buttons as (title_en, title_es, payload))
QUESTIONS: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    'account_number': (
        "First I need to verify who you are. What's your account number (7 digits, on your bill)? If you don't have it, send me the phone number on the account.",
        'Primero necesito verificar su identidad. ¿Cuál es su número de cuenta (7 dígitos, en su factura)? Si no lo tiene, escríbame el teléfono registrado.',
        [],
    ),
    'zip': (
        'Thanks. And the ZIP code of the service address?',
        'Gracias. ¿Y el código postal (ZIP) de la dirección del servicio?',
        [],
    ),
    'phone': (
        "What's the phone number on the account?",
        '¿Cuál es el número de teléfono registrado en la cuenta?',
        [],
    ),
    'last_name': (
        'And the last name on the account?',
        '¿Y el apellido del titular de la cuenta?',
        [],
    ),
    'account_type': (
        'What kind of service do you need?',
        '¿Qué tipo de servicio necesita?',
        [('Residential', 'Residencial', '/inform{"account_type": "residential"}'), ('Commercial', 'Comercial', '/inform{"account_type": "commercial"}'), ('Temporary construction', 'Construcción temporal', '/inform{"account_type": "temporary_construction"}')],
    ),
    'service_address': (
        "What's the service address (number and street)?",
        '¿Cuál es la dirección del servicio (número y calle)?',
        [],
    ),
    'service_zip': (
        'And the ZIP code of that address?',
        '¿Y el código postal (ZIP) de esa dirección?',
        [],
    ),
    'service_date': (
        'For what date? We schedule on business days, up to 60 days ahead.',
        '¿Para qué fecha? Programamos en días hábiles, hasta 60 días adelante.',
        [],
    ),
    'customer_full_name': (
        'Whose name should the account be in (first and last name)?',
        '¿A nombre de quién va la cuenta (nombre y apellido)?',
        [],
    ),
    'contact_phone': (
        "What's the best phone number to reach you?",
        '¿A qué teléfono le podemos llamar?',
        [],
    ),
    'contact_email': (
        'And your email address? (If you don\'t have one, say "no".)',
        '¿Y su correo electrónico? (Si no tiene, escriba «no».)',
        [],
    ),
    'mailing_address': (
        'Should bills go to the service address? If not, type the mailing address.',
        '¿Enviamos las facturas a la misma dirección del servicio? Si no, escriba la dirección postal.',
        [('Yes, same address', 'Sí, la misma', '/affirm')],
    ),
    'forwarding_address': (
        'Where should we send the final bill?',
        '¿A qué dirección le enviamos la factura final?',
        [],
    ),
    'contact_change': (
        'What would you like to update? Send me the new phone, email or mailing address.',
        '¿Qué dato quiere actualizar? Escríbame el nuevo teléfono, correo o dirección postal.',
        [],
    ),
    'leak_location': (
        'Sorry about the leak. Where is the water?',
        'Lamento lo de la fuga. ¿Dónde está el agua?',
        [('Street or sidewalk', 'En la calle o banqueta', '/inform{"leak_location": "street"}'), ('Meter box', 'En la caja del medidor', '/inform{"leak_location": "meter_box"}'), ('Yard', 'En el jardín', '/inform{"leak_location": "yard"}'), ('Inside the home', 'Dentro de la casa', '/inform{"leak_location": "inside"}')],
    ),
    'severity': (
        'How bad is it?',
        '¿Qué tan fuerte es?',
        [('Gushing or flooding', 'Sale a chorros o hay inundación', '/inform{"severity": "emergency"}'), ('A drip or small puddle', 'Goteo o charco pequeño', '/inform{"severity": "minor"}')],
    ),
    'leak_address': (
        "What's the address or nearest intersection?",
        '¿En qué dirección o cruce de calles está?',
        [],
    ),
    'outage_address': (
        "What's the address (number and street) or the ZIP code where the water is out or low?",
        '¿En qué dirección (número y calle) o código postal no hay agua o hay poca presión?',
        [],
    ),
    'rephrase': (
        "Sorry, I didn't quite get that. Could you say it another way?",
        'Perdón, no entendí bien. ¿Me lo puede decir de otra forma?',
        [],
    ),
    'anything_else': (
        'Anything else I can help with?',
        '¿Algo más en lo que le pueda ayudar?',
        [],
    ),
}


def ask(dispatcher: CollectingDispatcher, ctx: Context, key: str) -> None:
    en, es, buttons = QUESTIONS[key]
    say(dispatcher, ctx, en, es, buttons=buttons or None)


class _Ask(Action, ABC):
    slot = ""

    @property
    @abstractmethod
    def question(self) -> str:
        """Which entry of QUESTIONS this action asks."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[Any]:
        ctx = Context.of(tracker)
        if ctx.email:  # one email asks for everything still missing, not one thing a day
            slots = by_email.missing(tracker, domain, self.slot)
            form = (tracker.active_loop or {}).get("name")
            say(dispatcher, ctx, by_email.question(form, slots, "en"),
                by_email.question(form, slots, "es"))
            return []
        ask(dispatcher, ctx, self.question)
        return []


# One registered action per form slot; the action server finds them as Action subclasses.
ASK_ACTIONS = [
    type(f"ActionAsk_{slot}", (_Ask,), {"slot": slot, "question": slot})
    for slot in QUESTIONS if slot not in ("rephrase", "anything_else")
]
