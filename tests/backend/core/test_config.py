import pytest
from pydantic import ValidationError

from backend.core.config import (DEV_HUB_TOKEN, DEV_RASA_TOKEN, DEV_SECRET_KEY, DEV_SERVICE_TOKEN,
                                 Settings)


def test_development_runs_on_shipped_defaults():
    s = Settings(_env_file=None, ENVIRONMENT="development")
    assert s.SERVICE_TOKEN == DEV_SERVICE_TOKEN and s.is_sqlite


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("missing", ["SECRET_KEY", "SERVICE_TOKEN", "HUB_TOKEN", "RASA_TOKEN"])
def test_default_secrets_are_refused_outside_development(environment, missing):
    values = {"SECRET_KEY": "x" * 40, "SERVICE_TOKEN": "real-token", "HUB_TOKEN": "real-hub-token",
              "RASA_TOKEN": "real-rasa-token"}
    values[missing] = {"SECRET_KEY": DEV_SECRET_KEY, "SERVICE_TOKEN": DEV_SERVICE_TOKEN,
                       "HUB_TOKEN": DEV_HUB_TOKEN, "RASA_TOKEN": DEV_RASA_TOKEN}[missing]
    with pytest.raises(ValidationError, match=missing):
        Settings(_env_file=None, ENVIRONMENT=environment, **values)


def test_short_secret_key_is_refused():
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(_env_file=None, ENVIRONMENT="production", SECRET_KEY="short",
                 SERVICE_TOKEN="real-token", HUB_TOKEN="real-hub-token",
                 RASA_TOKEN="real-rasa-token")


def test_postgres_urls_use_psycopg3():
    s = Settings(_env_file=None, DATABASE_URL="postgresql://u@h:5432/db")
    assert s.database_url == "postgresql+psycopg://u@h:5432/db" and not s.is_sqlite


def test_a_set_clock_is_refused_in_production_and_must_be_an_instant(monkeypatch):
    monkeypatch.setenv("WATERDESK_NOW", "2026-12-02T17:00:00Z")
    assert Settings(_env_file=None, ENVIRONMENT="development").ENVIRONMENT == "development"
    with pytest.raises(ValidationError, match="WATERDESK_NOW"):
        Settings(_env_file=None, ENVIRONMENT="production")
    monkeypatch.setenv("WATERDESK_NOW", "2026-12-02 17:00")  # no offset: which 17:00?
    with pytest.raises(ValidationError, match="WATERDESK_NOW"):
        Settings(_env_file=None, ENVIRONMENT="development")
    monkeypatch.delenv("WATERDESK_NOW")
    with pytest.raises(ValidationError) as refused:  # the shipped secrets, and nothing else
        Settings(_env_file=None, ENVIRONMENT="production")
    assert "WATERDESK_NOW" not in str(refused.value)
