"""Auto-replies, bounces and mail loops: stored like any message, never answered (RFC 3834)."""

from __future__ import annotations

from email.message import Message
from email.utils import parseaddr

# Our own outbound mail carries this header; seeing it inbound means our mail came back round.
LOOP_HEADER = "X-WaterDesk-Loop"
_ROBOT_LOCALS = ("mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply",
                 "donotreply", "bounce", "bounces")


def auto_reason(msg: Message, *, from_address: str, envelope_from: str | None,
                our_domain: str) -> str | None:
    """Why this message must not be answered, or None when a person wrote it."""
    get = lambda name: str(msg.get(name) or "").strip().lower()  # noqa: E731
    if msg.get(LOOP_HEADER) is not None:
        return "loop_header"
    local, _, domain = from_address.lower().partition("@")
    if domain == our_domain.lower():
        return "our_address"
    auto_submitted = get("Auto-Submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return "auto_submitted"
    precedence = get("Precedence")
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"precedence_{precedence}"
    if msg.get("X-Autoreply") is not None or msg.get("X-Autorespond") is not None:
        return "x_autoreply"
    if get("X-Auto-Response-Suppress") in ("all", "oof", "autoreply"):
        return "auto_response_suppress"
    if msg.get("List-Id") is not None or msg.get("List-Unsubscribe") is not None:
        return "mailing_list"
    if local.split("+")[0] in _ROBOT_LOCALS:
        return "robot_sender"
    if msg.get_content_type() == "multipart/report" or get("Content-Type").startswith(
            "multipart/report"):
        return "delivery_report"
    return_path = msg.get("Return-Path")
    if return_path is not None and parseaddr(str(return_path))[1] == "" and "<>" in str(return_path):
        return "null_return_path"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "null_envelope_sender"
    return None
