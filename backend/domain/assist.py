"""Rep assist: the next reply, drafted from templates, the account and the policy engine's decision.

Pure: crud/assist.py gathers the facts, this module reads what was asked and fills a template in
the customer's language. Nothing here sends, grants or writes; the rep edits the draft and sends
it. An unverified conversation gets a request to verify and no account data at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from backend.domain.assist_texts import (
    VERIFY_ASK,
    VERIFY_RULE,
    Text,
    bi,
    general_body,
    info_body,
    info_rule,
    policy_body,
)
from backend.domain.district import District
from backend.domain.i18n import Reason
from backend.domain.policy import REP_REVIEW, PolicyDecision
from common.cards import mask_cards
from common.dates import normalize_lang

POLICY_TOPICS = ("fee_waiver", "extension", "arrangement")
TOPICS = (*POLICY_TOPICS, "high_bill", "shutoff", "balance", "service", "outage", "water_quality",
          "contact", "generic")
OUTCOMES = ("granted", "referred", "denied")  # what the engine decided for a policy topic
TOPIC_LABELS: Mapping[str, tuple[str, str]] = {
    "fee_waiver": ("fee waiver", "exención de cargo"),
    "extension": ("due date extension", "extensión de la fecha de vencimiento"),
    "arrangement": ("payment arrangement", "plan de pagos"),
    "high_bill": ("high bill or leak", "factura alta o fuga"),
    "shutoff": ("shut-off or past due", "corte o saldo vencido"),
    "balance": ("payment or balance", "pago o saldo"),
    "service": ("start, stop or move service", "iniciar, suspender o trasladar el servicio"),
    "outage": ("outage", "falta de agua"),
    "water_quality": ("water quality", "calidad del agua"),
    "contact": ("returned mail or contact details", "correo devuelto o datos de contacto"),
    "generic": ("general", "general"),
}

# The bot's intents (Message.intent, the handoff's collected topic) by draft topic.
INTENT_TOPICS: Mapping[str, str] = {
    "fee_waiver": "fee_waiver", "deposit": "fee_waiver", "payment_arrangement": "arrangement",
    "high_bill": "high_bill", "report_leak": "high_bill", "meter_reread": "high_bill",
    "meter_test": "high_bill", "usage_history": "high_bill", "shutoff": "shutoff",
    "check_balance": "balance", "pay_bill": "balance", "explain_bill": "balance",
    "autopay": "balance", "paperless_billing": "balance", "start_service": "service",
    "stop_service": "service", "transfer_service": "service", "water_outage": "outage",
    "water_quality": "water_quality", "update_contact": "contact",
}

# Keyword reading of the customer's own words (accents stripped), first match wins: a waiver
# before a shut-off ("waive the reconnection fee"), a plan before a plain payment.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("fee_waiver", r"waiv|remove (the|my|that|this) .*fee|take off (the|my|that) .*fee|courtesy"
                   r"|exim|exonera|condon|perdon\w* (el|la|los) (recargo|cargo|multa)"
                   r"|quit\w* (el|la|los|ese|este)? ?(recargo|cargo|multa)"),
    ("arrangement", r"payment (plan|arrangement)|installment|split|in (\d+ )?payments"
                    r"|plan de pago|acuerdo de pago|en (\d+ )?pagos|dividir|cuotas"
                    r"|pagos mensuales"),
    ("extension", r"extension|extend|more time|push (back|out)|prorroga|mas tiempo|extender"),
    ("shutoff", r"shut ?-?off|disconnect|cut off|turned off|reconnect|corte|cortar|cortaron"
                r"|desconect|reconex|suspendid"),
    ("outage", r"no water|without water|outage|main break|low pressure|no (tengo|hay) agua"
               r"|sin agua|presion"),
    ("water_quality", r"brown|cloudy|smell|taste|discolou?r|quality|rusty|sabor|olor|turbia"
                      r"|calidad|sucia|color"),
    ("high_bill", r"high bill|too (high|much)|doubled|tripled|leak|usage|meter|fuga|gotea"
                  r"|muy alta|de mas|consumo|medidor|subio"),
    ("service", r"start service|stop service|moving|move (in|out)|transfer|new (home|house)"
                r"|close (my )?account|mudanza|me mudo|iniciar|dar de baja|cancelar (el )?servicio"
                r"|nuevo servicio"),
    ("contact", r"address|mailing|e-?mail|phone number|returned mail|direccion|correo|telefono"),
    ("balance", r"balance|owe|how much|pay|bill|saldo|debo|cuanto|pagar|pago|factura"),
)
_FEE_KINDS: tuple[tuple[str, str], ...] = (
    ("reconnection_fee", r"reconnect|reconex|turn\w* (back )?on|shut"),
    ("meter_test_fee", r"meter test|test fee|prueba"),
    ("deposit", r"deposit|deposito"),
)
_UPSET_LABELS = frozenset({"frustrated", "angry", "distressed", "anxious"})
_UPSET_REASONS = frozenset({"strong_emotion", "distress", "threat", "dispute", "misconduct"})
_UPSET_WORDS = re.compile(
    r"ridiculous|unacceptable|frustrat|angry|upset|terrible|awful|worst|fed up|sick of|furious"
    r"|ridicul|inaceptable|molest|enojad|hart[oa]|pesim|furios|indignad|desesperad")


def _plain(text: str) -> str:
    """Lower case without accents, so one pattern reads "prórroga" and "prorroga"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                   if not unicodedata.combining(c))


@dataclass(frozen=True)
class Ask:
    """What the customer asked: the topic, the fee a waiver is about, and where it was read."""
    topic: str
    source: str  # "handoff", "intent", "keywords" or "none"
    fee_kind: str | None = None
    number: int | None = None  # days of an extension or payments of a plan, when said


def read_ask(*, handoff_topic: str | None, intents: Iterable[str | None],
             texts: Iterable[str]) -> Ask:
    """The topic from the handoff, else the newest customer intent, else the customer's words
    (newest first). The words also say which fee and how many days or payments."""
    words = [_plain(t) for t in texts if t]
    joined = " ".join(words)
    topic, source = None, "none"
    if handoff_topic in INTENT_TOPICS:
        topic, source = INTENT_TOPICS[handoff_topic], "handoff"
    elif found := next((INTENT_TOPICS[i] for i in intents if i in INTENT_TOPICS), None):
        topic, source = found, "intent"
    else:
        for text in words:
            topic = next((t for t, pattern in _KEYWORDS if re.search(pattern, text)), None)
            if topic:
                source = "keywords"
                break
    topic = topic or "generic"
    if topic == "high_bill" and re.search(_KEYWORDS[0][1], joined):
        topic = "fee_waiver"  # "waive the meter test fee"
    if topic == "arrangement" and re.search(_KEYWORDS[2][1], joined) \
            and not re.search(_KEYWORDS[1][1], joined):
        topic = "extension"  # the bot's arrangement intent covers "more time" too
    fee_kind = None
    if topic == "fee_waiver":
        fee_kind = "deposit" if handoff_topic == "deposit" else next(
            (k for k, pattern in _FEE_KINDS if re.search(pattern, joined)), "late_fee")
    unit = {"extension": r"days?|dias?", "arrangement": r"payments?|pagos?|months?|meses|cuotas"}
    number = None
    if topic in unit and (m := re.search(rf"\b(\d{{1,2}})\s*(?:more\s+|mas\s+)?(?:{unit[topic]})\b",
                                         joined)):
        number = int(m.group(1))
    return Ask(topic=topic, source=source, fee_kind=fee_kind, number=number)


def is_upset(*, emotions: Iterable[Any], reason_code: str | None, texts: Iterable[str]) -> bool:
    """Upset when the bot's last emotion reading, the handoff's reason or the customer's own
    words say so."""
    readings = [e for e in emotions if isinstance(e, dict)]
    if readings and readings[-1].get("label") in _UPSET_LABELS:
        return True
    return reason_code in _UPSET_REASONS or any(_UPSET_WORDS.search(_plain(t)) for t in texts)


@dataclass(frozen=True)
class AccountView:
    """The account card's facts a draft may use (only ever for a verified conversation)."""
    first_name: str
    street: str
    status: str
    balance: Decimal
    past_due: Decimal
    due_date: date | None
    shutoff_scheduled_on: date | None = None
    returned_mail: bool = False
    email_bounced: bool = False
    last_bill_date: date | None = None
    last_bill_total: Decimal | None = None
    typical_bill: Decimal | None = None  # the average of the bills before the last
    open_orders: tuple[str, ...] = ()  # "WO-000123 (leak investigation)"


@dataclass(frozen=True)
class PolicyView:
    """The engine's decision for what was asked, read without granting anything."""
    outcome: str  # granted / referred / denied
    decision: PolicyDecision
    fee_label: tuple[str, str] = ("fee", "cargo")
    amount: Decimal | None = None
    bill_date: date | None = None
    reference: str | None = None  # a pending supervisor review: "AP-12"
    done: bool = False  # already applied (the fee was waived)

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")


@dataclass(frozen=True)
class DraftInput:
    language: str
    ask: Ask
    verified: bool
    upset: bool = False
    account: AccountView | None = None
    policy: PolicyView | None = None
    rep_name: str | None = None
    extra_basis: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Draft:
    """The reply for the rep to edit, and its basis for the rep (never in the text)."""
    text: str
    language: str
    topic: str
    decision: str  # granted / referred / denied / info / verify
    rule: str
    rule_text: Reason
    basis: tuple[Reason, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "language": self.language, "topic": self.topic,
                "decision": self.decision, "rule": self.rule,
                "rule_text": self.rule_text.to_dict(), "basis": [b.to_dict() for b in self.basis]}


def compose(*, district: District, data: DraftInput) -> Draft:
    """The draft for what was asked: greeting, an apology when the customer is upset, the body
    for the topic and the engine's decision, and a closing, in the customer's language."""
    lang = normalize_lang(data.language)
    t = Text(lang)
    topic = data.ask.topic if data.ask.topic in TOPICS else "generic"
    account = data.account if data.verified else None  # never account data unverified
    name = account.first_name if account else ""
    rep = (data.rep_name or "").split(" ")[0]
    hello = t.pick(f"Hi{' ' + name if name else ''}", f"Hola{', ' + name if name else ''}")
    parts = [hello + (t.pick(f", this is {rep}.", f". Le saluda {rep}.") if rep else ".")]
    if data.upset:
        parts.append(t.pick("I'm sorry for the trouble, and thank you for your patience.",
                            "Lamento mucho las molestias y le agradezco su paciencia."))
    policy = data.policy if account and topic in POLICY_TOPICS else None
    if account is None and topic not in ("outage", "water_quality", "generic"):
        decision, rule = "verify", VERIFY_RULE
        label = t.pick(*TOPIC_LABELS[topic])
        parts += [t.pick(f"I can help with your {label} request.",
                         f"Con gusto le ayudo con su solicitud de {label}."), t.pick(*VERIFY_ASK)]
    elif policy is not None:
        decision, rule = policy.outcome, policy.decision.rule_text
        parts += policy_body(t, topic, policy)
    else:
        decision, rule = "info", info_rule(topic, district)
        parts += (info_body(t, topic, account, district) if account
                  else general_body(t, topic, district))
    if not parts[-1].rstrip().endswith("?"):  # one question at the end is enough
        parts.append(t.pick("Is there anything else I can help you with?",
                            "¿Le puedo ayudar con algo más?"))
    text = mask_cards(" ".join(p.strip() for p in parts if p and p.strip()))
    return Draft(text=text, language=lang, topic=topic, decision=decision, rule=rule.code,
                 rule_text=rule, basis=_basis(data=data, topic=topic, decision=decision,
                                              rule=rule, policy=policy))


_DECISIONS: Mapping[str, tuple[str, str]] = {
    "granted": ("the policy allows it. Nothing has been applied yet: apply it (Fee waiver, for "
                "a fee) before you tell the customer it's done.",
                "la política lo permite. Aún no se aplicó nada: aplíquelo (Exención de cargo, "
                "para un cargo) antes de decirle al cliente que está hecho."),
    "referred": ("outside the policy: a supervisor decides.",
                 "fuera de la política: decide un supervisor."),
    "denied": ("nothing to grant (no fee charged or nothing owed).",
               "nada que otorgar (no hay cargo o no se debe nada)."),
    "info": ("information from the account and the district's written practice.",
             "información de la cuenta y de la práctica escrita del distrito."),
    "verify": ("the customer is not verified: no account data in the draft.",
               "el cliente no está verificado: ningún dato de la cuenta en el borrador."),
}
_SOURCES: Mapping[str, tuple[str, str]] = {
    "handoff": ("the bot's handoff", "la transferencia del bot"),
    "intent": ("the bot's reading of a customer message", "la lectura del bot de un mensaje"),
    "keywords": ("the customer's words", "las palabras del cliente"),
    "none": ("nothing specific asked", "nada concreto"),
}


def _basis(*, data: DraftInput, topic: str, decision: str, rule: Reason,
           policy: PolicyView | None) -> tuple[Reason, ...]:
    label, source = TOPIC_LABELS[topic], _SOURCES.get(data.ask.source, _SOURCES["none"])
    out = [bi("topic", f"Topic: {label[0]} (from {source[0]}).",
               f"Tema: {label[1]} (según {source[1]})."),
           bi("decision", f"Decision: {decision}: {_DECISIONS[decision][0]}",
               f"Decisión: {decision}: {_DECISIONS[decision][1]}"),
           bi("rule", f"Rule {rule.code}: {rule.en}", f"Regla {rule.code}: {rule.es}")]
    if policy is not None:
        out += [r for r in policy.decision.reasons if r != REP_REVIEW]
        if policy.reference:
            out.append(bi("pending_review", f"Waiting for a supervisor: {policy.reference}.",
                           f"Esperando a un supervisor: {policy.reference}."))
    if data.upset:
        out.append(bi("upset", "The customer sounds upset: the draft opens with an apology.",
                       "El cliente parece molesto: el borrador empieza con una disculpa."))
    return tuple(out) + data.extra_basis
