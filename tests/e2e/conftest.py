"""The whole assistant running for real: backend, action server and a Rasa server on our model,
with the backend's inbox open and its outbox pointed at a capturing SMTP relay."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.mail import Relay, running_relay
from tests.utils.stack import Stack, free_port, start_stack


@pytest.fixture(scope="session")
def relay() -> Iterator[Relay]:
    with running_relay() as capture:
        yield capture


@pytest.fixture(scope="session")
def stack(model: Path, relay: Relay, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    inbox = free_port()
    env = {"SMTP_LISTEN_PORT": str(inbox), "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(relay.port), "OUTBOX_INTERVAL": "0.5"}
    with start_stack(tmp_path_factory.mktemp("stack"), model=model, extra_env=env) as running:
        yield running
