"""Reads how a customer feels from one message: a bilingual word list plus a few typing signals.

Plain Python (no Rasa) so the actions and the tests share it. Every word list below is data: the
matcher casefolds, strips accents and apostrophes and matches whole words, so the lists are
written the way people spell ("vergüenza", "can't afford"). In a term, `word*` matches any word
starting with `word`, `#` matches a number ("channel 7", "canal siete") and `~` skips up to three
words of the same clause ("talk to ~ agent" matches "talk to a real agent").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

LABELS: tuple[str, ...] = ("calm", "frustrated", "angry", "distressed", "anxious")
TRENDS: tuple[str, ...] = ("improving", "steady", "worsening")

PROFANITY = ("fuck*", "motherfuck*", "shit", "shitty", "bullshit", "bs", "damn", "dammit",
             "goddamn*", "crap", "crappy", "ass", "asshole*", "bitch*", "bastard*", "hell",
             "piss", "mierda", "carajo", "chingad*", "chingar", "pinche*", "pendej*", "cabrón",
             "cabrones", "puta*", "puto*", "joder", "jodid*", "verga", "culero*")
ANGER_STRONG = ("wtf", "what the hell", "what the heck", "furious", "livid", "outraged", "enraged",
                "so angry", "pissed off", "how dare you", "thanks for nothing", "furios*",
                "thank you for nothing", "enfurecid*", "encabronad*", "gracias por nada",
                "es una vergüenza",
                "qué vergüenza", "sinvergüenza*")
ANGER = ("angry", "mad", "pissed", "outrage", "outrageous", "disgusted", "disgusting", "scam",
         "scammers", "rip off", "ripoff", "ripping me off", "thieves", "crooks", "robbery",
         "stealing", "extortion", "useless", "incompetent", "incompetence", "idiot", "idiots",
         "stupid", "pathetic", "shame on you", "ashamed", "harassment", "rude", "enojad*", "enojo",
         "coraje", "indignad*", "indignante", "vergüenza", "ladrones", "rateros", "robo",
         "robando", "estafa*", "abuso", "abusivos", "abusan", "inútiles",
         "no sirven para nada", "incompetente*", "grosero*", "grosera*")
FRUSTRATION = ("frustrated", "frustrating", "frustration", "annoyed", "annoying", "irritated",
               "fed up", "sick of", "sick and tired", "tired of", "had enough", "ridiculous",
               "unacceptable", "unbelievable", "absurd", "terrible", "horrible", "awful", "worst",
               "disappointed", "disappointing", "upset", "not happy", "unhappy", "a joke",
               "nightmare", "waste of time", "waste of my time", "yet again", "once again",
               "third time", "fourth time", "so many times", "still waiting", "still not",
               "still no", "still haven't", "nobody ever", "nobody answers", "nobody calls back",
               "no one ever", "no one answers", "no response", "never answer*", "never call* back",
               "every time", "on hold", "hung up on", "ignored", "ignoring",
               "frustrad*", "estoy harta", "estoy harto", "harta", "harto", "hartos",
               "ya me cansé", "me tienen cansad*", "estoy cansad*", "ridículo", "ridícula",
               "inaceptable", "increíble", "absurdo", "pésimo", "pésima", "el peor", "la peor",
               "decepcionad*", "molesto", "molesta", "estoy molest*", "otra vez lo mismo",
               "tercera vez", "nadie contesta", "nadie responde", "nadie me contesta",
               "nadie me ayuda", "nunca contestan", "nunca funciona", "nunca sirve",
               "siempre es lo mismo", "una pesadilla", "no es justo", "perdí mi tiempo",
               "pérdida de tiempo", "no aguanto", "me colgaron")
DISTRESS = ("desperate", "desperation", "desperately", "I don't know what to do",
            "don't know what to do", "at my wits end", "overwhelmed", "helpless", "hopeless",
            "crying", "in tears", "begging", "beg you", "this is an emergency", "its an emergency",
            "desesperad*", "desesperación", "no sé qué hacer", "no sé que voy a hacer", "llorando",
            "se lo suplico", "le suplico", "le ruego", "angustiad*", "ya no puedo más",
            "no puedo más", "es una emergencia")
# A plea alone is usually polite ("please help me understand my bill"); several or shouted, not.
PLEA = ("please help", "help me please", "help please", "need help asap", "urgent", "urgente",
        "ayúdenme", "ayúdeme", "ayuda por favor", "necesito ayuda", "auxilio")
HARDSHIP = ("can't afford", "cannot afford", "can not afford", "can't pay", "cannot pay",
            "unable to pay", "no way to pay", "lost my job", "lost our jobs", "laid off",
            "got fired", "unemployed", "out of work", "no income", "fixed income",
            "social security", "disability check", "paycheck to paycheck", "struggling to pay",
            "struggling financially", "financial hardship", "hardship", "single mom",
            "single mother", "no money", "don't have the money", "don't have money",
            "no puedo pagar", "no podemos pagar", "no tengo dinero", "no tengo con que pagar",
            "no me alcanza", "no nos alcanza", "perdí mi trabajo", "perdí el trabajo",
            "perdí mi empleo", "me quedé sin trabajo", "me quedé sin empleo", "sin trabajo",
            "sin empleo", "desemplead*", "me despidieron", "me corrieron", "bajos recursos",
            "madre soltera", "seguro social", "ingreso fijo")
MEDICAL = ("dialysis", "oxygen", "medic*", "insulin", "surgery", "hospital*", "chemo*", "cancer",
           "disabled", "disability", "wheelchair", "bedridden", "elderly", "senior citizen",
           "baby", "babies", "infant", "newborn", "pregnant", "sick", "diálisis", "oxígeno",
           "insulina", "cirugía", "quimio*", "cáncer", "discapacidad", "discapacitad*",
           "silla de ruedas", "en cama", "anciano*", "anciana*", "tercera edad", "adulto mayor",
           "adultos mayores", "bebé", "bebés", "recién nacid*", "embarazada", "enferm*")
ANXIETY = ("scared", "afraid", "frightened", "terrified", "worried", "worry", "worrying",
           "nervous", "anxious", "anxiety", "concerned", "panic*", "freaking out", "is it safe",
           "safe to drink", "what if", "shut off my water", "cut off my water", "miedo",
           "tengo miedo", "asustad*", "preocupad*", "me preocupa", "nervios*", "ansios*",
           "ansiedad", "es segura", "me van a cortar", "me cortan el agua", "van a cortar")
LEGAL = ("lawyer*", "attorney", "attorneys", "sue", "suing", "sued", "lawsuit*", "legal action",
         "class action", "small claims", "to court", "in court", "abogad*", "una demanda",
         "demanda legal", "poner demanda", "pongo demanda", "demandar*", "los demando",
         "acción legal", "acciones legales", "a la corte", "tribunal*", "juez")
_PLATFORMS = ("facebook", "instagram", "tiktok", "twitter", "nextdoor", "yelp", "reddit",
              "youtube", "social media", "redes sociales", "internet")
_POSTING = ("post", "posting", "share", "sharing", "put this on", "tweet", "publicar*", "publico",
            "subir*", "exhibir*")
MEDIA = ("news", "newspaper*", "reporter*", "journalist*", "channel #", "tv station",
         "the media", "go viral", "going viral", "bad review*", "noticias", "el periódico",
         "al periódico", "los periódicos", "periodista*", "canal #", "telemundo", "univision",
         "ktla", "kabc", "los medios", "medios de comunicación", "prensa", "the press",
         "malas reseñas", "mala reseña") + tuple(f"{v} ~ {p}" for v in _POSTING for p in _PLATFORMS)
_COMPLAIN = ("complain*", "file a complaint with", "report you to", "reporting you to",
             "report this to", "write to", "writing to", "quejar*", "queja con", "queja ante",
             "reportarlos", "denunciarlos", "escribir*")
_AUTHORITIES = ("the city", "city hall", "the county", "the state", "la ciudad", "el condado",
                "el estado", "el municipio", "ayuntamiento")
REGULATOR = ("city council", "council member*", "councilman", "councilwoman", "board of directors",
             "board of supervisors", "county supervisor", "public utilities commission", "puc",
             "cpuc", "state water board", "water board", "regulator*", "senator", "congressman",
             "congresswoman", "assemblyman", "assemblywoman", "assembly member", "the mayor",
             "better business bureau", "bbb", "attorney general", "elected official*", "governor",
             "concejo", "concejal*", "consejo municipal", "cabildo", "alcalde*",
             "comisión de servicios públicos", "regulador*", "gobernador*", "procuraduría",
             "profeco") + tuple(f"{v} ~ {a}" for v in _COMPLAIN for a in _AUTHORITIES)
POLITE = ("thank you", "thanks", "thx", "appreciate*", "have a nice day", "gracias",
          "le agradezco", "agradecería", "muy amable", "no problem", "no worries",
          "sin problema", "perfect", "perfecto", "excelente", "great")
POLITE_SOFT = ("please", "pls", "plz", "kindly", "por favor", "porfa", "disculpe",
               "disculpe la molestia", "sorry to bother")
# Matched and then dropped, so the words inside them don't count ("good news", "press 1").
SHIELD = ("good news", "great news", "bad news", "no news", "any news", "some news", "press #",
          "buenas noticias", "malas noticias", "alguna noticia", "social security number",
          "número de seguro social", "media hora", "in the news", "on the news said",
          "saw on the news", "heard on the news", "read in the news", "the news said",
          "en las noticias", "salió en las noticias", "dijeron en las noticias")

LEXICON: Mapping[str, tuple[str, ...]] = {
    "profanity": PROFANITY, "anger_strong": ANGER_STRONG, "anger": ANGER,
    "frustration": FRUSTRATION, "distress": DISTRESS, "plea": PLEA, "hardship": HARDSHIP,
    "medical": MEDICAL, "anxiety": ANXIETY, "legal": LEGAL, "media": MEDIA,
    "regulator": REGULATOR, "polite": POLITE, "polite_soft": POLITE_SOFT, "shield": SHIELD,
}
# group -> (label it pulls toward, weight of one match); threats read as anger.
WEIGHTS: Mapping[str, tuple[str, float]] = {
    "profanity": ("angry", 1.5), "anger_strong": ("angry", 1.5), "anger": ("angry", 1.0),
    "legal": ("angry", 1.0), "media": ("angry", 1.0), "regulator": ("angry", 1.0),
    "frustration": ("frustrated", 1.0), "distress": ("distressed", 1.2),
    "hardship": ("distressed", 1.0), "medical": ("distressed", 0.8), "plea": ("distressed", 0.4),
    "anxiety": ("anxious", 1.0), "polite": ("calm", 1.0), "polite_soft": ("calm", 0.4),
}
NEGATORS = frozenset({"not", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent",
                      "aint", "nor", "without"})
# Only in Spanish chats: English "no" is a determiner ("no water, I'm scared"), "sin" a word.
NEGATORS_ES = frozenset({"no", "ni", "sin", "tampoco"})
CONTRAST = frozenset({"but", "however", "though", "although", "pero", "aunque", "sino"})
NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                          "ten", "eleven", "twelve", "uno", "dos", "tres", "cuatro", "cinco",
                          "seis", "siete", "ocho", "nueve", "diez", "once", "doce"})
GAP_BLOCKERS = frozenset({"my", "mi", "mis"})  # "talk to my agent" is not about our agents
# Real words one typo away from a feeling word ("irrigated" / "irritated").
# Everyday words one edit away from an emotion term ("outage" is not a misspelt "outrage").
TYPO_IGNORE = frozenset({"irrigated", "irrigate", "steaming", "terrific", "curious", "outage",
                         "outages"})
NEGATION_WINDOW = 3
MAX_GAP = 3

CAPS_WEIGHT, BANG_WEIGHT, QUERY_WEIGHT, ELONGATION_WEIGHT = 0.8, 0.5, 0.5, 0.3
NEGATED_CALM = 0.5  # "I'm not angry" is reassurance
CALM_BELOW = 0.5  # net negative score under this reads as calm
FULL_SCORE = 3.5  # net score that reads as full intensity
ESCALATE_TO_ANGRY = 2.5  # shouted frustration this strong reads as anger
TIE_ORDER = ("distressed", "angry", "frustrated", "anxious")
TREND_WINDOW, TREND_DELTA, STEP_TOLERANCE = 3, 0.3, 0.05

_APOSTROPHES = re.compile(r"['’‘`]")
_TOKEN = re.compile(r"[a-z0-9]+|[.,;:!?¡¿()\n]")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
# "f***", "sh*t", "a$$"; three characters at least, so "C#" is not one.
_MASKED_SWEAR = re.compile(r"(?<![\w*#@$%])[a-z]{1,3}[*#@$%]{1,4}[a-z]{0,3}(?![\w*#@$%])",
                           re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class EmotionReading:
    label: str
    valence: float
    intensity: float
    cues: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"unknown emotion label {self.label!r}")
        if not -1.0 <= self.valence <= 1.0 or not 0.0 <= self.intensity <= 1.0:
            raise ValueError("valence must be in [-1, 1] and intensity in [0, 1]")
        object.__setattr__(self, "cues", tuple(self.cues))


@dataclass(frozen=True)
class Words:
    words: tuple[str, ...]
    clauses: tuple[int, ...]  # punctuation and "but" start a new clause; matches stay inside one
    elongated: bool


@dataclass(frozen=True)
class Match:
    term: str
    group: str
    start: int
    end: int
    text: str  # the matched words, normalized
    negated: bool

    @property
    def cue(self) -> str:
        """The term as written, or the words themselves when the term has wildcards."""
        return self.text if any(c in self.term for c in "*#~") else self.term


def normalize_lang(lang: str | None) -> str:
    return "es" if (lang or "").strip().lower().startswith("es") else "en"


def normalize(text: str) -> str:
    """Casefold, drop apostrophes ("can't" -> "cant") and accents ("vergüenza" -> "verguenza")."""
    text = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text.casefold()))
    return "".join(c for c in text if not unicodedata.combining(c))


def split_words(text: str) -> Words:
    words: list[str] = []
    clauses: list[int] = []
    clause, elongated = 0, False
    for token in _TOKEN.findall(normalize(text)):
        if not token[0].isalnum():
            clause += 1
            continue
        word = _ELONGATED.sub(r"\1", token)  # "pleeease" -> "please", "noooo" -> "no"
        elongated = elongated or (word != token and len(word) > 1)  # not "www"
        if word in CONTRAST:
            clause += 1
        words.append(word)
        clauses.append(clause)
    return Words(tuple(words), tuple(clauses), elongated)


def _word_ok(pattern: str, word: str) -> bool:
    if pattern == "#":
        return word.isdigit() or word in NUMBER_WORDS
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return pattern == word


def _match(words: Words, pattern: tuple[str, ...], at: int, clause: int) -> int | None:
    """End index of `pattern` matched from `at` inside `clause`, or None."""
    if not pattern:
        return at
    head, rest = pattern[0], pattern[1:]
    if head == "~":
        for gap in range(MAX_GAP + 1):
            end = _match(words, rest, at + gap, clause)
            if end is not None:
                return end
            nxt = at + gap
            if (nxt >= len(words.words) or words.clauses[nxt] != clause
                    or words.words[nxt] in GAP_BLOCKERS):
                return None
        return None
    if at >= len(words.words) or words.clauses[at] != clause:
        return None
    if not _word_ok(head, words.words[at]):
        return None
    return _match(words, rest, at + 1, clause)


_Entry = tuple[str, str, tuple[str, ...]]  # (term, group, pattern words)
Index = tuple[dict[str, list[_Entry]], list[_Entry]]


@lru_cache(maxsize=32)
def _index(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> Index:
    # Terms by exact first word, plus those starting with a wildcard, so long emails stay fast.
    exact: dict[str, list[_Entry]] = {}
    wild: list[_Entry] = []
    for group, terms in groups:
        for term in terms:
            pattern = tuple(normalize(term).split())
            entry = (term, group, pattern)
            if pattern[0] == "#" or pattern[0].endswith("*"):
                wild.append(entry)
            else:
                exact.setdefault(pattern[0], []).append(entry)
    return exact, wild


def find_terms(words: Words, groups: Mapping[str, Sequence[str]], *,
               lang: str = "en") -> tuple[Match, ...]:
    """Non-overlapping matches, longest first; the "shield" group is matched and dropped."""
    exact, wild = _index(tuple((g, tuple(t)) for g, t in groups.items()))
    found: list[tuple[int, int, str, str]] = []
    for start, word in enumerate(words.words):
        for term, group, pattern in exact.get(word, []) + wild:
            end = _match(words, pattern, start, words.clauses[start])
            if end is not None:
                found.append((start, end, term, group))
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    negators = NEGATORS | NEGATORS_ES if normalize_lang(lang) == "es" else NEGATORS
    taken = [False] * len(words.words)
    matches: list[Match] = []
    for start, end, term, group in found:
        if any(taken[start:end]):
            continue
        taken[start:end] = [True] * (end - start)
        if group != "shield":
            matches.append(Match(term=term, group=group, start=start, end=end,
                                 text=" ".join(words.words[start:end]),
                                 negated=_negated(words, start, negators)))
    return tuple(sorted(matches, key=lambda m: m.start))


def _negated(words: Words, start: int, negators: frozenset[str]) -> bool:
    clause = words.clauses[start]
    return any(words.clauses[i] == clause and words.words[i] in negators
               for i in range(max(0, start - NEGATION_WINDOW), start))


@lru_cache(maxsize=1)
def _fuzzy_terms() -> tuple[tuple[str, str], ...]:
    # Long single words only: short ones collide ("scared"/"sacred").
    return tuple((normalize(t), g) for g, terms in LEXICON.items() if WEIGHTS.get(g, ("calm",))[0]
                 != "calm" for t in terms if " " not in t and len(t) >= 7 and "*" not in t)


def _one_edit(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _typos(words: Words, matches: Sequence[Match]) -> list[tuple[str, str]]:
    """(term, group) for misspelt long words ("frustated", "desparate") no term matched."""
    covered = {i for m in matches for i in range(m.start, m.end)}
    hits = []
    for i, word in enumerate(words.words):
        if i in covered or len(word) < 6 or word in TYPO_IGNORE:
            continue
        for term, group in _fuzzy_terms():
            # Same first letter: "curious" is not a typo of "furious".
            if term[0] == word[0] and _one_edit(word, term):
                hits.append((term, group))
                break
    return hits


def _shouting(text: str, words: Words) -> list[tuple[str, float]]:
    letters = [c for c in text if c.isalpha()]
    signals = []
    shouted = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w.isupper()]
    # Three shouted words, not an account line like "ACCT 1000002 ZIP 92694".
    if len(shouted) >= 3 and sum(c.isupper() for c in letters) >= 0.7 * len(letters):
        signals.append(("ALL CAPS", CAPS_WEIGHT))
    if re.search(r"[!¡]{2,}", text):
        signals.append(("!!!", BANG_WEIGHT))
    if re.search(r"[?¿]{2,}", text):
        signals.append(("???", QUERY_WEIGHT))
    elif re.search(r"\?!|!\?", text):
        signals.append(("?!", QUERY_WEIGHT))
    if words.elongated:
        signals.append(("elongated", ELONGATION_WEIGHT))
    return signals


def read_emotion(*, text: str, lang: str) -> EmotionReading:
    """How the customer sounds in one message, with the cues that drove the reading."""
    words = split_words(text)
    matches = find_terms(words, LEXICON, lang=lang)
    scores = dict.fromkeys(LABELS, 0.0)
    cues: list[str] = []
    for match in matches:
        label, weight = WEIGHTS[match.group]
        if match.negated and label != "calm":
            scores["calm"] += NEGATED_CALM
            cues.append(f"not {match.cue}")
            continue
        scores[label] += weight
        cues.append("profanity" if match.group == "profanity" else match.cue)
    for term, group in _typos(words, matches):
        label, weight = WEIGHTS[group]
        scores[label] += weight
        cues.append(term)
    if any(len(m.group()) >= 3 for m in _MASKED_SWEAR.finditer(text)):
        scores["angry"] += WEIGHTS["profanity"][1]
        cues.append("profanity")
    negative = {label: scores[label] for label in TIE_ORDER}
    if negative["distressed"]:
        negative["distressed"] += negative["anxious"] * 0.5  # fear for a baby is distress
    top = max(TIE_ORDER, key=lambda lbl: (negative[lbl], -TIE_ORDER.index(lbl)))
    shouting = _shouting(text, words)
    if shouting:
        if not negative[top]:
            top = "frustrated"  # shouting with no words of feeling: exasperation
        negative[top] += sum(weight for _, weight in shouting)
        cues.extend(cue for cue, _ in shouting)
    label = top
    if top == "frustrated" and shouting and negative[top] >= ESCALATE_TO_ANGRY:
        label = "angry"
    total = sum(negative.values())
    net = negative[top] + 0.5 * (total - negative[top]) - 0.5 * scores["calm"]
    if net < CALM_BELOW:
        label = "calm"
    return EmotionReading(
        label=label,
        valence=round(max(-1.0, min(1.0, (0.5 * scores["calm"] - total) / FULL_SCORE)), 3),
        intensity=round(max(0.0, min(1.0, net / FULL_SCORE)), 3),
        cues=tuple(dict.fromkeys(cues)))


def trend(readings: Sequence[EmotionReading]) -> str:
    """Direction of the last few readings: a clear, steady move in valence, else "steady"."""
    values = [r.valence for r in list(readings)[-TREND_WINDOW:]]
    if len(values) < 2:
        return "steady"
    steps = [b - a for a, b in zip(values, values[1:])]
    total = values[-1] - values[0]
    if total <= -TREND_DELTA and all(s <= STEP_TOLERANCE for s in steps):
        return "worsening"
    if total >= TREND_DELTA and all(s >= -STEP_TOLERANCE for s in steps):
        return "improving"
    return "steady"
