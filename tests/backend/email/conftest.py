"""A real backend app with its SMTP inbox on a free port, and a real capturing SMTP relay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from tests.utils.db import make_test_settings, prepare, throwaway_database
from tests.utils.mail import Relay, running_relay
from tests.utils.stack import free_port

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def relay() -> Iterator[Relay]:
    with running_relay() as capture:
        yield capture


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
def inbox(email_db: Settings, relay: Relay) -> Iterator[TestClient]:
    settings = email_settings(email_db, relay_port=relay.port)
    with TestClient(create_app(settings)) as client:
        yield client
