"""The whole assistant running for real: backend, action server and a Rasa server on our model."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.stack import Stack, start_stack


@pytest.fixture(scope="session")
def stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_stack(tmp_path_factory.mktemp("stack"), model=model) as running:
        yield running
