"""Fixtures for the whole suite.

The suite runs in two interpreters: the backend's (Python 3.12) and the bot's (Python 3.10,
Rasa). Each collects only the tests its packages can import.
"""

import importlib.util
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IN_BOT_ENV = importlib.util.find_spec("rasa_sdk") is not None
collect_ignore = ["backend", "scripts", "e2e"] if IN_BOT_ENV else ["actions", "bot"]

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=DATABASES)
def db_kind(request: pytest.FixtureRequest) -> str:
    """Database-backed tests run once on SQLite and once on PostgreSQL."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def model() -> Path:
    """The trained bot. scripts/train returns at once when these inputs were trained before."""
    out = subprocess.run([str(ROOT / "scripts" / "train")], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=1200)
    return Path(out.stdout.strip().splitlines()[-1])
