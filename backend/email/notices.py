"""Mail the district sends about an account, not in a conversation: returned mail asks the
customer to confirm their mailing address. Composed here; the caller queues it in the outbox in
the same transaction as the change it reports."""

from __future__ import annotations

from email.message import EmailMessage

from backend.core.config import Settings
from backend.crud.contact import mailing_address
from backend.email.outbound import build, render
from backend.models.accounts import Account
from backend.models.customers import Customer

WORDS = {
    "en": {
        "subject": "Please confirm your mailing address",
        "returned": "Mail we sent for your account ending in {last4} came back to us as "
                    "undeliverable.",
        "on_file": "The mailing address we have is: {address}.",
        "confirm": "Please confirm or correct it: reply to this email, chat with us on our "
                   "website, or call customer service. Until then we can't be sure your bills "
                   "reach you.",
    },
    "es": {
        "subject": "Confirme su dirección postal",
        "returned": "El correo que enviamos para su cuenta terminada en {last4} nos fue devuelto "
                    "porque no se pudo entregar.",
        "on_file": "La dirección postal que tenemos es: {address}.",
        "confirm": "Por favor, confírmela o corríjala: responda a este correo, escríbanos en el "
                   "chat de nuestro sitio web o llame a servicio al cliente. Mientras tanto no "
                   "podemos asegurar que sus facturas le lleguen.",
    },
}


def returned_mail(*, settings: Settings, customer: Customer, account: Account) -> EmailMessage:
    """To the email on file, in the customer's preferred language."""
    assert customer.email
    language = str(customer.preferred_language) if str(customer.preferred_language) in WORDS \
        else "en"
    w = WORDS[language]
    paragraphs = [w["returned"].format(last4=account.account_number[-4:]),
                  w["on_file"].format(address=mailing_address(customer)), w["confirm"]]
    name = " ".join((customer.first_name or "").split()) or customer.business_name
    text, html_body = render(paragraphs=paragraphs, language=language, settings=settings,
                             name=name)
    return build(settings=settings, to=customer.email, subject=w["subject"], text=text,
                 html_body=html_body, reply_to=None, in_reply_to=None, references=[],
                 automatic=False)
