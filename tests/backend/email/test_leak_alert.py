"""backend.email.leak_alert: the alert in English and Spanish, plain text and HTML with the same
facts, the how-to-check list, both links, and headers mail clients act on."""

from __future__ import annotations

import email
from datetime import date
from email.policy import SMTP, default

import pytest

from backend.core.config import Settings
from backend.email.leak_alert import LeakFacts, leak_alert

CHAT = "https://water.example.org/?chat=" + "c" * 180
OPT_OUT = "https://water.example.org/api/v1/leak-alerts/opt-out?token=" + "t" * 180


def _sent(language: str, name: str | None = "James"):  # type: ignore[no-untyped-def]
    facts = LeakFacts(to="james.carter@example.com", language=language, name=name,
                      account_number="1000002", start=date(2026, 11, 18), days=14,
                      gallons=2132, cost_cents=161300, chat_url=CHAT, opt_out_url=OPT_OUT)
    msg = leak_alert(settings=Settings(_env_file=None), facts=facts)  # type: ignore[call-arg]
    # As the outbox stores it and a mail client reads it.
    return email.message_from_bytes(msg.as_bytes(policy=SMTP), policy=default)


@pytest.mark.parametrize(("language", "words"), [
    ("en", ("Hello James,", "Possible leak: water has run at your property for 14 nights",
            "every night since November 18, 2026: 14 nights in a row",
            "about 2,132 gallons, roughly $1,613.00 on your bill", "This is an estimate",
            "How to check for a leak:", "1. Toilets", "leak indicator", "Irrigation",
            "relief valve", "the link works for 7 days", "Turn them off")),
    ("es", ("Hola, James:", "Posible fuga: el agua ha corrido en su propiedad durante 14 noches",
            "cada noche desde el 18 de noviembre de 2026: 14 noches seguidas",
            "unos 2,132 galones, aproximadamente $1,613.00 en su factura", "Es una estimación",
            "Cómo revisar si hay una fuga:", "1. Inodoros", "indicador de fugas", "Riego",
            "válvula de alivio", "el enlace vale 7 días", "Desactívelas")),
])
def test_the_alert_in_each_language(language, words):
    msg = _sent(language)
    text = msg.get_body(("plain",)).get_content()
    markup = msg.get_body(("html",)).get_content()
    whole = f"{msg['Subject']}\n{text}"
    for w in words:
        assert w in whole, w
    assert CHAT in text.splitlines() and OPT_OUT in text.splitlines()
    assert f'href="{CHAT}"' in markup and f'href="{OPT_OUT}"' in markup
    assert markup.count("<li>") == 4 and "0002" in markup


def test_headers_mail_clients_act_on():
    msg = _sent("en")
    # One unbroken URL, not RFC 2047 words: a client can follow it.
    assert msg["List-Unsubscribe"].strip() == f"<{OPT_OUT}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["To"] == "james.carter@example.com" and msg["Message-ID"]
    assert all(len(line) <= 998 for line in msg.as_string().splitlines())


def test_no_name_no_greeting_name_and_unknown_language_is_english():
    assert _sent("en", name=None).get_body(("plain",)).get_content().splitlines()[0] == "Hello,"
    assert _sent("fr")["Subject"].startswith("Possible leak")
