"""Fixtures for the whole suite.

The suite runs in two interpreters: the backend's (Python 3.12) and the bot's (Python 3.10,
Rasa). Each collects only the tests its packages can import.
"""

import importlib.util
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from common import clock

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from backend.core.config import Settings
    from tests.utils.mail import Relay
    from tests.utils.stack import Stack

ROOT = Path(__file__).resolve().parents[1]
# The instant the suite runs at, whatever the real date: a Wednesday in December, 9 AM in the
# district (17:00 UTC is the same calendar day in UTC and in Los Angeles), with the office open.
# It is the day the suite first went red on the real date (today + 75 days is Presidents' Day
# 2027). WATERDESK_TEST_NOW runs the whole suite at another instant.
SUITE_NOW = os.environ.get("WATERDESK_TEST_NOW") or "2026-12-02T17:00:00Z"
IN_BOT_ENV = importlib.util.find_spec("rasa_sdk") is not None
collect_ignore = ["backend", "scripts", "e2e", "security"] if IN_BOT_ENV else ["actions", "bot"]

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that change the shared stack's demo accounts run after every other test."""
    items.sort(key=lambda item: item.get_closest_marker("changes_demo_accounts") is not None)


@pytest.fixture(scope="session", autouse=True)
def suite_clock() -> Iterator[None]:
    """Every test runs on a clock set to SUITE_NOW, never on the real date. It runs forward from
    there (backoffs and lockout windows still elapse), and the processes tests start get it
    through WATERDESK_NOW (common.clock.environ, passed by tests/utils/stack.py)."""
    with clock.frozen(SUITE_NOW, tick=True):
        yield


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


@pytest.fixture(scope="session")
def relay() -> Iterator["Relay"]:
    """A real SMTP relay that keeps what the backend's outbox sends (app env only)."""
    from tests.utils.mail import running_relay

    with running_relay() as capture:
        yield capture


@pytest.fixture(scope="session")
def partner_site() -> str:
    """Another website's origin, which the shared stack lets open the chat socket as a district
    lists its sites in WIDGET_ORIGINS (tests/e2e/browser/test_rasa_webchat.py serves a page
    there). localhost against the backend's 127.0.0.1: another origin on the same machine."""
    from tests.utils.stack import free_port

    return f"http://localhost:{free_port()}"


@pytest.fixture(scope="session")
def stack(model: Path, relay: "Relay", partner_site: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator["Stack"]:
    """The whole assistant running for real, shared by tests/e2e and tests/security: backend,
    action server and a Rasa server on our model, with the backend's inbox open, its outbox
    pointed at the relay, the test deployment's receiving relay trusted for SPF/DKIM, and the
    partner site allowed to open the chat socket."""
    from tests.utils.mail import TRUSTED_RELAY
    from tests.utils.stack import free_port, start_stack

    env = {"SMTP_LISTEN_PORT": str(free_port()), "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(relay.port), "OUTBOX_INTERVAL": "0.5",
           "EMAIL_TRUSTED_AUTHSERV_IDS": TRUSTED_RELAY, "WIDGET_ORIGINS": partner_site}
    with start_stack(tmp_path_factory.mktemp("stack"), model=model, extra_env=env) as running:
        yield running


# The backend's in-process apps, shared by tests/backend and tests/security (app env only).
@pytest.fixture(scope="session")
def seeded_settings(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator["Settings"]:
    """A migrated database with the full demo district, shared by read-mostly tests."""
    from tests.utils.db import make_test_settings, prepare, throwaway_database

    tmp = tmp_path_factory.mktemp(f"db-{db_kind}")
    with throwaway_database(db_kind, tmp) as url:
        settings = make_test_settings(database_url=url, data_dir=tmp)
        prepare(settings)
        yield settings


@pytest.fixture(scope="session")
def client(seeded_settings: "Settings") -> Iterator["TestClient"]:
    from fastapi.testclient import TestClient

    from backend.main import create_app

    with TestClient(create_app(seeded_settings)) as c:
        yield c


@pytest.fixture
def fresh_client(db_kind: str, tmp_path: Path) -> Iterator["TestClient"]:
    """Its own small seeded database, for tests that change the fixed accounts."""
    from fastapi.testclient import TestClient

    from backend.main import create_app
    from tests.utils.db import make_test_settings, prepare, throwaway_database

    with throwaway_database(db_kind, tmp_path) as url:
        settings = make_test_settings(database_url=url, data_dir=tmp_path)
        prepare(settings, n_accounts=5)
        with TestClient(create_app(settings)) as c:
            yield c
