"""A real SMTP relay for tests (aiosmtpd): it keeps whatever the backend's outbox sends."""

from __future__ import annotations

import email
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

from tests.utils.stack import free_port


INBOX = "inbox@smwd.example.com"
JAMES = "james.carter@example.com"  # on file for account 1000002 (backend/seed/fixed.py)
# The test deployment's receiving relay, whose Authentication-Results the backend trusts.
TRUSTED_RELAY = "mx.smwd.example.com"


def authenticated(sender: str = JAMES) -> str:
    """The Authentication-Results our trusted relay adds to mail that passed SPF and DKIM."""
    domain = sender.rsplit("@", 1)[1]
    return f"{TRUSTED_RELAY}; spf=pass smtp.mailfrom={sender}; dkim=pass header.d={domain}"


def mail(text: str, *, sender: str = JAMES, subject: str = "My bill", to: str = INBOX,
         **headers: str) -> EmailMessage:
    """A plain-text email to the district's inbox; header_name=... adds Header-Name."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    # Not make_msgid: its long random number sometimes holds a Luhn-valid run, which the inbox
    # rightly masks as a card number, and a test of unchanged mail then fails by chance.
    msg["Message-ID"] = f"<{secrets.token_urlsafe(18)}@example.com>"
    for k, v in headers.items():
        msg[k.replace("_", "-")] = v
    msg.set_content(text)
    return msg


class Relay:
    def __init__(self) -> None:
        # (envelope sender, recipients, raw message), in arrival order.
        self.received: list[tuple[str, list[str], bytes]] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content or envelope.content))
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=default)  # type: ignore[misc]
                for _, _, raw in self.received]

    def wait_for(self, n: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= n, f"relay got {len(self.received)} of {n} messages"
        return self.messages()

    def replies_to(self, message_id: str, *, wait: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if any(m["In-Reply-To"] == message_id for m in self.messages()):
                time.sleep(1.5)  # anything more would come right behind it
                break
            time.sleep(0.1)
        return [m for m in self.messages() if m["In-Reply-To"] == message_id]

    def sent_to(self, address: str, *, count: int = 1, wait: float = 30) -> list[EmailMessage]:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if sum(address in str(m["To"]) for m in self.messages()) >= count:
                break
            time.sleep(0.1)
        return [m for m in self.messages() if address in str(m["To"])]


@contextmanager
def running_relay() -> Iterator[Relay]:
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    relay.port = controller.port
    try:
        yield relay
    finally:
        controller.stop()
