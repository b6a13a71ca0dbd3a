"""Tell English from Spanish in one customer message, only when the evidence is clear.

`detect_language` is plain Python, shared by both interpreters: the bot keeps the conversation's
`language` slot in step with the customer, and the email channel picks a new thread's language.

Scoring: common function words and water-service words score 2 ("strong") or 1 ("weak", e.g.
"de", "la", "en", which also appear in street and family names); Spanish accents/ñ in ordinary
words and ¿ ¡ add to Spanish. A language wins with at least 2 points, at least twice the other's,
and either a strong word or three weak ones. Capitalised words mid-sentence (names, "La Paz Rd"),
service-area city names, emails and URLs are ignored, so an English message about
"31 Calle Aria, Coto de Caza" stays English.
"""

from __future__ import annotations

import re

_ES_STRONG = set(
    """
    hola gracias buenos buenas buen días dias tardes noches adiós adios porfa favor sí
    quiero quisiera necesito tengo tiene tienen tenemos puedo puede pueden podría podria podrían
    estoy está están estan esta hay hace hacer saber ver ayuda ayudar ayúdeme ayudeme
    que qué cuánto cuanto cuánta cuanta cuál cual cuáles cuales dónde donde cuándo cuando cómo
    como porqué porque pero también tambien todavía todavia ahora muy mucho mucha poco nada algo
    mi mis su sus usted ustedes nosotros los las del una unos unas es son fue era pues entonces
    para por sin desde hasta hoy mañana manana ayer semana mes año ano
    agua factura recibo recibos pago pagos pagar pague pagué pagado debo deuda saldo cobro cobraron
    cargo cargos tarifa tarifas cuenta cuentas servicio medidor fuga gotea gotera inundando charco
    tubería tuberia llave presión presion calidad dureza drenaje alcantarillado banqueta acera
    jardín jardin patio baño bano cocina lavabo inodoro corte cortar cortaron reconexión reconexion
    depósito deposito reembolso multa recargo atrasado vence dinero tarjeta efectivo correo
    dirección direccion teléfono telefono número numero apellido nombre mudanza mudo cancelar
    consumo lectura galones aviso avisos papel alguien persona agente representante hablar español
    inglés ingles primera primero segunda segundo tercera tercero opción opcion llegó llego subió
    subio mande mandar quiten quitar cobran mañanas señor señora disculpe perdón perdon oiga
    este estos estas ese esa eso esos horario abren abre atienden atención atencion oficina
    facturación facturacion cobertura ciclo calendario llega llegan regalan saludos holi wenas
    estimados señores cordiales onda tal chao chau vemos cuídese cuidese voy despido luego hablamos
    terminar cerrar vuelvo regreso después despues tarde retiro atentamente agradezco agradecido
    agradecida grasias grax muchas muchos claro correcto exacto dale acuerdo adelante hágalo hagalo
    hazlo confirmo afirmativo perfecto parece ándale andale mismo seguro órale orale proceda
    procedas negativo incorrecto mejor interesa ahorita cancela cancelen nunca jamás jamas creo
    loco chiste soy eres tampoco humano verdad oye ayúdame ayudame opciones empezar nuevo nueva
    volver inicio guíame guiame ayúdenme ayudenme auxilio cuéntame cuentame escríbeme escribeme
    recomiéndame recomiendame quién quien ganar música musica sabes pásame pasame operador
    transfiérame transfierame empleado conecta quejar ciudad sirve publicar dejar malas nadie
    importa increíble increible experiencia deberían deberian vergüenza verguenza código codigo
    adentro casa goteando poquito residencial comercial habitación habitacion emergencia leve uso
    doméstico domestico residencia abrir cambio datos contacto electrónico electronico vino bien
    alto cuantos cuantas unidades nivel aceptan inscribirme veces baja prórroga prorroga reembolsen
    reembolsos reembolso falló fallo culpa quítenme quitenme atraso desconectaron equivocada
    desconexión desconexion relectura inscripción inscripcion desactivar activar
    """.split()
)
# Words both languages use ("no", "me", "si" without accent, "ok", "a") are in no list.
_ES_WEAK = set("de la el en y o al un con se lo le tu yo te ya".split())
_EN_STRONG = set(
    """
    the and is are was were my your i i'm im i've ive i'll ill you you're to of for with this that
    it it's what what's whats how why when where who which can could would should will please
    thanks thank thx hi hello hey help yes yeah yep just there here get got check from about much
    more high late fee fees start stop turn off address phone number name last next week month
    need want have has had do does did don't dont not be been on in at if but so all any some
    only still again morning afternoon evening good bad sorry speak english spanish someone
    water bill bills account accounts pay paid payment payments leak leaking meter service rates
    rate charge charged sewer pressure quality hardness shut shutoff balance due owe deposit
    refund card cash usage reading gallons outage pipe yard sidewalk street
    hose sink toilet today tomorrow they we our us an or out up know like first second one
    hours open opens business coverage area billing cycle schedule rebate rebates bye goodbye
    thankyou ty thx thnx sure correct right that's thats absolutely definitely confirm confirmed
    exactly agreed alright fine never nope nah wrong incorrect nevermind options show guide tell
    joke order write sing song something funny agent representative operator nobody ever back
    new close cancel update contact info mailing current amount owing history extension
    disconnection request reread flooding everywhere pretty small single family minor emergency
    actually greetings howdy hiya heya goodnight farewell regards best take care see later talk
    soon gotta go run end exit quit yup yea yeah starting effective residential commercial
    """.split()
)
_EN_WEAK = set("am by as".split())
_KNOWN = _ES_STRONG | _ES_WEAK | _EN_STRONG | _EN_WEAK

_CITIES = re.compile(
    r"rancho\s+santa\s+margarita|ladera\s+ranch|mission\s+viejo|coto\s+de\s+caza|lake\s+forest"
    r"|san\s+juan\s+capistrano|trabuco\s+canyon|las\s+flores",
    re.IGNORECASE,
)
_EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[a-záéíóúüñ]+(?:['’][a-z]+)?", re.IGNORECASE)
_ACCENTED = re.compile(r"[áéíóúüñ]")
_SENTENCE_ENDS = ".!?¿¡:;"
_ENGLISH_I = {"i", "i'm", "i've", "i'll", "i'd"}
MIN_SCORE = 2


def _mid_sentence(text: str, *, pos: int) -> bool:
    """Whether the word at `pos` follows other words of the same sentence."""
    pos -= 1
    while pos >= 0 and text[pos].isspace():
        pos -= 1
    return pos >= 0 and text[pos] not in _SENTENCE_ENDS


def _scores(text: str) -> tuple[float, float, int, int]:
    """(es score, en score, es strong-or-accent hits, en strong hits) for `text`."""
    text = _CITIES.sub(" ", _EMAIL_OR_URL.sub(" ", text))
    shouting = not re.search(r"[a-záéíóúüñ]", text)  # all caps: capitals say nothing
    es = en = 0.0
    es_strong = en_strong = 0
    es_weak = en_weak = 0
    for match in _WORD.finditer(text):
        raw = match.group()
        word = raw.lower().replace("’", "'")
        if word not in _KNOWN:
            word = re.sub(r"(.)\1+$", r"\1", word)  # "holaa", "graciass", "hiii"
        capitalised = raw[0].isupper() and not shouting
        if capitalised and _mid_sentence(text, pos=match.start()) and word not in _ENGLISH_I:
            continue  # a name: "La Paz", "Muñoz", "Carter"
        if word in _ES_STRONG:
            es, es_strong = es + 2, es_strong + 1
        elif word in _ES_WEAK:
            es, es_weak = es + 1, es_weak + 1
        elif word in _EN_STRONG:
            en, en_strong = en + 2, en_strong + 1
        elif word in _EN_WEAK:
            en, en_weak = en + 1, en_weak + 1
        if _ACCENTED.search(word) and word not in _ES_STRONG:
            es, es_strong = es + 1, es_strong + 1
    if "¿" in text or "¡" in text:
        es, es_strong = es + 2, es_strong + 1
    # Three weak words count as strong evidence; one or two ("de la Cruz") do not.
    return es, en, es_strong + (es_weak >= 3), en_strong + (en_weak >= 3)


def detect_language(text: str) -> str | None:
    """ "en" or "es" when the message clearly is that language, else None."""
    es, en, es_hits, en_hits = _scores(text or "")
    if es >= MIN_SCORE and es >= 2 * en and es_hits:
        return "es"
    if en >= MIN_SCORE and en >= 2 * es and en_hits:
        return "en"
    return None


_NAMED = re.compile(r"\b(espa[ñn]ol|spanish|english|ingl[eé]s)\b", re.IGNORECASE)


def named_language(text: str) -> str | None:
    """The language a short request names: "¿hablan español?" → "es", "english please" → "en"."""
    found = _NAMED.search(text or "")
    if not found or len(text.split()) > 6:
        return None
    return "es" if found.group(1).lower().startswith(("esp", "spa")) else "en"
