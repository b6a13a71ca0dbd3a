"""Card numbers out of email before anything is stored: the raw message, its text, attachments.

- Text (a text/* part, or an attachment whose name says text: .txt, .csv, .html ...) is decoded
  with its charset, masked with the one masker (common.cards), and encoded again. HTML is also
  read as a reader sees it (tags dropped, entities decoded); a card that only shows up that way
  ("4111&nbsp;1111...", "41<b>11</b>...") turns the part into its masked plain text.
- Anything else (PDF, images, Office files, octet-stream) can't be masked, so it is not kept when
  a card number can be read in it: as Latin-1, UTF-8 or UTF-16 text, inside the compressed
  streams of a PDF, or inside the members of a ZIP container (docx, xlsx, odt). The attachment
  is replaced by the REMOVED marker; its name, type and original size are kept.
- The raw message is rebuilt from the masked parts (headers such as Subject and file names
  included, and re-encoded in base64), so a card hidden by base64 or quoted-printable, in a
  quoted reply, in the HTML part or in an attachment is gone from it too. What is stored is then
  read back, decoded part by part; if a card can still be read anywhere, no raw copy is kept.

Images that show a card, and text a PDF draws through a font's own encoding, can't be read here.
"""

from __future__ import annotations

import email
import html
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email import encoders
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.policy import compat32
from email.utils import collapse_rfc2231_value

from backend.email.parse import Attachment, decode_bytes_as, decode_words
from common.cards import find_card_numbers, has_card_number, mask_card, mask_card_numbers

log = logging.getLogger("waterdesk.email.scrub")

REMOVED = "removed: contained a card number"
REMOVED_HEADER = "X-WaterDesk-Removed"

TEXT_TYPES = {"application/json", "application/ld+json", "application/xml", "application/csv",
              "application/x-csv", "application/javascript", "application/rtf", "application/x-sh",
              "application/yaml", "application/x-yaml", "message/delivery-status"}
TEXT_EXTENSIONS = {"txt", "text", "csv", "tsv", "htm", "html", "xhtml", "xml", "json", "md",
                   "log", "ics", "vcf", "rtf", "yaml", "yml", "ini", "cfg", "conf", "eml", "msg",
                   "tex", "sql", "js", "srt"}
MARKUP_EXTENSIONS = {"htm", "html", "xhtml", "xml"}

_TAG = re.compile(r"<[^<>]*>")
_TAG_SPLIT = re.compile(r"(<[^<>]*>)")
_GAP = "\ue000"  # where a tag was, while reading markup
# PDF text drawn as pieces with kerning between them: [(4111)-250(1111)] TJ.
_PDF_KERN = re.compile(rb"\)\s*-?\d*\.?\d+\s*\(")
_PDF_STREAM = re.compile(rb"stream\r?\n")
INFLATE_BUDGET = 32 * 1024 * 1024  # bytes of decompressed data read per attachment, at most
ZIP_MEMBERS = 200


def _extension(filename: str | None) -> str:
    return filename.rsplit(".", 1)[-1].lower() if filename and "." in filename else ""


def is_text(content_type: str, filename: str | None) -> bool:
    """Whether an attachment is text that can be masked and kept."""
    return (content_type.startswith("text/") or content_type in TEXT_TYPES
            or _extension(filename) in TEXT_EXTENSIONS)


def is_markup(content_type: str, filename: str | None) -> bool:
    return content_type in ("text/html", "text/xml", "application/xml", "application/xhtml+xml") \
        or _extension(filename) in MARKUP_EXTENSIONS


# --- text -------------------------------------------------------------------------------------

def _markup_views(text: str) -> Iterator[str]:
    """Markup as a reader sees it: tags dropped (pieces joined, or split by a space), entities
    decoded."""
    for joiner in ("", " "):
        yield html.unescape(_TAG.sub(joiner, text))


def _masked_reader_text(markup: str) -> str:
    """The text a reader sees in `markup`, every card masked, whether the tags between its digits
    join them ("45<b>39</b> 1488 ...") or split them ("12</b>4111 1111 ...")."""
    pieces = _TAG_SPLIT.split(markup)  # text, tag, text, tag, ..., text
    text = _GAP.join(html.unescape(p) for p in pieces[::2])
    kept = [i for i, ch in enumerate(text) if ch != _GAP]
    spans = [(a, b) for a, b, _ in find_card_numbers(text.replace(_GAP, " "))]
    spans += [(kept[a], kept[b - 1] + 1)
              for a, b, _ in find_card_numbers("".join(text[i] for i in kept))]
    out: list[str] = []
    last = 0
    for a, b in sorted(spans):
        if b <= last:
            continue
        a = max(a, last)
        # Overlapping cards become one mask (the last four of the later one).
        out += [text[last:a], mask_card(text[a:b])]
        last = b
    out.append(text[last:])
    return "".join(out).replace(_GAP, " ")


def mask_text(text: str, *, markup: bool = False) -> tuple[str, bool]:
    """`text` with every card number masked; (the result, whether one was found)."""
    masked, found = mask_card_numbers(text)
    if not markup or not any(has_card_number(view) for view in _markup_views(masked)):
        return masked, found
    # A card only a reader sees: keep the reader's text, masked, as escaped markup.
    safe = "<pre>" + html.escape(_masked_reader_text(masked)) + "</pre>"
    if has_card_number(safe) or any(has_card_number(view) for view in _markup_views(safe)):
        safe = f"[{REMOVED}]"
    return safe, True


# --- bytes ------------------------------------------------------------------------------------

def _inflated(data: bytes, budget: list[int]) -> Iterator[bytes]:
    """The decompressed streams of a PDF and the members of a ZIP container, within budget."""
    if b"stream" in data:
        for m in _PDF_STREAM.finditer(data):
            if budget[0] <= 0:
                return
            end = data.find(b"endstream", m.end())
            try:
                out = zlib.decompressobj().decompress(
                    data[m.end():end if end >= 0 else len(data)], budget[0])
            except zlib.error:
                continue
            budget[0] -= len(out)
            if out:
                yield out
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for info in zf.infolist()[:ZIP_MEMBERS]:
                    if budget[0] <= 0:
                        return
                    with zf.open(info) as member:
                        out = member.read(budget[0])
                    budget[0] -= len(out)
                    yield out
        except Exception:  # a broken or encrypted archive: nothing more can be read
            return


def _views(data: bytes) -> Iterator[str]:
    yield data.decode("latin-1")
    if not data.isascii():
        yield data.decode("utf-8", "ignore")
    if b"\x00" in data:  # UTF-16 (Word, Windows text), either byte order and alignment
        for codec in ("utf-16-le", "utf-16-be"):
            yield data.decode(codec, "ignore")
            yield data[1:].decode(codec, "ignore")


def readable_texts(data: bytes, *, inflate: bool = True, pdf: bool = False,
                   budget: list[int] | None = None) -> Iterator[str]:
    """Every way a card number could be read in these bytes (one at a time: they can be big)."""
    budget = budget if budget is not None else [INFLATE_BUDGET]
    markup = data.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")[:1] == b"<"  # HTML, XML
    for view in _views(data):
        yield view
        if markup:
            yield from _markup_views(view)
    pdf = pdf or data[:1024].lstrip().startswith(b"%PDF")
    if pdf and b"TJ" in data:  # kerning may stand for nothing or for a space
        yield _PDF_KERN.sub(b"", data).decode("latin-1")
        yield _PDF_KERN.sub(b" ", data).decode("latin-1")
    if inflate:
        for inner in _inflated(data, budget):
            yield from readable_texts(inner, inflate=False, pdf=pdf, budget=budget)


def has_card_in_bytes(data: bytes) -> bool:
    return any(has_card_number(text) for text in readable_texts(data))


# --- attachments ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scrubbed:
    filename: str
    content_type: str
    data: bytes  # masked, or the REMOVED marker
    size: int  # of the attachment as received
    removed: bool = False
    masked: bool = False


def _mask_bytes_as_text(data: bytes, charset: str | None, *, markup: bool) -> bytes | None:
    """Masked text bytes, or None when a card can still be read in them."""
    text, codec = decode_bytes_as(data, charset)
    masked, found = mask_text(text, markup=markup)
    if found:
        try:
            data = masked.encode(codec)
        except (LookupError, UnicodeError):
            data = masked.encode("utf-8")
    return None if has_card_in_bytes(data) else data


def scrub_attachment(a: Attachment) -> Scrubbed:
    """What may be stored of an attachment: text masked; anything else kept only without a card."""
    filename, _ = mask_card_numbers(a.filename)
    if is_text(a.content_type, a.filename):
        data = _mask_bytes_as_text(a.data, a.charset, markup=is_markup(a.content_type, a.filename))
    else:
        data = None if has_card_in_bytes(a.data) else a.data
    if data is None:
        return Scrubbed(filename=filename, content_type=a.content_type, data=REMOVED.encode(),
                        size=len(a.data), removed=True)
    return Scrubbed(filename=filename, content_type=a.content_type, data=data,
                    size=len(a.data), masked=data != a.data)


# --- the raw message --------------------------------------------------------------------------

def _scrub_headers(part: Message) -> bool:
    found = False
    for header, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
        value = part.get_param(param, header=header)
        if value is not None:
            value = collapse_rfc2231_value(value)
            decoded = decode_words(value)
            if has_card_number(value) or has_card_number(decoded):
                masked = mask_card_numbers(decoded)[0]
                part.set_param(param, masked, header=header,
                               charset=None if masked.isascii() else "utf-8")
                found = True
    items = part.items()
    kept: list[tuple[str, str]] = []
    for name, value in items:
        text, masked = mask_card_numbers(str(value))
        decoded = decode_words(text)
        if has_card_number(decoded):  # hidden by RFC 2047 encoding
            text, masked = Header(mask_card_numbers(decoded)[0], "utf-8").encode(), True
        kept.append((name, text))
        found = found or masked
    if found:
        for name in {n.lower() for n, _ in items}:
            del part[name]
        for name, text in kept:
            part[name] = text
    return found


def _set_text_payload(part: Message, data: bytes) -> None:
    del part["Content-Transfer-Encoding"]
    part.set_payload(data)
    encoders.encode_base64(part)


def _replace_with_marker(part: Message) -> None:
    del part["Content-Transfer-Encoding"]
    del part[REMOVED_HEADER]
    name = part.get_filename()
    del part["Content-Type"]
    part["Content-Type"] = 'text/plain; charset="us-ascii"'
    if name and part.get_filename() is None:
        charset = None if name.isascii() else "utf-8"
        if part.get("Content-Disposition"):
            part.set_param("filename", name, header="Content-Disposition", charset=charset)
        else:
            part.add_header("Content-Disposition", "attachment",
                            filename=name if charset is None else (charset, "", name))
    part[REMOVED_HEADER] = "contained a card number"
    part.set_payload(REMOVED)


def _scrub_leaf(part: Message) -> bool:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = str(part.get_payload()).encode("latin-1", "replace")
    if not isinstance(payload, bytes):
        return False
    ctype, name = part.get_content_type(), part.get_filename()
    if is_text(ctype, name):
        data = _mask_bytes_as_text(payload, part.get_content_charset(),
                                   markup=is_markup(ctype, name))
        if data is not None:
            if data != payload:
                _set_text_payload(part, data)
                return True
            return False
    elif not has_card_in_bytes(payload):
        return False
    _replace_with_marker(part)
    return True


def _scrub_tree(msg: Message) -> bool:
    found = False
    for part in msg.walk():
        found = _scrub_headers(part) or found
        if part.is_multipart():
            for attr in ("preamble", "epilogue"):
                value = getattr(part, attr, None)
                if value:
                    masked, changed = mask_card_numbers(value)
                    if changed:
                        setattr(part, attr, masked)
                        found = True
            continue
        found = _scrub_leaf(part) or found
    return found


def _flatten(msg: Message, *, crlf: bool) -> bytes:
    out = io.BytesIO()
    policy = compat32.clone(linesep="\r\n") if crlf else compat32
    BytesGenerator(out, mangle_from_=False, policy=policy).flatten(msg)
    return out.getvalue()


def _leaks(raw: bytes) -> bool:
    """Whether a card number can still be read in a stored message, decoded part by part."""
    if has_card_in_bytes(raw):
        return True
    msg = email.message_from_bytes(raw, policy=compat32)
    for part in msg.walk():
        if any(has_card_number(decode_words(str(v))) for v in part.values()):
            return True
        if part.is_multipart():
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            continue
        if isinstance(payload, bytes):
            text, _ = decode_bytes_as(payload, part.get_content_charset())
            if has_card_number(text) or has_card_in_bytes(payload):
                return True
            if is_markup(part.get_content_type(), part.get_filename()) and any(
                    has_card_number(v) for v in _markup_views(text)):
                return True
    return False


def scrub_raw(raw: bytes) -> tuple[bytes | None, bool]:
    """The raw message as it may be stored, and whether a card number was found in it.

    None when it can't be made safe: nothing is stored then, rather than a card number.
    (MIME boundaries and Message-IDs made of long random numbers can look like a card too; they
    are masked like the rest, consistently, so the stored message still parses.)
    """
    found = read = False
    out = raw
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
        if _scrub_tree(msg):
            found = True
            out = _flatten(msg, crlf=b"\r\n" in raw[:4096])
        read = True
    except Exception:  # the masked bytes below are all that can be kept
        log.warning("a message could not be rebuilt to mask card numbers", exc_info=True)
    # Latin-1 maps bytes to characters one to one, so this never corrupts the rest.
    text, masked = mask_card_numbers(out.decode("latin-1"))
    if masked:
        out, found = text.encode("latin-1"), True
    try:
        # Read back what would be stored. When nothing was found, every part has been read
        # already: only the message as a whole is left.
        if _leaks(out) if found or not read else has_card_in_bytes(out):
            return None, True
    except Exception:
        log.warning("a stored message could not be checked for card numbers", exc_info=True)
        return None, found
    return out, found
