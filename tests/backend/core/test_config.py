import pytest
from pydantic import ValidationError

from backend.core.config import DEV_SECRET_KEY, DEV_SERVICE_TOKEN, Settings


def test_development_runs_on_shipped_defaults():
    s = Settings(_env_file=None, ENVIRONMENT="development")
    assert s.SERVICE_TOKEN == DEV_SERVICE_TOKEN and s.is_sqlite


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("missing", ["SECRET_KEY", "SERVICE_TOKEN"])
def test_default_secrets_are_refused_outside_development(environment, missing):
    values = {"SECRET_KEY": "x" * 40, "SERVICE_TOKEN": "real-token"}
    values[missing] = DEV_SECRET_KEY if missing == "SECRET_KEY" else DEV_SERVICE_TOKEN
    with pytest.raises(ValidationError, match=missing):
        Settings(_env_file=None, ENVIRONMENT=environment, **values)


def test_short_secret_key_is_refused():
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(_env_file=None, ENVIRONMENT="production", SECRET_KEY="short",
                 SERVICE_TOKEN="real-token")


def test_postgres_urls_use_psycopg3():
    s = Settings(_env_file=None, DATABASE_URL="postgresql://u@h:5432/db")
    assert s.database_url == "postgresql+psycopg://u@h:5432/db" and not s.is_sqlite
