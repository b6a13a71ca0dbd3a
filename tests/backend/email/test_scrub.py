"""backend/email/scrub.py: card numbers out of raw mail, text parts and attachments, and what is
left alone. The end-to-end proof (every table grepped) is tests/security/test_card_numbers.py."""

from __future__ import annotations

import email
import os
import time
import zlib
from email.policy import SMTP

from backend.email.parse import Attachment, parse
from backend.email.scrub import (REMOVED, has_card_in_bytes, mask_text, scrub_attachment,
                                 scrub_raw)
from tests.backend.email.conftest import SAMPLES
from tests.utils.mail import mail

VISA, MC = "4111111111111111", "5555555555554444"


def test_mail_without_card_numbers_is_kept_byte_for_byte():
    for path in sorted(SAMPLES.iterdir()):
        raw = path.read_bytes()
        assert scrub_raw(raw) == (raw, False), path.name
    raw = mail("account 1000002, zip 92694, phone 949.555.0101, due 12/27/2026, $84.12").as_bytes()
    assert scrub_raw(raw) == (raw, False)


def test_encoded_parts_are_masked_and_the_message_still_parses():
    msg = mail("Hi\n\nOn Mon, Nov 30, 2026 James wrote:\n> card 4111.1111.1111.1111\n")
    msg.replace_header("Subject", "card 5555 5555 5555 4444")
    msg.set_content(msg.get_content(), cte="base64")
    msg.add_alternative("<p>x</p><blockquote>4111&nbsp;1111&nbsp;1111&nbsp;1111</blockquote>",
                        subtype="html", cte="quoted-printable")
    raw = msg.as_bytes(policy=SMTP)
    out, found = scrub_raw(raw)
    assert found and out is not None
    again = email.message_from_bytes(out)
    assert again["Subject"] == "card **** **** **** 4444" and again["From"] == msg["From"]
    bodies = [p.get_payload(decode=True).decode() for p in again.walk() if not p.is_multipart()]
    assert "> card **** **** **** 1111" in bodies[0]
    assert "**** **** **** 1111" in bodies[1] and "4111" not in bodies[1]
    assert parse(out).from_address == "james.carter@example.com"
    assert scrub_raw(out) == (out, False)  # masking twice changes nothing


def test_html_cards_only_a_reader_sees_are_masked():
    html = "<p>card <b>41</b>11 1111 1111 1111</p><p>and 5555&#160;5555&#160;5555&#160;4444</p>"
    masked, found = mask_text(html, markup=True)
    assert found
    assert "**** **** **** 1111" in masked and "**** **** **** 4444" in masked
    assert "5555" not in masked and "<b>41</b>" not in masked
    plain = "<p>card 4111 1111 1111 1111</p>"
    assert mask_text(plain, markup=True) == ("<p>card **** **** **** 1111</p>", True)


def test_text_attachments_are_masked_in_their_own_charset():
    for charset in ("utf-8", "utf-16", "cp1252"):
        data = f"tarjeta {VISA} — gracias".encode(charset)
        kept = scrub_attachment(Attachment("card.txt", "text/plain", data, charset))
        assert not kept.removed and kept.masked and kept.size == len(data)
        assert kept.data.decode(charset) == "tarjeta **** **** **** 1111 — gracias"


def test_other_attachments_are_kept_only_without_a_card_number():
    pdf = b"%PDF-1.5\nstream\n" + zlib.compress(b"BT [(4111 1111)-120(1111 1111)] TJ ET") + \
        b"\nendstream\n"
    gone = scrub_attachment(Attachment("statement.pdf", "application/pdf", pdf))
    assert gone.removed and gone.data == REMOVED.encode() and gone.size == len(pdf)
    assert gone.filename == "statement.pdf"
    utf16 = f"card {MC}".encode("utf-16-le")
    assert scrub_attachment(Attachment("x.bin", "application/octet-stream", utf16)).removed
    named = scrub_attachment(Attachment(f"card {VISA}.png", "image/png", b"\x89PNG"))
    assert named.filename == "card **** **** **** 1111.png" and not named.removed


def test_no_false_alarms_in_binary_data():
    # A PDF's timestamps and numbers, and random bytes, are not card numbers.
    pdf = (b"%PDF-1.4\n/CreationDate (D:20261202171546+00'00')\n0 0 612 792 re\n"
           b"0000000015 00000 n \n0000000074 00000 n \n%%EOF")
    assert not has_card_in_bytes(pdf)
    rng = os.urandom(2 * 1024 * 1024)
    started = time.perf_counter()
    has_card_in_bytes(rng)
    assert time.perf_counter() - started < 15  # about 0.5 s on an idle core


def test_an_attachment_that_cant_be_masked_is_replaced_in_the_raw_message_too():
    msg = mail("see attached")
    msg.add_attachment(f"%PDF-1.4 ({VISA}) Tj".encode(), maintype="application", subtype="pdf",
                       filename="statement.pdf")
    out, found = scrub_raw(msg.as_bytes(policy=SMTP))
    assert found and out is not None and VISA.encode() not in out
    [part] = [p for p in email.message_from_bytes(out).walk() if p.get_filename()]
    assert part.get_filename() == "statement.pdf"
    assert part.get_payload(decode=True) == REMOVED.encode()
    assert part["X-WaterDesk-Removed"] == "contained a card number"
