"""Parsing real-looking mail: bodies, charsets, encoded headers, attachments, quotes, signatures."""

from pathlib import Path

import pytest

from backend.email.parse import MalformedEmail, html_to_text, parse, strip_reply

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str):
    return parse((SAMPLES / name).read_bytes())


def test_plain_with_signature():
    p = sample("plain.eml")
    assert p.from_address == "james.carter@example.com" and p.from_name == "James Carter"
    assert p.message_id == "<plain-1@example.com>"
    assert p.reply_text == "How much do I owe? My account is 1000002."
    assert "Vista Ridge" in p.text  # the whole body is kept, only the reply is trimmed


def test_html_only_becomes_safe_text():
    p = sample("html_only.eml")
    assert "I think I have a leak & my bill is high." in p.reply_text
    assert "- Kitchen" in p.reply_text and "- Yard" in p.reply_text
    for gone in ("alert", "color:red", "<", "old stuff"):
        assert gone not in p.reply_text


def test_alternative_prefers_plain_and_decodes_quoted_printable():
    p = sample("alternative.eml")
    assert p.reply_text == "When is my bill due? \u2014 thanks"
    assert p.attachments == []


def test_latin1_body_and_rfc2047_headers():
    p = sample("latin1.eml")
    assert p.from_name == "José Peña"
    assert p.subject == "Factura de agua ¿cuánto debo?"
    assert "¿cuánto debo? Mi cuenta es 1000002. Señor Peña" in p.reply_text


def test_windows_1252_punctuation():
    assert sample("cp1252.eml").reply_text == "The \u201csmart\u201d meter costs \u20ac 5 \u2013 really?"


def test_unknown_charset_falls_back_without_error():
    assert sample("bad_charset.eml").reply_text == "Café water is fine"


def test_base64_attachment_is_kept_with_its_name():
    p = sample("attachment.eml")
    assert p.subject == "Medidor \U0001f4a7 foto"
    assert p.reply_text == "Here is a photo of my meter reading. Ünïcode ok."
    [att] = p.attachments
    assert att.filename == "lectura medidorñ.pdf" and att.content_type == "application/pdf"
    assert att.data == b"%PDF-1.4\n" + bytes(range(256)) * 4


def test_quoted_reply_in_english_with_wrapped_attribution():
    p = sample("reply_en.eml")
    assert p.reply_text == "Yes please, set up a payment plan."
    assert p.in_reply_to == ["<out-1@smwd.example.com>"]
    assert p.references == ["<plain-1@example.com>", "<out-1@smwd.example.com>"]
    assert p.to_addresses == ["inbox+0123456789abcdef@smwd.example.com"]


def test_quoted_reply_in_spanish():
    assert sample("reply_es.eml").reply_text == "Sí, quiero un plan de pagos."


@pytest.mark.parametrize("name, expected", [
    ("outlook.eml", "Please call me before any shut-off.\n\nThanks,\nPriya"),
    ("outlook_original.eml", "I paid yesterday."),
])
def test_outlook_quoted_blocks(name, expected):
    assert sample(name).reply_text == expected


def test_interleaved_quote_lines_are_dropped():
    text = "> what is my balance?\nIt is fine now.\n> anything else?\nNo."
    assert strip_reply(text) == "It is fine now.\nNo."


def test_html_entities_and_nesting():
    assert html_to_text("<div>a&lt;b<br>c</div><p>d</p>") == "a<b\nc\n\nd"


@pytest.mark.parametrize("raw", [b"", b"   ", (SAMPLES / "garbage.eml").read_bytes(),
                                 (SAMPLES / "no_from.eml").read_bytes()])
def test_malformed_is_a_clear_error(raw):
    with pytest.raises(MalformedEmail):
        parse(raw)


def test_broken_mime_still_parses():
    raw = (b"From: a@example.com\nContent-Type: multipart/mixed; boundary=\"never\"\n"
           b"Content-Transfer-Encoding: base64\n\n!!!not base64 and no boundary\n")
    p = parse(raw)
    assert p.from_address == "a@example.com"
