"""Language detection: the plain function, no Rasa needed."""

import pytest

from common.language import detect_language


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "hello, my bill is too high this month",
        "I need to pay my water bill",
        "is there a leak at my meter?",
        "what's the balance on acct 1000001",
        "MY BILL IS TOO HIGH",
        "thanks!",
        "I live at 31 Calle Aria, Coto de Caza",  # Spanish street and city names stay English
        "moving to 27001 La Paz Rd, Mission Viejo next week",
        "the one on el toro rd",
        "hola i need help with my bill",  # one Spanish greeting in an English sentence
        "hi this is José Muñoz, my bill is too high",
    ],
)
def test_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "hola",
        "Hola, buenos días",
        "holaaa",
        "sí",
        "Sí",
        "gracias",
        "¿cuánto debo?",
        "quiero pagar mi factura",
        "tengo una fuga en el medidor",
        "cuanto debo de agua",  # no accents
        "MI FACTURA ESTA MUY ALTA",
        "mi bill esta super high este mes",  # Spanglish, mostly Spanish
        "la de el toro rd",
        "me pueden cancelar el servicio mañana",
    ],
)
def test_spanish(text: str) -> None:
    assert detect_language(text) == "es"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ok",
        "OK",
        "si",
        "no",
        "1000001",
        "92688",
        "(949) 555-0101",
        "maria@example.com",
        "$84.12",
        "de la Cruz",  # a family name, not Spanish text
        "José",
        "Lopez",
        "yo",
        "gracias, thanks",  # evenly mixed
    ],
)
def test_not_confident(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize(("text", "lang"), [
    ("¿hablan español?", "es"), ("habla espanol", "es"), ("in spanish please", "es"),
    ("english please", "en"), ("puede ser en inglés?", "en"),
    ("i was born in spain and i speak english and my bill is wrong since march", None),
    ("what's my balance", None),
])
def test_named_language(text, lang):
    from common.language import named_language

    assert named_language(text) == lang
