"""A real backend app with its SMTP inbox on a free port, and a real capturing SMTP relay."""

from __future__ import annotations

import email
import time
from collections.abc import Iterator
from email.message import Message
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from tests.utils.db import make_test_settings, prepare, throwaway_database
from tests.utils.stack import free_port

SAMPLES = Path(__file__).parent / "samples"


class Capture:
    """An SMTP relay that keeps what it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content or envelope.content))
        return "250 OK"

    def messages(self) -> list[Message]:
        return [email.message_from_bytes(raw, policy=default) for _, _, raw in self.received]

    def wait_for(self, n: int, timeout: float = 10) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.received) >= n, f"relay got {len(self.received)} of {n} messages"
        return self.messages()


@pytest.fixture
def relay() -> Iterator[Capture]:
    capture = Capture()
    controller = Controller(capture, hostname="127.0.0.1", port=free_port())
    controller.start()
    capture.port = controller.port  # type: ignore[attr-defined]
    try:
        yield capture
    finally:
        controller.stop()


def email_settings(base: Settings, *, relay_port: int, **extra: object) -> Settings:
    return base.model_copy(update={
        "SMTP_LISTEN_PORT": free_port(), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": relay_port,
        "OUTBOX_INTERVAL": 0.2, "OUTBOX_BACKOFF_SECONDS": 0.2, "EMAIL_MAX_BYTES": 200_000,
        **extra})


@pytest.fixture(scope="module")
def email_db(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    tmp = tmp_path_factory.mktemp(f"email-{db_kind}")
    with throwaway_database(db_kind, tmp) as url:
        settings = make_test_settings(database_url=url, data_dir=tmp)
        prepare(settings, n_accounts=5)
        yield settings


@pytest.fixture
def inbox(email_db: Settings, relay: Capture) -> Iterator[TestClient]:
    settings = email_settings(email_db, relay_port=relay.port)  # type: ignore[attr-defined]
    with TestClient(create_app(settings)) as client:
        yield client
