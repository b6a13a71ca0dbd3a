"""The district inbox as a real SMTP server (aiosmtpd), on the backend's own event loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SMTPSession

from backend.email.inbound import EmailChannel, TooLarge, receive
from backend.models.email import InboundStatus

log = logging.getLogger("waterdesk.email.smtpd")


class InboxHandler:
    def __init__(self, channel: EmailChannel) -> None:
        self.channel = channel
        self.domain = channel.settings.EMAIL_DOMAIN.lower()

    async def handle_RCPT(self, server: SMTP, session: SMTPSession, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        # Only the district's own addresses: this is an inbox, never a relay.
        if address.rpartition("@")[2].lower() != self.domain:
            return "550 5.7.1 Relaying denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SMTPSession, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            outcome = await receive(self.channel, raw=raw, source="smtp",
                                    envelope_from=envelope.mail_from, rcpt_tos=envelope.rcpt_tos)
        except TooLarge as exc:
            return f"552 5.3.4 {exc}"
        except Exception:  # the raw message could not even be stored: let the sender retry
            log.exception("inbound SMTP message failed before it was stored")
            return "451 4.3.0 Temporary failure, please try again later"
        if outcome.status == InboundStatus.rejected:
            return f"550 5.6.0 Rejected: {outcome.error}"
        return "250 OK: message accepted"


async def start_listener(channel: EmailChannel) -> asyncio.Server | None:
    settings = channel.settings
    if not settings.SMTP_LISTEN_PORT:
        return None
    handler = InboxHandler(channel)
    loop = asyncio.get_running_loop()

    def factory() -> Any:
        return SMTP(handler, hostname=settings.EMAIL_DOMAIN, ident="WaterDesk inbox",
                    data_size_limit=settings.EMAIL_MAX_BYTES, decode_data=False,
                    enable_SMTPUTF8=True)

    try:
        server = await loop.create_server(factory, host=settings.SMTP_LISTEN_HOST,
                                          port=settings.SMTP_LISTEN_PORT)
    except OSError as exc:
        # Another backend process already listens there; the outbox still runs in this one.
        log.warning("SMTP listener not started on %s:%s: %s", settings.SMTP_LISTEN_HOST,
                    settings.SMTP_LISTEN_PORT, exc)
        return None
    log.info("SMTP inbox listening on %s:%s", settings.SMTP_LISTEN_HOST,
             settings.SMTP_LISTEN_PORT)
    return server


async def stop_listener(server: asyncio.Server | None) -> None:
    if server is not None:
        server.close()
        try:
            await asyncio.wait_for(server.wait_closed(), timeout=5)
        except TimeoutError:
            pass
