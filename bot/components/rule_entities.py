"""Rule-based entity extraction for WaterDesk: accounts, ZIPs, phones, emails, amounts,
addresses, dates and (masked) card numbers, in English and Spanish.

Rules, not a trained model: these values have fixed shapes, and a wrong account number or date
costs more than a missed one, so the rules lean to precision. Street addresses use a blank spaCy
pipeline ("xx", tokenizer only) with a token Matcher; the rest are regexes, where token patterns
would fight the tokenizer ("(949) 555-0101" is six tokens). Overlaps are settled once, at the end:
the longer match wins, then the more specific type (card > email > phone > amount > date >
address > account_number > zip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Dict, List, Optional, Text
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from bot.components.dates import resolve_dates
from common import clock
from common.cards import MASK_PREFIX, find_card_numbers

# Most specific first: the tie-break when two overlapping matches are equally long.
ENTITY_TYPES = (
    "card_number", "email", "phone", "amount", "date", "address", "account_number", "zip",
)  # fmt: skip
SERVICE_AREA_CITIES = [
    "Rancho Santa Margarita", "RSM", "Ladera Ranch", "Ladera", "Mission Viejo", "Coto de Caza",
    "Lake Forest", "San Juan Capistrano", "Trabuco Canyon", "Las Flores", "Talega",
]  # fmt: skip

# Quantities, not identifiers: "12000 gallons", "2000000 dollars".
_NOT_UNIT = (
    r"(?!\s*(?:%|gallons?|galones|hcf|ccf|units?|unidades|cubic|cu\.?\s*ft|sq\.?\s*ft|feet|ft\b"
    r"|kwh|miles|dollars?|d[óo]lares|bucks|usd|percent|por\s*ciento))"
)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\((?P<a>[2-9]\d\d)\)|(?P<a2>[2-9]\d\d))[\s.-]?"
    r"(?P<ex>[2-9]\d\d)[\s.-]?(?P<ln>\d{4})(?!\d)"
)
_ACCOUNT = re.compile(rf"(?<![\w$.,/-])[123]\d{{6}}(?!\w|[.,/-]\d){_NOT_UNIT}")
_ZIP = re.compile(rf"(?<![\w$.,/#-])(?P<zip>\d{{5}})(?:-\d{{4}})?(?!\w|[.,/-]\d){_NOT_UNIT}")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_])?@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"  # domain labels
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b"
)
_MONEY_NUM = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<c>\d{1,2}))?(?![\d]|[.,]\d)"
_CURRENCY_WORD = r"(?:usd|dollars?|bucks|d[óo]lar(?:es)?)\b"
_AMOUNTS = [
    re.compile(rf"(?<![\w$])(?:\$|usd\s?)\s?{_MONEY_NUM}(?:\s*{_CURRENCY_WORD})?", re.IGNORECASE),
    re.compile(
        rf"(?<![\w$.,])(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(?P<c>\d{{1,2}}))?"
        rf"\s*{_CURRENCY_WORD}(?:\s+(?:and|y)\s+(?P<cents>\d{{1,2}})\s+(?:cents?|centavos?)\b)?",
        re.IGNORECASE,
    ),
    # "84,12 dólares": a comma before exactly two digits is a decimal comma.
    re.compile(rf"(?<![\w$.,])(?P<n>\d+),(?P<c>\d{{2}})\s*{_CURRENCY_WORD}", re.IGNORECASE),
]
_PO_BOX = re.compile(
    r"\b(?:p\.?\s?o\.?\s*box|post\s+office\s+box|apartado\s+postal)\s*#?\s*\d{1,6}\b",
    re.IGNORECASE,
)

_SUFFIXES = set(
    "rd road st street ave av avenue pkwy parkway way dr drive ln lane ct court cir circle blvd "
    "boulevard pl place ter terrace trl trail hwy highway loop sq square".split()
)
_PREFIXES = set(
    "calle avenida camino via vía paseo plaza corte placita sendero vista entrada".split()
)
# Generic words of Southern California street names, accepted even in lower case.
_STREET_WORDS = set(
    "ridge canyon hills hill creek valley lake park ranch rancho mesa sierra loma lomas alta verde "
    "real mar monte oak oaks pine cedar willow sage meadow meadows crest view point glen grove "
    "springs cove bay summit highland highlands santa san".split()
) | _SUFFIXES | _PREFIXES
_CONNECTORS = ["de", "del", "la", "las", "los", "el", "of", "the"]
_DIRECTIONS = [
    "N", "S", "E", "W", "N.", "S.", "E.", "W.", "North", "South", "East", "West",
    "NE", "NW", "SE", "SW",
]  # fmt: skip
_UNIT_WORDS = [
    "apt", "apartment", "unit", "ste", "suite", "#", "spc", "space", "bldg", "depto", "interior",
]  # fmt: skip
# Capitalised words after a number that make it a quantity, time or date, not an address.
_NOT_STREET = set(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec enero febrero marzo abril mayo junio julio
    agosto septiembre octubre noviembre diciembre monday tuesday wednesday thursday friday saturday
    sunday mon tue tues wed thu thur thurs fri sat sun lunes martes miercoles miércoles jueves
    viernes sabado sábado domingo am pm a.m. p.m. second seconds minute minutes min mins hour hours
    hr hrs day days week weeks month months year years segundos minutos hora horas dia día dias días
    semana semanas mes meses año años people persons personas times veces gallons galones hcf ccf
    units unidades cubic feet ft inch inches pulgadas percent dollars dollar bucks cents dólares
    dolares pesos usd today tomorrow tonight yesterday hoy mañana manana ayer please thanks thank
    ok okay yes no hi hello hola gracias por favor porfa sorry i bills bill payments payment
    charges fees accounts account meters meter questions
    """.split()
) | set(_UNIT_WORDS)
_FUNCTION_WORDS = set(
    "a an and or to in on at for from with by is are was my your our i we you it this that "
    "y o en con por para que es mi su se lo le no si please thanks gracias".split()
)
# A number after these is a count, option, code or money, not a house number.
_LEFT_REJECT = set(
    "tier tiers option opcion opción step paso section page number no num level nivel stage "
    "phase chapter version zone room line item grade acct account cuenta zip cp code codigo "
    "código postal box ext extension top over about around approximately approx aprox".split()
) | {"$", "#", "-", "/"}
# Words before a bare "number Word" (no street suffix) that say an address follows.
_ADDRESS_CUES = set(
    "at on is es en el its it's address addy dirección direccion live lives vivo vivimos near "
    "to from de in al por para located property house casa move moving mudo".split()
)
_HOUSE_NUMBER = r"^[1-9]\d{0,4}[A-Z]?$"
_UNIT_NUMBER = r"^#?[0-9]{1,5}[A-Za-z]?$"


@dataclass(frozen=True, kw_only=True)
class _Found:
    start: int
    end: int
    entity: str
    value: str


def _money(number: str, *, cents: Optional[str]) -> str:
    """ "1,000" and None -> "1000.00"; "84" and "1" -> "84.10"."""
    amount = Decimal(f"{number.replace(',', '')}.{(cents or '0').ljust(2, '0')}")
    return str(amount.quantize(Decimal("0.01")))


def _address_patterns(known: set[str]) -> List[List[Dict[str, Any]]]:
    """Token patterns: "22 Alondra", "27001 La Paz Rd", "27001 la paz rd", "31 calle aria"."""
    known_alt = "|".join(sorted((re.escape(w) for w in known), key=len, reverse=True))
    word_re = rf"^(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+(?:['’][a-z]+|[A-Z][a-z]+)?|(?i:{known_alt}))$"
    num = {"TEXT": {"REGEX": _HOUSE_NUMBER}}
    direction = {"TEXT": {"IN": _DIRECTIONS}, "OP": "?"}
    word = {"TEXT": {"REGEX": word_re}, "LOWER": {"NOT_IN": sorted(_NOT_STREET)}}
    lword = {"IS_ALPHA": True, "LOWER": {"NOT_IN": sorted(_NOT_STREET | _FUNCTION_WORDS)}}
    conn = {"LOWER": {"IN": _CONNECTORS}, "OP": "?"}
    suffix = {"LOWER": {"IN": sorted(_SUFFIXES)}}
    unit = [
        {"ORTH": ".", "OP": "?"},
        {"LOWER": {"IN": _UNIT_WORDS}, "OP": "?"},
        {"ORTH": ".", "OP": "?"},
        {"TEXT": {"REGEX": _UNIT_NUMBER}, "OP": "?"},
    ]
    opt = lambda spec: {**spec, "OP": "?"}  # noqa: E731
    titled = [num, direction, word] + [conn, opt(word)] * 4 + [opt(suffix)] + unit
    lowered = [num, direction, lword, opt(lword), opt(lword), suffix] + unit
    prefixed = [num, {"LOWER": {"IN": sorted(_PREFIXES)}}, lword, opt(lword), opt(suffix)] + unit
    return [titled, lowered, prefixed]


class _Addresses:
    """Street addresses from spaCy tokens, checked in Python where token patterns cannot."""

    def __init__(self, nlp: Language, *, street_words: List[str], cities: List[str]) -> None:
        self._nlp = nlp
        self._configured = {w.lower() for w in street_words}
        self._known = _STREET_WORDS | self._configured
        self._matcher = Matcher(nlp.vocab)
        # Every match, not just the longest: a long raw match can be trimmed to nothing
        # ("12 Paseo Pinzon into 40") and must not hide the one next to it ("40 Via Torino").
        self._matcher.add("ADDRESS", _address_patterns(self._known))
        longest_first = sorted(cities, key=len, reverse=True)
        # "(?!)" never matches: with no cities configured nothing may be read as one.
        city_alt = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in longest_first) or "(?!)"
        self._city = re.compile(rf"(?:{city_alt})\b", re.IGNORECASE)
        self._city_after = re.compile(
            rf"\s*[,.]?\s*(?:{city_alt})\b(?:\s*,?\s*(?:ca|calif|california)\b)?", re.IGNORECASE
        )

    def find(self, text: str) -> List[_Found]:
        doc: Doc = self._nlp.make_doc(text)
        found = {self._check(doc[s:e], text=text) for _id, s, e in self._matcher(doc)}
        for m in _PO_BOX.finditer(text):
            found.add(self._with_city(text, start=m.start(), end=m.end()))
        return sorted((f for f in found if f is not None), key=lambda f: (f.start, f.end))

    def _check(self, span: Span, *, text: str) -> Optional[_Found]:
        doc = span.doc
        before = doc[span.start - 1] if span.start > 0 else None
        if before is not None and before.lower_ in _LEFT_REJECT:
            return None
        tokens = self._trim(list(span))
        # A city inside the match ("9 Via Alegre mission viejo") ends the street there.
        for i in range(2, len(tokens)):
            if self._city.match(text, tokens[i].idx):
                tokens = tokens[:i]
                break
        if any(t.text[0].isupper() for t in tokens[1:]):
            # After a capitalised name, a lower-case word is the sentence ("9 Via Alegre when").
            while len(tokens) > 2 and tokens[-1].is_lower and tokens[-1].lower_ not in self._known:
                tokens = tokens[:-1]
        street = [t for t in tokens[1:] if t.text not in _DIRECTIONS]
        street = [t for t in street if t.lower_ not in _CONNECTORS]
        unit_at = next((i for i, t in enumerate(street) if t.lower_ in _UNIT_WORDS), len(street))
        street = street[:unit_at]
        if not street:
            return None
        lowered = [t.lower_ for t in street]
        generic = _SUFFIXES | _PREFIXES
        titled = [t for t in street if t.text[0].isupper() and t.lower_ not in generic]
        named = any(w in self._configured for w in lowered)
        anchored = named or lowered[-1] in _SUFFIXES or lowered[0] in _PREFIXES
        if not (titled or (anchored and (named or len(street) >= 2))):
            return None  # "2 park", "5 way", "31 calle": not enough of a street name
        if self._city.match(text, tokens[1].idx) and lowered[-1] not in _SUFFIXES:
            return None  # "92688 Rancho Santa Margarita" is a ZIP and a city
        street_end = tokens[-1].idx + len(tokens[-1])
        found = self._with_city(text, start=tokens[0].idx, end=street_end)
        has_unit = any(t.lower_ in _UNIT_WORDS for t in tokens)
        weak = not (anchored or has_unit or found.end > street_end)
        if weak and not (before is None or before.is_punct or before.lower_ in _ADDRESS_CUES):
            return None  # "I have 3 Kids": a bare "number Word" needs a cue like "at" or "es"
        return found

    @staticmethod
    def _trim(tokens: List[Token]) -> List[Token]:
        """Drop what the optional pattern tails picked up without meaning it."""
        while len(tokens) > 2:
            last, prev = tokens[-1], tokens[-2]
            if last.text == "." or last.lower_ in _CONNECTORS or last.lower_ in _UNIT_WORDS:
                tokens = tokens[:-1]
            elif re.match(_UNIT_NUMBER, last.text) and not (
                prev.lower_ in _UNIT_WORDS
                or (prev.text == "." and tokens[-3].lower_ in _UNIT_WORDS)
            ):
                tokens = tokens[:-1]  # "14 Vista Ridge 2": a bare number is no unit
            else:
                break
        return tokens

    def _with_city(self, text: str, *, start: int, end: int) -> _Found:
        city = self._city_after.match(text, end)
        if city:
            end = city.end()
        while end > start and text[end - 1] in " ,.":
            end -= 1
        return _Found(start=start, end=end, entity="address", value=text[start:end])


_MASKED_CARD = re.compile(re.escape(MASK_PREFIX) + r"\d{4}\b")


def _shaped_entities(text: str, *, today: date) -> List[_Found]:
    """Everything but street addresses: values with a fixed shape."""
    found = [
        _Found(start=start, end=end, entity="card_number", value=masked)
        for start, end, masked in find_card_numbers(text)
    ]
    # The hub masks a card before the bot sees it; the mask still tells the bot one was sent.
    found += [_Found(start=m.start(), end=m.end(), entity="card_number", value=m.group(0))
              for m in _MASKED_CARD.finditer(text)]
    found += [
        _Found(start=start, end=end, entity="date", value=iso)
        for start, end, iso in resolve_dates(text, today=today)
    ]
    for m in _EMAIL.finditer(text):
        found.append(_Found(start=m.start(), end=m.end(), entity="email", value=m.group().lower()))
    for m in _PHONE.finditer(text):
        digits = (m.group("a") or m.group("a2")) + m.group("ex") + m.group("ln")
        found.append(_Found(start=m.start(), end=m.end(), entity="phone", value=digits))
    for pattern in _AMOUNTS:
        for m in pattern.finditer(text):
            value = _money(m.group("n"), cents=m.groupdict().get("cents") or m.group("c"))
            found.append(_Found(start=m.start(), end=m.end(), entity="amount", value=value))
    for m in _ACCOUNT.finditer(text):
        found.append(_Found(start=m.start(), end=m.end(), entity="account_number", value=m.group()))
    for m in _ZIP.finditer(text):
        if "00501" <= m.group("zip") <= "99950":  # outside this range no ZIP exists
            found.append(_Found(start=m.start(), end=m.end(), entity="zip", value=m.group("zip")))
    return found


def _resolve_overlaps(found: List[_Found]) -> List[_Found]:
    """Longest first, then most specific type; a match overlapping a kept one is dropped."""
    rank = {name: i for i, name in enumerate(ENTITY_TYPES)}
    kept: List[_Found] = []
    for f in sorted(found, key=lambda f: (f.start - f.end, rank[f.entity], f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class RuleEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds account_number, zip, phone, email, amount, address, date and card_number entities."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "timezone": "America/Los_Angeles",  # "today" for dates is the district's today
            "today": None,  # fixed ISO date, for tests
            "entities": list(ENTITY_TYPES),  # which entity types to emit
            "street_words": [],  # the district's street names, matched even in lower case
            "cities": list(SERVICE_AREA_CITIES),  # a city after an address becomes part of it
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleEntityExtractor:
        # A blank pipeline is only a tokenizer: no model download, built once per graph.
        return cls({**cls.get_default_config(), **config}, nlp=spacy.blank("xx"))

    def __init__(self, config: Dict[Text, Any], *, nlp: Language) -> None:
        unknown = set(config["entities"]) - set(ENTITY_TYPES)
        if unknown:
            raise InvalidConfigException(f"RuleEntityExtractor: unknown entities {sorted(unknown)}")
        try:
            self._tz = ZoneInfo(config["timezone"])
            self._today = date.fromisoformat(config["today"]) if config["today"] else None
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise InvalidConfigException(f"RuleEntityExtractor: bad timezone or today: {e}") from e
        self._entities = set(config["entities"])
        self._addresses = _Addresses(
            nlp, street_words=config["street_words"], cities=config["cities"]
        )

    def today(self) -> date:
        # Asked per message: a server runs across midnights. The one clock (common.clock): real
        # outside tests, set by WATERDESK_NOW for a test's Rasa server.
        return self._today or clock.today(self._tz)

    def extract(self, text: str) -> List[Dict[Text, Any]]:
        """The entities in `text`, without overlaps, in text order."""
        # Overlaps are settled before filtering, so a disabled card type cannot let a phone
        # number be read out of a card number.
        found = _shaped_entities(text, today=self.today()) + self._addresses.find(text)
        kept = [f for f in _resolve_overlaps(found) if f.entity in self._entities]
        return [
            {
                ENTITY_ATTRIBUTE_TYPE: f.entity,
                ENTITY_ATTRIBUTE_START: f.start,
                ENTITY_ATTRIBUTE_END: f.end,
                ENTITY_ATTRIBUTE_VALUE: f.value,
                ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
            }
            for f in kept
        ]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            entities = self.add_extractor_name(self.extract(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
