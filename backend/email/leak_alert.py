"""The leak alert email: water has run every night for days, what it has cost so far, how to
look for the leak, a link that opens the chat already verified, and a way to stop these emails.

Composed here in the customer's language (plain text and simple HTML with the same words); the
leak-alert job queues it in the outbox together with the alert it records."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email import _header_value_parser as header_parser
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage

from backend.core.config import Settings
from backend.domain.i18n import format_date, format_money, format_number
from backend.email.outbound import WORDS as MAIL_WORDS
from backend.email.outbound import build

WORDS = {
    "en": {
        "subject": "Possible leak: water has run at your property for {days} nights",
        "hello": "Hello,", "hello_name": "Hello {name},",
        "seen": "Your water meter (account ending in {last4}) shows water running all through "
                "the night, every night since {start}: {days} nights in a row. That usually "
                "means a leak.",
        "so_far": "Estimated so far: about {gallons} gallons, roughly {cost} on your bill.",
        "estimate": "This is an estimate, from the lowest flow your meter recorded each night "
                    "and the rates for your account. Your bill will show what was actually "
                    "used.",
        "check": "How to check for a leak:",
        "steps": (
            "Toilets: put a few drops of food coloring in the tank and wait 15 minutes "
            "without flushing. Color in the bowl means the flapper leaks.",
            "The meter: turn off every tap and water-using appliance, then watch the meter's "
            "leak indicator (the small triangle or dial). If it moves, water is escaping "
            "somewhere.",
            "Irrigation: look for wet spots, soggy ground or a running valve, and check the "
            "sprinkler timer.",
            "Water heater: see whether the pipe from its relief valve is dripping.",
        ),
        "chat": "Questions? Chat with us, already signed in to your account (the link works "
                "for 7 days):",
        "chat_label": "Open the chat",
        "optout": "Don't want leak alerts? Turn them off:",
        "optout_label": "Stop leak alerts",
    },
    "es": {
        "subject": "Posible fuga: el agua ha corrido en su propiedad durante {days} noches",
        "hello": "Hola:", "hello_name": "Hola, {name}:",
        "seen": "Su medidor de agua (cuenta terminada en {last4}) muestra agua corriendo toda "
                "la noche, cada noche desde el {start}: {days} noches seguidas. Eso suele "
                "indicar una fuga.",
        "so_far": "Estimado hasta ahora: unos {gallons} galones, aproximadamente {cost} en su "
                  "factura.",
        "estimate": "Es una estimación, a partir del flujo más bajo que su medidor registró "
                    "cada noche y las tarifas de su cuenta. Su factura mostrará el consumo "
                    "real.",
        "check": "Cómo revisar si hay una fuga:",
        "steps": (
            "Inodoros: ponga unas gotas de colorante en el tanque y espere 15 minutos sin "
            "jalar la cadena. Si el color aparece en la taza, la válvula (sapo) tiene fuga.",
            "El medidor: cierre todas las llaves y aparatos que usan agua y observe el "
            "indicador de fugas del medidor (el pequeño triángulo o disco). Si se mueve, el "
            "agua se está escapando por algún lado.",
            "Riego: busque zonas mojadas, tierra encharcada o una válvula abierta, y revise el "
            "programador de los aspersores.",
            "Calentador de agua: fíjese si gotea el tubo de su válvula de alivio.",
        ),
        "chat": "¿Preguntas? Escríbanos en el chat, ya identificado con su cuenta (el enlace "
                "vale 7 días):",
        "chat_label": "Abrir el chat",
        "optout": "¿No quiere recibir alertas de fugas? Desactívelas:",
        "optout_label": "Dejar de recibir alertas de fugas",
    },
}


@dataclass(frozen=True)
class LeakFacts:
    to: str
    language: str
    name: str | None
    account_number: str
    start: date
    days: int
    gallons: int
    cost_cents: int
    chat_url: str
    opt_out_url: str


class _UrlHeader(UnstructuredHeader):
    """A header holding one long URL as it is. The email package would fold an unbroken value
    longer than a line into RFC 2047 encoded words, which no mail client reads as a URL; this
    one moves to a line of its own instead (under SMTP's 998-character limit)."""

    max_count = 1

    @classmethod
    def parse(cls, value: str, kwds: dict) -> None:  # type: ignore[override]
        token = header_parser.ValueTerminal(value, "vtext")
        token.as_ew_allowed = False
        kwds["parse_tree"] = header_parser.UnstructuredTokenList([token])
        kwds["decoded"] = value


_URL_HEADERS = HeaderRegistry()
_URL_HEADERS.map_to_type("list-unsubscribe", _UrlHeader)


def _words(language: str) -> dict:
    return WORDS.get(language, WORDS["en"])


def leak_alert(*, settings: Settings, facts: LeakFacts) -> EmailMessage:
    """The alert to the email on file, with List-Unsubscribe pointing at the opt-out link."""
    language = facts.language if facts.language in WORDS else "en"
    w = _words(language)
    team = MAIL_WORDS[language]["team"].format(district=settings.EMAIL_FROM_NAME)
    closing = MAIL_WORDS[language]["closing"]
    greeting = w["hello_name"].format(name=facts.name) if facts.name else w["hello"]
    intro = [
        w["seen"].format(last4=facts.account_number[-4:], days=facts.days,
                         start=format_date(day=facts.start, lang=language)),
        w["so_far"].format(gallons=format_number(facts.gallons),
                           cost=format_money(Decimal(facts.cost_cents) / 100)),
        w["estimate"],
    ]
    text = [greeting, "", *[p + "\n" for p in intro], w["check"]]
    text += [f"{i}. {step}" for i, step in enumerate(w["steps"], start=1)]
    text += ["", w["chat"], facts.chat_url, "", w["optout"], facts.opt_out_url, "",
             closing, team]
    esc = html.escape
    markup = [f"<p>{esc(greeting)}</p>", *[f"<p>{esc(p)}</p>" for p in intro],
              f"<p>{esc(w['check'])}</p>",
              "<ol>" + "".join(f"<li>{esc(s)}</li>" for s in w["steps"]) + "</ol>",
              f"<p>{esc(w['chat'])}<br><a href=\"{esc(facts.chat_url)}\">"
              f"{esc(w['chat_label'])}</a></p>",
              f"<p>{esc(closing)}<br>{esc(team)}</p>",
              f"<p><small>{esc(w['optout'])} <a href=\"{esc(facts.opt_out_url)}\">"
              f"{esc(w['optout_label'])}</a></small></p>"]
    msg = build(settings=settings, to=facts.to,
                subject=w["subject"].format(days=facts.days), text="\n".join(text) + "\n",
                html_body="<html><body>" + "\n".join(markup) + "</body></html>\n",
                reply_to=None, in_reply_to=None, references=[], automatic=False)
    # RFC 3834: sent by a program, not in answer to anyone; responders must not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    # RFC 2369 and RFC 8058: mail clients offer "unsubscribe", and may POST to it in one click.
    msg["List-Unsubscribe"] = _URL_HEADERS("List-Unsubscribe", f"<{facts.opt_out_url}>")
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return msg
