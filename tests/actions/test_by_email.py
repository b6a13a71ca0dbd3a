"""Forms by email: one reply answers every question, in any order."""

from __future__ import annotations

import pytest

from actions import by_email

START = ["account_type", "service_address", "service_zip", "service_date", "customer_full_name",
         "contact_phone", "contact_email", "mailing_address"]


def test_a_reply_answering_everything_in_any_order_fills_every_slot():
    text = ("Hi again,\n"
            "Bills should go to PO Box 12, Irvine CA 92618.\n"
            "It's for our home, residential.\n"
            "The new place is 31 Calle Aria, Rancho Santa Margarita 92688.\n"
            "The name on the account should be Ana Torres.\n"
            "Start date: December 15\nThanks, Ana")
    assert by_email.answers(text, START) == {
        "mailing_address": "PO Box 12, Irvine CA 92618", "account_type": "residential",
        "service_address": "31 Calle Aria", "service_zip": "92688",
        "customer_full_name": "Ana Torres"}


def test_spanish_without_accents_and_the_same_mailing_address():
    text = "Servicio residencial. Direccion: 9 Calle Sol 92688. Las facturas a la misma direccion."
    got = by_email.answers(text, START)
    assert got["account_type"] == "residential" and got["mailing_address"] == "same"
    assert got["service_address"] == "9 Calle Sol" and got["service_zip"] == "92688"


def test_a_date_is_not_taken_for_a_street():
    assert by_email.answers("Para el 15 de diciembre por favor.", START) == {}


def test_a_stop_forwarding_address():
    got = by_email.answers("Last day is Dec 18. Send the final bill to 9 Elm St, Irvine CA 92618.",
                           ["service_date", "forwarding_address"])
    assert got == {"forwarding_address": "9 Elm St, Irvine CA 92618"}


@pytest.mark.parametrize("lang, lead", [("en", "To start service"), ("es", "Para iniciar")])
def test_the_question_lists_every_missing_detail(lang, lead):
    text = by_email.question("start_service_form", ["service_address", "mailing_address"], lang)
    lines = text.splitlines()
    assert lines[0].startswith(lead) and len(lines) == 3 and all(l.startswith("- ")
                                                                  for l in lines[1:])
