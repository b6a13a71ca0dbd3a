"""Whether a conversation goes to a representative, how urgently, and why, in English and Spanish.

Plain Python (no Rasa): the actions build `Signals` from the tracker and call `decide`; the hub
queues by `priority` (PRIORITIES order, emergency first) and routes by `skills`. Rules run most
urgent first and the first that fires decides; word lists are data (see actions.emotion for how
terms match).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions.emotion import (LEXICON, SHIELD, EmotionReading, Match, Words, find_terms,
                             normalize_lang, read_emotion, split_words, trend)
from common.handoff import PRIORITIES, SKILLS
from common.urgency import TASK_CONFIDENCE, TASK_INTENTS, is_urgent

DEFAULT_EMERGENCY_PHONE = "(949) 459-6420, option 1"
INTENT_CONFIDENCE_FLOOR = 0.5  # below this the NLU is guessing; don't route on it
HIGH_FRUSTRATION = 0.7
MIN_FALLBACKS = 2
MAX_VERIFICATION_FAILURES = 3

BILLING_INTENTS = frozenset({"check_balance", "explain_bill", "high_bill", "pay_bill", "autopay",
                             "payment_arrangement", "fee_waiver", "deposit", "shutoff",
                             "usage_history", "ask_rates", "paperless_billing"})
FIELD_INTENTS = frozenset({"report_leak", "meter_reread", "meter_test", "water_outage",
                           "water_quality"})
FIELD_POLICIES = frozenset({"meter_test"})  # every referral needs billing; these a crew too
POLICY_NAMES: Mapping[str, tuple[str, str]] = {
    "late_fee_waiver": ("late fee waiver", "exención de recargo por pago atrasado"),
    "due_date_extension": ("due date extension", "extensión de la fecha de vencimiento"),
    "payment_arrangement": ("payment arrangement", "plan de pagos"),
    "deposit_waiver": ("deposit waiver", "exención de depósito"),
    "meter_test": ("meter test", "prueba del medidor"),
    "high_bill_adjustment": ("high bill adjustment", "ajuste de factura alta"),
    "service_orders": ("service order", "orden de servicio"),
}

_TALK = ("talk to", "talk with", "speak to", "speak with", "chat with", "connect me to",
         "connect me with", "transfer me to", "put me through to", "pass me to", "hablar con",
         "hablo con", "comunicar* con", "comuniqu* con", "me comunica con", "conect* con",
         "transfier* con", "pas* con", "me pasa con", "ponme con", "pongame con")
_WANT = ("i want", "i need", "get me", "give me", "escalate to", "quiero", "necesito", "ocupo",
         "deseo")
STAFF = ("human", "person", "agent", "representative", "rep", "supervisor", "manager",
         "operator", "employee", "staff", "humano", "persona", "agente", "representante",
         "supervisor", "supervisora", "gerente", "encargado", "encargada", "operador", "operadora",
         "empleado", "empleada")
# "Person" only after talk-verbs: "I want to add a person to my account" is no request.
_PERSON = ("person", "persona", "someone", "somebody", "alguien")
REQUEST_TERMS = (("real person", "live person", "actual person", "real human", "live agent",
                  "human being", "not a bot", "persona real", "agente en vivo", "alguien de verdad",
                  "no un robot", "no quiero bot", "someone i can talk to", "customer service rep*",
                  "i want a person", "i need a person", "quiero una persona",
                  "necesito una persona", "una persona por favor")
                 + tuple(f"{v} ~ {n}" for v in _TALK for n in STAFF + _PERSON)
                 + tuple(f"{v} ~ {n}" for v in _WANT for n in STAFF if n not in _PERSON))
# A message that is only a staff word and filler ("agent", "representante por favor").
REQUEST_FILLER = frozenset({"a", "an", "the", "please", "pls", "plz", "now", "live", "real", "un",
                            "una", "el", "la", "por", "favor", "porfa", "ya", "ahora", "en",
                            "vivo", "service", "customer", "servicio", "al", "cliente", "de"})
# "the reading", not "reading": "am I reading this wrong?" is no dispute.
_BILL_THINGS = ("charge", "charges", "bill", "the reading", "meter reading", "amount", "fee",
                "cobro", "cargo", "factura", "lectura", "monto", "recibo")
_WRONG = ("wrong", "incorrect", "a mistake", "an error", "mistaken", "bogus", "mal", "incorrecto",
          "incorrecta", "equivocado", "equivocada", "un error", "erróneo", "errónea")
DISPUTE_TERMS = (("i dispute", "dispute", "disputing", "disputar", "overcharged", "overcharging",
                  "over charged", "charged me twice", "double charged", "double billed",
                  "billed twice", "never used that much", "didn't use that much", "not my usage",
                  "wrong reading", "incorrect reading", "misread", "me cobraron de más",
                  "me cobraron doble", "cobro indebido", "cobro excesivo", "no usé tanta agua",
                  "no gasté tanta agua", "no es mi consumo")
                 + tuple(f"{t} ~ {w}" for t in _BILL_THINGS for w in _WRONG)
                 + tuple(f"{v} ~ {t}" for v in ("no estoy de acuerdo con", "don't agree with",
                                                "do not agree with", "disagree with")
                         for t in _BILL_THINGS))
ASKS: Mapping[str, tuple[str, ...]] = {"request": REQUEST_TERMS, "dispute": DISPUTE_TERMS,
                                       "shield": SHIELD}
THREATS = ("legal", "media", "regulator")
# The classifier's categories as rules: (rule code, reason detail, extra skills).
CLASSIFIED: Mapping[str, tuple[str, str, tuple[str, ...]]] = {
    "emergency": ("emergency", "emergency", ()),
    "health": ("distress", "health", ()),
    "hardship": ("distress", "hardship", ("billing",)),
    "bereavement": ("distress", "bereavement", ()),
    "abuse": ("distress", "abuse", ("supervisor",)),
    "threat": ("threat", "threat", ()),
    "misconduct": ("misconduct", "misconduct", ()),
    "discrimination": ("misconduct", "discrimination", ()),
    "anger": ("strong_emotion", "angry", ()),
    "request_person": ("request", "request", ()),
}
# Most urgent first: the first hit sets the priority and the reason.
RANK = ("emergency", "threat", "misconduct", "distress", "strong_emotion", "request", "fallbacks",
        "dispute", "policy_referral", "verification_failed")
# A task the bot can do ("can I split my bill, money is tight", "add my elderly mom to the
# bill") stays with it: hardship or medical words alone don't take it away (TASK_INTENTS); the
# classifier must hear real distress.
_REAL_DISTRESS = ("hardship", "bereavement", "abuse", "health", "emergency")
SUPPORT = 0.3  # a classifier reading this sure backs a hardship or medical word


@dataclass(frozen=True)
class _Rule:
    code: str
    priority: str
    skills: tuple[str, ...]
    message_en: str
    message_es: str


_PRIORITY_MSG = ("I'm sorry you're going through this. I'm passing your conversation to a "
                 "representative now and marking it as a priority.",
                 "Lamento que esté pasando por esto. Estoy pasando su conversación a un "
                 "representante y marcándola como prioritaria.")
_RULES: Mapping[str, _Rule] = {r.code: r for r in (
    _Rule("emergency", "emergency", ("field",),
          "This sounds like an emergency. Please call our emergency line right now at {phone}. "
          "I'm also sending your conversation to our team as a priority.",
          "Esto parece una emergencia. Por favor llame ahora mismo a nuestra línea de emergencias "
          "al {phone}. También estoy enviando su conversación a nuestro equipo como prioridad."),
    _Rule("threat", "complex", ("supervisor",),
          "I'm sorry things have reached this point. I'm passing your conversation to a "
          "supervisor, who will review everything and get back to you.",
          "Lamento que las cosas hayan llegado a este punto. Estoy pasando su conversación a un "
          "supervisor, quien revisará todo y le responderá."),
    _Rule("misconduct", "complex", ("supervisor",),
          "I'm sorry this happened; it should not have. I'm passing your conversation to a "
          "supervisor now, who will look into it with you.",
          "Lamento que esto haya pasado; no debió ocurrir. Estoy pasando su conversación a un "
          "supervisor, quien lo revisará con usted."),
    _Rule("distress", "distressed", (), *_PRIORITY_MSG),
    _Rule("strong_emotion", "distressed", (),
          "I'm sorry for the frustration. I'm passing your conversation to a representative now; "
          "they'll see what we've discussed, so you won't have to repeat yourself.",
          "Lamento mucho la molestia. Estoy pasando su conversación a un representante; verá lo "
          "que hemos hablado, así que no tendrá que repetirlo."),
    _Rule("request", "request", (),
          "Of course. I'm passing your conversation to a representative, who will see what we've "
          "discussed so far.",
          "Claro. Estoy pasando su conversación a un representante, que verá lo que hemos "
          "hablado."),
    _Rule("fallbacks", "complex", (),
          "I'm sorry I'm having trouble understanding. I'm passing your conversation to a "
          "representative who can help.",
          "Disculpe, me está costando entenderle. Estoy pasando su conversación a un "
          "representante que puede ayudarle."),
    _Rule("dispute", "complex", ("billing",),
          "I understand you'd like this reviewed. I'm passing your conversation to a billing "
          "representative who can look into it with you.",
          "Entiendo que quiere que se revise. Estoy pasando su conversación a un representante "
          "de facturación que puede revisarlo con usted."),
    _Rule("policy_referral", "complex", ("billing",),
          "I can't approve that here, but a representative can review your request. I'm passing "
          "your conversation to them now.",
          "No puedo aprobarlo por aquí, pero un representante puede revisar su solicitud. Estoy "
          "pasando su conversación ahora."),
    _Rule("verification_failed", "request", (),
          "I wasn't able to verify your account, so I'm passing your conversation to a "
          "representative who can help confirm your identity.",
          "No pude verificar su cuenta, así que estoy pasando su conversación a un representante "
          "que puede ayudarle a confirmar su identidad."),
)}
# Reasons a rep reads at a glance: (en, es) per detail; {cue} is the customer's words.
REASONS: Mapping[str, tuple[str, str]] = {
    "emergency": ("Safety emergency reported", "Emergencia de seguridad reportada"),
    "legal": ("Customer mentioned a lawyer or legal action (“{cue}”)",
              "Cliente mencionó un abogado o acción legal («{cue}»)"),
    "media": ("Customer mentioned the news or social media (“{cue}”)",
              "Cliente mencionó las noticias o redes sociales («{cue}»)"),
    "regulator": ("Customer mentioned a regulator or elected official (“{cue}”)",
                  "Cliente mencionó un regulador o funcionario electo («{cue}»)"),
    "threat": ("Customer threatened to take it further (police, officials, lawyers or media)",
               "Cliente amenazó con escalarlo (policía, funcionarios, abogados o medios)"),
    "misconduct": ("Complaint about a staff member's conduct", "Queja sobre la conducta de personal"),
    "discrimination": ("Customer reports being treated unfairly (discrimination)",
                       "Cliente reporta trato injusto (discriminación)"),
    "health": ("Possible health risk or medical need", "Posible riesgo de salud o necesidad médica"),
    "bereavement": ("Bereavement: a death in the customer's family",
                    "Duelo: falleció un familiar del cliente"),
    "abuse": ("Customer may be at risk (abuse or threats)",
              "El cliente podría estar en riesgo (abuso o amenazas)"),
    "medical": ("Customer mentioned a medical need or vulnerable person (“{cue}”)",
                "Cliente mencionó una necesidad médica o persona vulnerable («{cue}»)"),
    "hardship": ("Customer mentioned financial hardship (“{cue}”)",
                 "Cliente mencionó dificultades económicas («{cue}»)"),
    "distressed": ("Customer sounds distressed{cues}", "Cliente se nota angustiado{cues}"),
    "angry": ("Customer is angry{cues}", "Cliente está enojado{cues}"),
    "frustrated": ("Customer is very frustrated{cues}", "Cliente está muy frustrado{cues}"),
    "worsening": ("Customer's mood has worsened over the last 3 messages",
                  "El ánimo del cliente empeoró en los últimos 3 mensajes"),
    "request": ("Customer asked for a person", "Cliente pidió hablar con una persona"),
    "fallbacks": ("Bot did not understand the customer {n} times in a row",
                  "El bot no entendió al cliente {n} veces seguidas"),
    "dispute": ("Customer disputes a charge or meter reading{cues}",
                "Cliente disputa un cobro o una lectura del medidor{cues}"),
    "policy_referral": ("Outside policy, needs a representative's review: {policy}",
                        "Fuera de la política, requiere revisión de un representante: {policy}"),
    "verification_failed": ("Customer could not verify the account ({n} failed attempts)",
                            "Cliente no pudo verificar la cuenta ({n} intentos fallidos)"),
}
_CUE_ES = {"ALL CAPS": "MAYÚSCULAS", "elongated": "letras repetidas", "profanity": "groserías"}


@dataclass(frozen=True, kw_only=True)
class Signals:
    text: str
    lang: str = "en"
    intent: str | None = None
    intent_confidence: float = 1.0
    consecutive_fallbacks: int = 0
    emotions: tuple[EmotionReading, ...] = ()  # oldest first, latest last
    emergency: bool = False
    policy_referral: str | None = None
    dispute: bool = False
    verification_failures: int = 0
    verified_account: str | None = None
    collected: Mapping[str, Any] = field(default_factory=dict, hash=False)
    urgency: str | None = None  # the learned classifier's category (common.urgency)
    urgency_confidence: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "lang", normalize_lang(self.lang))
        object.__setattr__(self, "emotions", tuple(self.emotions))


@dataclass(frozen=True, kw_only=True)
class HandoffDecision:
    handoff: bool
    reason_code: str
    reason_en: str
    reason_es: str
    priority: str  # with no handoff: "request", the back of the queue
    skills: tuple[str, ...] = ()
    customer_message_en: str = ""
    customer_message_es: str = ""

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(f"unknown priority {self.priority!r}")
        if unknown := set(self.skills) - set(SKILLS):
            raise ValueError(f"unknown skills {sorted(unknown)}")
        object.__setattr__(self, "skills", tuple(s for s in SKILLS if s in self.skills))


NO_HANDOFF = HandoffDecision(handoff=False, reason_code="none", reason_en="No handoff needed",
                             reason_es="No requiere un representante", priority="request")


@dataclass(frozen=True)
class _Hit:
    code: str  # a key of _RULES
    detail: str  # a key of REASONS
    fill: Mapping[str, Any] = field(default_factory=dict)
    skills: tuple[str, ...] = ()


def _first(matches: Sequence[Match], groups: Sequence[str]) -> Match | None:
    return next((m for m in matches if m.group in groups and not m.negated), None)


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _asks_by_word(words: Words) -> bool:
    rest = set(words.words) - REQUEST_FILLER
    return bool(rest) and rest <= set(STAFF)


def asks_for_person(text: str, *, lang: str = "en") -> bool:
    """True when the text asks for a human ("talk to a person", "hablar con un agente", "agent")."""
    words = split_words(text)
    return _asks_by_word(words) or any(m.group == "request"
                                       for m in find_terms(words, ASKS, lang=lang))


def _hits(s: Signals, *, said: Sequence[Match], asks: Sequence[Match], words: Words,
          latest: EmotionReading) -> Iterator[_Hit]:
    """Every rule that fires, most urgent first, in the order the brief sets."""
    if s.emergency:
        yield _Hit("emergency", "emergency")
    if threat := _first(said, THREATS):
        yield _Hit("threat", threat.group, {"cue": threat.cue})
    classified = s.urgency if is_urgent(s.urgency_confidence, intent=s.intent,
                                        intent_confidence=s.intent_confidence) else None
    if classified in CLASSIFIED:
        code, detail, skills = CLASSIFIED[classified]
        # The customer's own words stand in for a word list's cue.
        yield _Hit(code, detail, {"cue": clip(s.text, 60)}, skills)
    routine = (s.intent in TASK_INTENTS and s.intent_confidence >= INTENT_CONFIDENCE_FLOOR
               and not (s.urgency in _REAL_DISTRESS and classified))
    # A hardship or medical word is distress only when the classifier hears some too.
    supported = s.urgency in _REAL_DISTRESS and s.urgency_confidence >= SUPPORT and not routine
    if supported and (medical := _first(said, ("medical",))):
        yield _Hit("distress", "medical", {"cue": medical.cue})
    if supported and (hardship := _first(said, ("hardship",))):
        yield _Hit("distress", "hardship", {"cue": hardship.cue}, ("billing",))
    distress = _first(said, ("distress",))
    if distress or (latest.label == "distressed" and not routine):
        yield _Hit("distress", "distressed", {"cues": distress.cue if distress else latest.cues})
    if latest.label == "angry" or (latest.label == "frustrated"
                                   and latest.intensity >= HIGH_FRUSTRATION):
        yield _Hit("strong_emotion", latest.label, {"cues": latest.cues})
    if len(s.emotions) >= 3 and latest.label != "calm" and trend(s.emotions[-3:]) == "worsening":
        yield _Hit("strong_emotion", "worsening")
    confident = s.intent_confidence >= INTENT_CONFIDENCE_FLOOR
    if ((confident and s.intent == "request_human") or _asks_by_word(words)
            or any(m.group == "request" for m in asks)):  # negation ignored: asking is cheap
        yield _Hit("request", "request")
    if s.consecutive_fallbacks >= MIN_FALLBACKS:
        yield _Hit("fallbacks", "fallbacks", {"n": s.consecutive_fallbacks})
    disputed = _first(asks, ("dispute",))
    # "The reading looks wrong, can someone read it again?" asks for what the bot can do.
    rereading = (s.intent in ("meter_reread", "meter_test")
                 and s.intent_confidence >= TASK_CONFIDENCE)
    if s.dispute or (disputed and not rereading):
        yield _Hit("dispute", "dispute", {"cues": disputed.text if disputed else ()})
    if s.policy_referral:
        en, es = POLICY_NAMES.get(s.policy_referral, (s.policy_referral.replace("_", " "),) * 2)
        yield _Hit("policy_referral", "policy_referral", {"policy": (en, es)},
                   ("field",) if s.policy_referral in FIELD_POLICIES else ())
    if s.verification_failures >= MAX_VERIFICATION_FAILURES and not s.verified_account:
        yield _Hit("verification_failed", "verification_failed", {"n": s.verification_failures})


def _cue_list(cues: str | Sequence[str], lang: str) -> str:
    cues = (cues,) if isinstance(cues, str) else tuple(cues)[:3]
    if lang == "es":
        cues = tuple(_CUE_ES.get(c, c) for c in cues)
    return f" ({', '.join(cues)})" if cues else ""


def _reason(hit: _Hit, lang: str) -> str:
    template = REASONS[hit.detail][lang == "es"]
    fill = {k: v for k, v in hit.fill.items() if k not in ("cues", "policy")}
    fill["cues"] = _cue_list(hit.fill.get("cues", ()), lang)
    if "policy" in hit.fill:
        fill["policy"] = hit.fill["policy"][lang == "es"]
    return template.format(**fill)


def _intent_skills(s: Signals) -> set[str]:
    # The NLU intent if it is sure, plus the topic the bot was on ("request_human" says nothing).
    names = {s.intent if s.intent_confidence >= INTENT_CONFIDENCE_FLOOR else None,
             s.collected.get("topic")}
    return ({"billing"} if names & BILLING_INTENTS else set()) | (
        {"field"} if names & FIELD_INTENTS else set())


def decide(signals: Signals, *, emergency_phone: str = DEFAULT_EMERGENCY_PHONE) -> HandoffDecision:
    """Whether to hand off, how urgently, to whom, why, and what to tell the customer."""
    words = split_words(signals.text)
    said = find_terms(words, LEXICON, lang=signals.lang)
    asks = find_terms(words, ASKS, lang=signals.lang)
    emotions = signals.emotions or (read_emotion(text=signals.text, lang=signals.lang),)
    hits = sorted(_hits(signals, said=said, asks=asks, words=words, latest=emotions[-1]),
                  key=lambda h: RANK.index(h.code))  # stable: a rule's own cue stays first
    if not hits:
        return NO_HANDOFF
    hit, rule = hits[0], _RULES[hits[0].code]
    skills = set(rule.skills) | set(hit.skills)
    if hit.code != "emergency":  # an emergency goes to whoever is free, not a billing specialist
        # The first rule sets priority and reason; the others still say who can help best.
        skills |= {k for h in hits for k in _RULES[h.code].skills + h.skills}
        skills |= _intent_skills(signals)
    if signals.lang == "es":
        skills.add("spanish")
    return HandoffDecision(
        handoff=True, reason_code=rule.code, reason_en=_reason(hit, "en"),
        reason_es=_reason(hit, "es"), priority=rule.priority, skills=tuple(skills),
        customer_message_en=rule.message_en.format(phone=emergency_phone),
        customer_message_es=rule.message_es.format(phone=emergency_phone))
