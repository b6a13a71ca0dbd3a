"""Delivery status notifications (RFC 3464): which of our recipients a bounce says failed.

Only permanent failures count (Action: failed, or a 5.x.x status): a "delayed" report means the
relay is still trying, and flagging the customer's address for it would be wrong."""

from __future__ import annotations

from email.message import Message
from email.utils import getaddresses, parseaddr


def is_report(msg: Message) -> bool:
    return msg.get_content_type() == "multipart/report"


def _address(value: object) -> str | None:
    # "rfc822; user@example.com" (the address type is optional in practice)
    text = str(value or "").strip()
    if ";" in text:
        kind, _, text = text.partition(";")
        if kind.strip().lower() not in ("rfc822", ""):
            return None
    address = parseaddr(text.strip())[1].strip().lower()
    return address if "@" in address else None


def _failed(block: Message) -> bool:
    action = str(block.get("Action") or "").strip().lower()
    status = str(block.get("Status") or "").strip()
    return action == "failed" or (not action and status.startswith("5"))


def _status_blocks(part: Message) -> list[Message]:
    """The header blocks of a message/delivery-status part (the first is per message)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, Message)]
    return []


def _original_to(part: Message) -> list[str]:
    """The To of the returned original (message/rfc822 or text/rfc822-headers)."""
    if part.get_content_type() == "message/rfc822":
        payload = part.get_payload()
        original = payload[0] if isinstance(payload, list) and payload else None
        values = original.get_all("To", []) if isinstance(original, Message) else []
    else:  # text/rfc822-headers: the headers as text
        from email import message_from_string

        body = part.get_payload(decode=True) or b""
        headers = message_from_string(body.decode("utf-8", "replace") if isinstance(body, bytes)
                                      else str(body))
        values = headers.get_all("To", [])
    return [a.lower() for _, a in getaddresses([str(v) for v in values]) if "@" in a]


def failed_recipients(msg: Message) -> list[str]:
    """The addresses a DSN reports as permanently failed: each Final-Recipient (or
    Original-Recipient) with Action failed; when the report has no per-recipient fields, the
    To of the original it returns. [] for anything that isn't a failure report."""
    if not is_report(msg):
        return []
    failed: list[str] = []
    reported = False
    originals: list[str] = []
    for part in msg.walk():
        kind = part.get_content_type()
        if kind in ("message/delivery-status", "message/global-delivery-status"):
            for block in _status_blocks(part):
                recipient = _address(block.get("Final-Recipient")) or _address(
                    block.get("Original-Recipient"))
                if recipient is None:
                    continue  # the per-message block
                reported = True
                if _failed(block) and recipient not in failed:
                    failed.append(recipient)
        elif kind in ("message/rfc822", "text/rfc822-headers") and not originals:
            originals = _original_to(part)
    if reported:
        return failed
    return list(dict.fromkeys(originals))


def status_code(msg: Message) -> str | None:
    """The first per-recipient Status (e.g. 5.1.1), for the account note."""
    for part in msg.walk():
        if part.get_content_type() in ("message/delivery-status",
                                       "message/global-delivery-status"):
            for block in _status_blocks(part):
                if block.get("Status"):
                    return str(block["Status"]).strip()[:20]
    return None
