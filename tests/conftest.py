"""Fixtures for the whole suite."""

import pytest

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=DATABASES)
def db_kind(request: pytest.FixtureRequest) -> str:
    """Database-backed tests run once on SQLite and once on PostgreSQL."""
    return request.param  # type: ignore[no-any-return]
