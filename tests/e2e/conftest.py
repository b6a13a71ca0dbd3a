"""The whole assistant running for real: backend, action server and a Rasa server on our model."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils.stack import ROOT, Stack, start_stack


@pytest.fixture(scope="session")
def model() -> Path:
    # scripts/train returns at once when the model for these inputs is already cached.
    out = subprocess.run([str(ROOT / "scripts" / "train")], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_stack(tmp_path_factory.mktemp("stack"), model=model) as running:
        yield running
