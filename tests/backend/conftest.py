"""Backend fixtures. Database-backed tests run once on SQLite and once on PostgreSQL."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.core.config import Settings
from backend.main import create_app
from tests.utils.db import prepare, make_test_settings, throwaway_database

@pytest.fixture(scope="session")
def seeded_settings(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A migrated database with the full demo district, shared by read-mostly tests."""
    tmp = tmp_path_factory.mktemp(f"db-{db_kind}")
    with throwaway_database(db_kind, tmp) as url:
        settings = make_test_settings(database_url=url, data_dir=tmp)
        prepare(settings)
        yield settings


@pytest.fixture(scope="session")
def client(seeded_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(seeded_settings)) as c:
        yield c


@pytest.fixture
def fresh_client(db_kind: str, tmp_path: Path) -> Iterator[TestClient]:
    """Its own small seeded database, for tests that change the fixed accounts."""
    with throwaway_database(db_kind, tmp_path) as url:
        settings = make_test_settings(database_url=url, data_dir=tmp_path)
        prepare(settings, n_accounts=5)
        with TestClient(create_app(settings)) as c:
            yield c
