"""Raw MIME to what the assistant needs: sender, threading headers, readable text, attachments.

Parsed with the lenient compat32 policy so broken mail still yields something; charsets that are
unknown or wrong fall back to UTF-8 and then Windows-1252, never to an exception.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser


class MalformedEmail(ValueError):
    """The message can't be handled: no sender, or not a mail message at all."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    charset: str | None = None  # as the part declared it, for text attachments


@dataclass
class ParsedEmail:
    message: Message = field(repr=False)
    from_name: str
    from_address: str
    to_addresses: list[str]
    subject: str
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    text: str  # the whole readable body
    reply_text: str  # what the customer wrote this time: quotes and signature removed
    attachments: list[Attachment]

    def header(self, name: str) -> str:
        return decode_words(self.message.get(name))


def decode_words(value: object) -> str:
    """An RFC 2047 header as text, whatever charset it claims."""
    if value is None:
        return ""
    out = []
    try:
        chunks = decode_header(str(value))
    except Exception:  # a malformed encoded word: keep the header as written
        return " ".join(str(value).split())
    for chunk, charset in chunks:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return " ".join("".join(out).split())


def decode_bytes(data: bytes, charset: str | None) -> str:
    return decode_bytes_as(data, charset)[0]


def decode_bytes_as(data: bytes, charset: str | None) -> tuple[str, str]:
    """(text, the codec that read it): encoding the text with that codec gives `data` back."""
    # ISO-8859-1 labels usually mean Windows-1252 (curly quotes, euro sign), as browsers assume.
    candidates = []
    if charset:
        cs = charset.strip().strip('"').lower()
        candidates.append("cp1252" if cs in ("iso-8859-1", "latin-1", "latin1", "us-ascii") else cs)
    candidates += ["utf-8", "cp1252"]
    for cs in candidates:
        try:
            return data.decode(cs), cs
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1"), "latin-1"  # never fails


def message_ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


class _TextFromHTML(HTMLParser):
    """Readable text from HTML: tags dropped, scripts and styles skipped, quoted blocks left out."""

    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
             "ul", "ol", "hr", "section", "article", "header", "footer"}
    SKIP = {"script", "style", "head", "title", "template", "noscript"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "blockquote":
            self.quote += 1  # a quoted earlier message; strip_reply cuts its "On ... wrote:"
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip and not self.quote:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextFromHTML()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is belt and braces
        pass
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Where the quoted part of a reply begins; everything from there on is dropped.
_CUT = [re.compile(p, re.I) for p in (
    r"^on\b.{0,300}\bwrote:\s*$",
    r"^el\b.{0,300}\bescribi[óo]:\s*$",
    r"^-{2,}\s*(original message|mensaje original)\s*-{2,}\s*$",
    r"^_{10,}\s*$",
    r"^(sent from|enviado desde)\s+(my|mi)\b.{0,60}$",
    r"^get outlook for\b.{0,40}$",
    r"^obtener outlook para\b.{0,40}$",
)]
_HEADER_BLOCK = re.compile(r"^\*?(from|de):\*?\s", re.I)
_HEADER_NEXT = re.compile(r"^\*?(sent|to|subject|date|enviado|para|asunto|fecha|cc):\*?\s", re.I)


def strip_reply(text: str) -> str:
    """What the customer wrote this time, without the quoted message or the signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        s = line.strip()
        if line.rstrip() == "--" or line == "-- ":
            break  # the signature separator
        two = f"{s} {lines[i + 1].strip()}" if i + 1 < len(lines) else s
        if any(p.match(s) or p.match(two) for p in _CUT[:2]) or any(p.match(s) for p in _CUT[2:]):
            break
        if _HEADER_BLOCK.match(s) and any(_HEADER_NEXT.match(n.strip()) for n in lines[i + 1:i + 4]):
            break  # an Outlook-style "From: / Sent: / To:" block starts the quoted mail
        if s.startswith(">"):
            continue
        kept.append(line.rstrip())
    result = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", result)


def _body_and_attachments(msg: Message) -> tuple[str, list[Attachment]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        raw_name = part.get_filename()
        try:
            payload = part.get_payload(decode=True) or b""
        except Exception:  # a broken transfer encoding: keep what is there
            payload = str(part.get_payload()).encode("utf-8", "replace")
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not raw_name:
            text = decode_bytes(payload, part.get_content_charset())
            (plain if ctype == "text/plain" else html).append(text)
            continue
        if ctype == "message/rfc822" and not payload:
            inner = part.get_payload()
            payload = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
        name = decode_words(raw_name) if raw_name else ""
        # Names come from strangers: no paths, no control characters.
        name = re.sub(r"[\x00-\x1f/\\]", "_", name).strip(". ")[:255] or "attachment"
        attachments.append(Attachment(filename=name, content_type=ctype[:127], data=payload,
                                      charset=part.get_content_charset()))
    # multipart/alternative: the plain part wins; HTML-only mail is converted.
    body = "\n\n".join(p for p in plain if p.strip())
    if not body.strip() and html:
        body = "\n\n".join(html_to_text(h) for h in html)
    return body.replace("\r\n", "\n").strip(), attachments


def parse(raw: bytes) -> ParsedEmail:
    if not raw or not raw.strip():
        raise MalformedEmail("the message is empty")
    try:
        msg = email.message_from_bytes(raw, policy=compat32)
    except Exception as exc:  # compat32 rarely raises; treat anything as malformed
        raise MalformedEmail(f"the message could not be parsed: {exc}") from exc
    if not msg.keys():
        raise MalformedEmail("the message has no headers")
    name, address = parseaddr(decode_words(msg.get("From")))
    if not address or "@" not in address:
        raise MalformedEmail("the message has no From address")
    body, attachments = _body_and_attachments(msg)
    to = [a.lower() for _, a in getaddresses([decode_words(v) for v in msg.get_all("To", [])
                                              + msg.get_all("Cc", [])]) if a]
    mid = message_ids(str(msg.get("Message-ID") or ""))
    return ParsedEmail(
        message=msg, from_name=name, from_address=address.strip().lower(), to_addresses=to,
        subject=decode_words(msg.get("Subject"))[:300],
        message_id=mid[0][:500] if mid else None,
        in_reply_to=message_ids(str(msg.get("In-Reply-To") or "")),
        references=message_ids(str(msg.get("References") or "")),
        text=body, reply_text=strip_reply(body), attachments=attachments,
    )
