"""Two requests in one message ("what do I owe, and sign me up for autopay"): the first is done,
then the second, so nothing the customer asked for is dropped.

The NLU labels a message with its main request; the second is the request whose words appear
after a joining word ("and", "also", "y también"…), among the intents the NLU ranked next.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Requests the bot can do in one step, by intent, and the action that does them.
TASKS: Mapping[str, str] = {
    "check_balance": "action_check_balance", "explain_bill": "action_explain_bill",
    "usage_history": "action_usage_history", "ask_rates": "action_ask_rates",
    "high_bill": "action_high_bill", "pay_bill": "action_pay_bill", "autopay": "action_autopay",
    "paperless_billing": "action_paperless", "payment_arrangement": "action_payment_arrangement",
    "fee_waiver": "action_fee_waiver", "deposit": "action_deposit", "shutoff": "action_shutoff",
    "meter_reread": "action_meter_reread", "meter_test": "action_meter_test",
    "water_outage": "action_water_outage", "order_status": "action_order_status",
}
# Requests that run a form: offered with a button, since a form needs the customer's answers.
FORMS: Mapping[str, tuple[str, str]] = {
    "stop_service": ("stopping service", "cancelar el servicio"),
    "start_service": ("starting service", "iniciar servicio"),
    "transfer_service": ("moving your service", "cambiar su servicio de domicilio"),
    "update_contact": ("updating your contact details", "actualizar sus datos de contacto"),
    "report_leak": ("a leak", "una fuga"),
}
_W = r"(?:^|\b)"
WORDS: Mapping[str, re.Pattern[str]] = {k: re.compile(_W + v, re.IGNORECASE) for k, v in {
    "check_balance": r"(?:balance|owe|saldo|debo|adeudo|how much is my bill|cu[aá]nto (?:es|pago))",
    "explain_bill": r"(?:explain|charges on|what(?:'s| is) this charge|expl[ií]que|cargos de)",
    "usage_history": r"(?:usage|how much water|consumo|cu[aá]nta agua)",
    "ask_rates": r"(?:rates?\b|tarifas?|price of water|precio del agua)",
    "pay_bill": r"(?:pay (?:my|the) bill|make a payment|where (?:do|can) i pay|pagar (?:mi|el)|"
                r"d[oó]nde pago)",
    "autopay": r"(?:auto ?pay|automatic payments?|pago autom[aá]tico|domiciliar)",
    "paperless_billing": r"(?:paperless|e-?bills?|factura electr[oó]nica|sin papel)",
    "payment_arrangement": r"(?:payment (?:plan|arrangement)|plan de pagos?|pagar en partes)",
    "fee_waiver": r"(?:late fee|waive|recargo|quitar el cargo)",
    "deposit": r"(?:deposit|dep[oó]sito)",
    "shutoff": r"(?:shut ?off notice|disconnect|aviso de corte|me van a cortar)",
    "meter_reread": r"(?:re-?read|read (?:the|my) meter again|volver a leer|nueva lectura)",
    "meter_test": r"(?:test (?:the|my) meter|meter test|probar el medidor|prueba del medidor)",
    "water_outage": r"(?:outage|no water|sin agua|corte de agua)",
    "order_status": r"(?:status of my (?:order|request)|where is my order|estado de mi orden|"
                    r"c[oó]mo va mi (?:orden|solicitud))",
    "stop_service": r"(?:stop (?:my |the )?service|shut (?:off|down) my account|close my account|"
                    r"dar de baja|cancelar (?:el|mi) servicio)",
    "start_service": r"(?:start (?:new )?service|iniciar (?:el )?servicio|conectar el servicio)",
    "transfer_service": r"(?:transfer (?:my )?service|move (?:my )?service|"
                        r"cambiar (?:el|mi) servicio|trasladar)",
    "update_contact": r"(?:update my (?:phone|email|address)|change my (?:phone|email|"
                      r"mailing address)|cambiar mi (?:tel[eé]fono|correo|direcci[oó]n))",
    "report_leak": r"(?:leak|fuga|gotea)",
}.items()}
JOINER = re.compile(r"(?:\b(?:and also|and then|and|also|plus|as well as|y tambi[eé]n|"
                    r"tambi[eé]n|adem[aá]s|y luego|y)\b|[.?!;]\s)", re.IGNORECASE)


def second_request(parse_data: Mapping[str, Any]) -> str | None:
    """The intent of a second request in the message, if there is one."""
    text = str(parse_data.get("text") or "")
    main = (parse_data.get("intent") or {}).get("name")
    if main not in TASKS and main not in FORMS or text.startswith("/"):
        return None
    joined = JOINER.search(text)
    if not joined:
        return None
    clauses = (text[:joined.start()], text[joined.end():])
    ranked = [r.get("name") for r in (parse_data.get("intent_ranking") or [])[1:6]]
    # The NLU's runners-up first, then any request named plainly. It must be named in one clause
    # only, and not the one the main request was read from (which may be either).
    for name in [*ranked, *WORDS]:
        if name == main or name not in WORDS:
            continue
        found = [bool(WORDS[name].search(c)) for c in clauses]
        if sum(found) == 1:
            clause = clauses[found.index(True)]
            if main not in WORDS or not WORDS[main].search(clause):
                return str(name)
    return None
