"""Finding 6: card numbers stored in clear. Each test sends card numbers the way customers write
them, through the real backend (the chat API, the rep queue, the email webhook), then reads every
row of every table back and looks for each card's digits in any form: as text, in bytes read as
Latin-1, UTF-8 or UTF-16, inside base64 and quoted-printable, in every decoded part of a stored
email, in compressed PDF streams and ZIP members, with all separators dropped.

Before the fix each of these leaked (in chat: dots, double and non-breaking spaces, newlines,
slashes; in email: attachments, quoted replies, HTML parts, raw messages with encoded parts),
except the forms the old masker already knew (chat "single spaces", "dashes", "no separator"),
which stay here so the new masker can't lose them.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.encoders
import email.header
import io
import quopri
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.header import Header
from email.policy import SMTP, compat32
from email.utils import make_msgid
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel
from sqlmodel import select as sql_select

from backend.models.email import EmailAttachment, InboundEmail
from tests.backend.email.conftest import email_db, inbox, relay  # noqa: F401
from tests.utils.api import REP, SERVICE, queued_conversation, rep_headers
from tests.utils.mail import INBOX, JAMES

REMOVED = b"removed: contained a card number"


# --- card numbers ---------------------------------------------------------------------------------

def luhn_complete(body: str) -> str:
    for check in "0123456789":
        digits = body + check
        total = sum(int(d) if i % 2 == 0 else (int(d) * 2 - 9 if int(d) > 4 else int(d) * 2)
                    for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def card(n: int) -> str:
    """A distinct Visa-shaped number per case, so a leak names its case."""
    return luhn_complete(f"45391488{n:03d}1234")


AMEX = "371449635398431"


def groups(digits: str) -> list[str]:
    return [digits[i:i + 4] for i in range(0, len(digits), 4)]


def written(digits: str, sep: str) -> str:
    return sep.join(groups(digits))


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# --- the grep -----------------------------------------------------------------------------------

_B64_BLOCK = re.compile(rb"(?:[A-Za-z0-9+/]{4}\s*){4,}(?:[A-Za-z0-9+/]{2,3}={0,2})?")


def _byte_views(data: bytes, depth: int = 0) -> Iterator[str]:
    yield data.decode("latin-1")
    yield data.decode("utf-8", "ignore")
    for codec in ("utf-16-le", "utf-16-be"):
        yield data.decode(codec, "ignore")
        yield data[1:].decode(codec, "ignore")
    yield re.sub(rb"\)\s*-?\d*\.?\d+\s*\(", b"", data).decode("latin-1")  # PDF: [(4111)-250(1111)]
    if depth >= 3:
        return
    inner: list[bytes] = []
    try:
        inner.append(quopri.decodestring(data))
    except Exception:
        pass
    for m in _B64_BLOCK.finditer(data):
        block = re.sub(rb"\s", b"", m.group())
        try:
            inner.append(base64.b64decode(block + b"=" * (-len(block) % 4)))
        except (binascii.Error, ValueError):
            pass
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            inner.append(zlib.decompressobj().decompress(data[m.end():], 10_000_000))
        except zlib.error:
            pass
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            inner += [zf.read(name) for name in zf.namelist()]
    if b":" in data[:200] and b"\n" in data:  # an email: every part decoded, every header
        msg = email.message_from_bytes(data, policy=compat32)
        for part in msg.walk():
            for value in part.values():
                yield str(email.header.make_header(email.header.decode_header(str(value))))
            if not part.is_multipart():
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    inner.append(payload)
    for chunk in inner:
        if chunk and chunk != data:
            yield from _byte_views(chunk, depth + 1)


def _views(value: Any) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, (bytes, bytearray, memoryview)):
        yield from _byte_views(bytes(value))
        return
    text = value if isinstance(value, str) else str(value)
    yield text
    if len(text) > 40:
        yield from _byte_views(text.encode("utf-8", "surrogatepass"))


def _digits(text: str) -> str:
    """Only the digits, in ASCII: every separator, markup and line break gone."""
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text))


def card_numbers_stored(client: Any, cards: list[str]) -> list[str]:
    """Where any of `cards` can be read in the database: "table.column (id): digits"."""
    found = []
    with client.app.state.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                for column, value in row.items():
                    for view in _views(value):
                        digits = _digits(view)
                        for number in cards:
                            if number in digits:
                                found.append(f"{table.name}.{column} "
                                             f"({row.get('id')}): {number}")
    return sorted(set(found))


# --- chat -----------------------------------------------------------------------------------------

CHAT = {  # name: how the card is written (each case has its own number)
    "single spaces": lambda d: written(d, " "),
    "double spaces": lambda d: written(d, "  "),
    "dots": lambda d: written(d, "."),
    "non-breaking spaces": lambda d: written(d, "\u00a0"),
    "narrow no-break and thin spaces": lambda d: "\u202f".join(groups(d)[:2]) + "\u2009"
                                                + "\u2009".join(groups(d)[2:]),
    "newlines": lambda d: written(d, "\n"),
    "crlf": lambda d: written(d, "\r\n"),
    "slashes": lambda d: written(d, "/"),
    "dashes": lambda d: written(d, "-"),
    "spaced dashes": lambda d: written(d, " - "),
    "no separator": lambda d: d,
    "tabs": lambda d: written(d, "\t"),
    "mixed": lambda d: f"{d[:4]} {d[4:8]}-{d[8:12]}.{d[12:]}",
    "mixed with nbsp and newline": lambda d: f"{d[:4]}\u00a0 {d[4:8]}/{d[8:12]}\n{d[12:]}",
    "full-width digits": lambda d: written(d, "\u3000").translate(FULL_WIDTH),
    "zero-width spaces": lambda d: written(d, "\u200b"),
    "unicode dashes": lambda d: written(d, "\u2013"),
}


@pytest.mark.parametrize("how", CHAT.values(), ids=CHAT.keys())
def test_chat_messages_never_store_a_card_number(inbox, how: Callable[[str], str]):
    number = card(list(CHAT.values()).index(how))
    cid = inbox.post("/api/v1/conversations", headers=SERVICE).json()["id"]
    r = inbox.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                   json={"text": f"please charge my card {how(number)} for the bill"})
    assert r.status_code == 200, r.text
    assert card_numbers_stored(inbox, [number]) == []
    got = inbox.get(f"/api/v1/conversations/{cid}", headers=SERVICE).json()
    assert got["messages"][0]["text"] == (
        f"please charge my card **** **** **** {number[-4:]} for the bill")


def test_every_chat_variant_at_once_and_an_amex(inbox):
    numbers = [card(100 + i) for i in range(len(CHAT))]
    text = "; ".join(how(n) for how, n in zip(CHAT.values(), numbers))
    text += "; amex 3714.496353.98431 and 3714 496353 98431"
    cid = inbox.post("/api/v1/conversations", headers=SERVICE).json()["id"]
    assert inbox.post(f"/api/v1/conversations/{cid}/messages", headers=SERVICE,
                      json={"text": text}).status_code == 200
    assert card_numbers_stored(inbox, numbers + [AMEX]) == []


def test_rep_replies_and_internal_notes_never_store_a_card_number(inbox):
    reply, note = card(200), card(201)
    rep = rep_headers(inbox, REP)
    assert inbox.put("/api/v1/reps/me/shift", headers=rep, json={"on_shift": True}).status_code \
        == 200
    cid = queued_conversation(inbox, "I need a person")
    assert inbox.post(f"/api/v1/queue/{cid}/claim", headers=rep).status_code == 200
    r = inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                   json={"text": f"I see the card {written(reply, '.')} on file"})
    assert r.status_code == 201, r.text
    r = inbox.post(f"/api/v1/queue/{cid}/messages", headers=rep,
                   json={"text": f"card\n{written(note, chr(10))}", "internal": True})
    assert r.status_code == 201, r.text
    assert card_numbers_stored(inbox, [reply, note]) == []


# --- email ----------------------------------------------------------------------------------------

def _headers(msg: Any, subject: str = "My bill") -> Any:
    msg["From"], msg["To"] = JAMES, INBOX
    if "Subject" not in msg:
        msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="example.com")
    return msg


def _text(body: str, cte: str) -> MIMEText:
    part = MIMEText("", "plain", "utf-8")
    del part["Content-Transfer-Encoding"]
    part.set_payload(body.encode("utf-8"))
    if cte == "base64":
        email.encoders.encode_base64(part)
    else:
        part.set_payload(quopri.encodestring(body.encode("utf-8")).decode("ascii"))
        part["Content-Transfer-Encoding"] = "quoted-printable"
    return part


def base64_quoted_reply(n: list[str]) -> bytes:
    body = ("Thanks, that worked.\n\nOn Mon, Nov 30, 2026 at 9:14 AM Customer Service "
            "<inbox@smwd.example.com> wrote:\n> You wrote: my card is "
            f"{written(n[0], ' ')}\n> We can't take cards by email.\n")
    return _headers(_text(body, "base64")).as_bytes()


def qp_outlook_quote_soft_break(n: list[str]) -> bytes:
    body = ("Any news?\n\nFrom: James Carter <james.carter@example.com>\nSent: Monday\n"
            "To: inbox@smwd.example.com\nSubject: My bill\n\n"
            + "x" * 60 + f" {written(n[0], ' ')} please\n")
    raw = _headers(_text(body, "qp")).as_bytes()
    assert b"=\n" in raw  # the soft line break splits the number in the raw bytes
    return raw


def base64_text_with_dots(n: list[str]) -> bytes:
    return _headers(_text(f"Pay with {written(n[0], '.')} please", "base64")).as_bytes()


def html_only_quoted(n: list[str]) -> bytes:
    msg = _headers(EmailMessage())
    msg.set_content(f"<p>Any news?</p><blockquote>my card is {written(n[0], '&nbsp;')}"
                    "</blockquote>", subtype="html", cte="base64")
    return msg.as_bytes(policy=SMTP)


def html_part_of_alternative(n: list[str]) -> bytes:
    msg = _headers(EmailMessage())
    msg.set_content("Please see the formatted version.")
    a, b = n[0], n[1]
    msg.add_alternative(
        f"<div>card <b>{a[:2]}</b>{a[2:4]} {a[4:8]} {a[8:12]} {a[12:]}</div>"
        f"<div>other {written(b, '&#160;')}</div>"
        f"<blockquote>quoted {written(n[2], ' ')}</blockquote>", subtype="html", cte="base64")
    return msg.as_bytes(policy=SMTP)


def text_attachment(n: list[str]) -> bytes:
    msg = _headers(EmailMessage())
    msg.set_content("My card is in the attached file.")
    msg.add_attachment(f"number: {written(n[0], '-')}\nexp 09/28\n".encode(),
                       maintype="text", subtype="plain", filename="card.txt")
    return msg.as_bytes(policy=SMTP)


def csv_as_octet_stream(n: list[str]) -> bytes:
    msg = _headers(EmailMessage())
    msg.set_content("Payments attached.")
    msg.add_attachment(f"date,card,amount\n2026-11-02,{n[0]},84.12\n".encode(),
                       maintype="application", subtype="octet-stream", filename="payments.csv")
    return msg.as_bytes(policy=SMTP)


def utf16_text_attachment(n: list[str]) -> bytes:
    msg = _headers(EmailMessage())
    msg.set_content("See the note.")
    part = MIMEText(f"card {written(n[0], ' ')}", "plain", "utf-16")
    part.add_header("Content-Disposition", "attachment", filename="note.txt")
    msg.make_mixed()
    msg.attach(part)
    return msg.as_bytes(policy=SMTP)


def pdf_in_clear(n: list[str]) -> bytes:
    pdf = (b"%PDF-1.4\n1 0 obj\n<< /Length 60 >>\nstream\nBT /F1 12 Tf 72 712 Td (Card "
           + written(n[0], " ").encode() + b") Tj ET\nendstream\nendobj\n%EOF\n")
    msg = _headers(EmailMessage())
    msg.set_content("Statement attached.")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="statement.pdf")
    return msg.as_bytes(policy=SMTP)


def pdf_compressed(n: list[str]) -> bytes:
    stream = zlib.compress(b"BT /F1 12 Tf 72 712 Td [(" + n[0][:8].encode() + b")-250("
                           + n[0][8:].encode() + b")] TJ ET")
    pdf = (b"%%PDF-1.5\n1 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
           + stream + b"\nendstream\nendobj\n%EOF\n")
    msg = _headers(EmailMessage())
    msg.set_content("Statement attached.")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="statement.pdf")
    return msg.as_bytes(policy=SMTP)


def docx_attachment(n: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>card "
                    f"{n[0][:8]}</w:t></w:r><w:r><w:t>{n[0][8:]}</w:t></w:r></w:p></w:body>"
                    "</w:document>")
    msg = _headers(EmailMessage())
    msg.set_content("Form attached.")
    msg.add_attachment(buf.getvalue(), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                       filename="form.docx")
    return msg.as_bytes(policy=SMTP)


def encoded_subject_and_file_name(n: list[str]) -> bytes:
    msg = MIMEMultipart()
    msg["Subject"] = Header(f"card {written(n[0], '.')}", "utf-8")
    _headers(msg)
    msg.attach(MIMEText("see subject", "plain", "utf-8"))
    photo = MIMEApplication(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "octet-stream")
    photo.add_header("Content-Disposition", "attachment",
                     filename=("utf-8", "", f"card {written(n[1], ' ')}.png"))
    msg.attach(photo)
    return msg.as_bytes()


def eight_bit_full_width(n: list[str]) -> bytes:
    body = f"mi tarjeta es {written(n[0], chr(0x3000)).translate(FULL_WIDTH)} gracias\n"
    return (f"From: {JAMES}\r\nTo: {INBOX}\r\nSubject: pago\r\nMessage-ID: "
            f"{make_msgid(domain='example.com')}\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            ).encode() + body.replace("\n", "\r\n").encode("utf-8")


def forwarded_message(n: list[str]) -> bytes:
    inner = _headers(_text(f"card {written(n[0], '/')}", "base64"))
    msg = _headers(EmailMessage())
    msg.set_content("Forwarding my earlier mail.")
    msg.add_attachment(inner)
    return msg.as_bytes(policy=SMTP)


EMAIL = {
    "base64 quoted reply": (base64_quoted_reply, 1),
    "quoted-printable quote split by a soft line break": (qp_outlook_quote_soft_break, 1),
    "base64 text part with dots": (base64_text_with_dots, 1),
    "HTML-only part, quoted, base64": (html_only_quoted, 1),
    "HTML part of an alternative (tags, &#160;, blockquote)": (html_part_of_alternative, 3),
    "text attachment card.txt": (text_attachment, 1),
    "CSV attachment sent as octet-stream": (csv_as_octet_stream, 1),
    "UTF-16 text attachment": (utf16_text_attachment, 1),
    "PDF attachment, text in clear": (pdf_in_clear, 1),
    "PDF attachment, compressed stream": (pdf_compressed, 1),
    "Word attachment (zip)": (docx_attachment, 1),
    "RFC 2047 subject and RFC 2231 file name": (encoded_subject_and_file_name, 2),
    "8bit UTF-8 body, full-width digits": (eight_bit_full_width, 1),
    "forwarded message/rfc822, base64": (forwarded_message, 1),
}


def post(client: Any, raw: bytes) -> Any:
    r = client.post("/api/v1/email/inbound", content=raw,
                    headers={**SERVICE, "Content-Type": "message/rfc822"})
    assert r.status_code == 202, r.text
    return r.json()


@pytest.mark.parametrize(("build", "count"), EMAIL.values(), ids=EMAIL.keys())
def test_email_never_stores_a_card_number(inbox, build: Callable[[list[str]], bytes],
                                          count: int):
    case = list(EMAIL.values()).index((build, count))
    numbers = [card(300 + 10 * case + i) for i in range(count)]
    raw = build(numbers)
    assert any(n in _digits(v) for v in _byte_views(raw) for n in numbers)  # the grep sees it
    out = post(inbox, raw)
    assert out["status"] != "error", out
    assert card_numbers_stored(inbox, numbers) == []
    with Session(inbox.app.state.engine) as session:
        stored = session.get(InboundEmail, out["id"])
        attachments = session.exec(sql_select(EmailAttachment).where(
            EmailAttachment.inbound_id == out["id"])).all()
    # The raw message is kept, masked; attachments are kept, masked or replaced by the marker.
    assert stored is not None and stored.raw
    assert email.message_from_bytes(stored.raw)["From"] == JAMES
    for a in attachments:
        assert a.data == REMOVED or b"****" in a.data or not any(
            n[-4:].encode() in a.data for n in numbers)


def test_attachments_keep_what_they_can(inbox):
    numbers = [card(400), card(401)]
    msg = _headers(EmailMessage())
    msg.set_content("Two files.")
    msg.add_attachment(f"card {written(numbers[0], '.')}\n".encode(), maintype="text",
                       subtype="plain", filename="card.txt")
    pdf = b"%PDF-1.4\n(" + numbers[1].encode() + b") Tj\n%EOF\n"
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="statement.pdf")
    msg.add_attachment(b"\x89PNG\r\n\x1a\nno numbers here", maintype="image", subtype="png",
                       filename="meter.png")
    out = post(inbox, msg.as_bytes(policy=SMTP))
    assert card_numbers_stored(inbox, numbers) == []
    with Session(inbox.app.state.engine) as session:
        got = {a.filename: a for a in session.exec(sql_select(EmailAttachment).where(
            EmailAttachment.inbound_id == out["id"])).all()}
    assert got["card.txt"].data == f"card **** **** **** {numbers[0][-4:]}\n".encode()
    assert got["statement.pdf"].data == REMOVED and got["statement.pdf"].size == len(pdf)
    assert got["meter.png"].data == b"\x89PNG\r\n\x1a\nno numbers here"
