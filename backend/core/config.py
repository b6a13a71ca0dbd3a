"""One Settings object for the backend, read from the environment (and .env)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import computed_field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]

# Shipped defaults exist so a first run works; they are refused outside development.
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789"
DEV_SERVICE_TOKEN = "dev-only-service-token"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=REPO_ROOT / ".env", env_ignore_empty=True, extra="ignore"
    )

    ENVIRONMENT: Literal["development", "test", "production"] = "development"
    PROJECT_NAME: str = "WaterDesk"
    API_V1_STR: str = "/api/v1"

    SECRET_KEY: str = DEV_SECRET_KEY
    SERVICE_TOKEN: str = DEV_SERVICE_TOKEN
    VERIFICATION_TOKEN_MINUTES: int = 60

    DATA_DIR: Path = REPO_ROOT / "var"
    DATABASE_URL: str | None = None
    DB_POOL_SIZE: int = 10
    DISTRICT_FILE: Path | None = None
    REDIS_URL: str | None = None

    # The Rasa server the hub forwards customer messages to (REST channel), and how long to wait.
    RASA_URL: str = "http://127.0.0.1:5005"
    RASA_TIMEOUT: float = 15.0

    # Largest request body the API accepts; chat and API payloads are small.
    MAX_BODY_BYTES: int = 256 * 1024

    @computed_field  # type: ignore[prop-decorator]
    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            url = self.DATABASE_URL
            # Accept the common "postgresql://" spelling and use psycopg 3.
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{self.DATA_DIR / 'waterdesk.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> "Settings":
        if len(self.SECRET_KEY.encode()) < 32:
            raise ValueError("SECRET_KEY must be at least 32 bytes for HS256 signing")
        if self.ENVIRONMENT != "development":
            for name, default in (
                ("SECRET_KEY", DEV_SECRET_KEY),
                ("SERVICE_TOKEN", DEV_SERVICE_TOKEN),
            ):
                if getattr(self, name) == default:
                    raise ValueError(
                        f"{name} still has its development default; "
                        f"set {name} for ENVIRONMENT={self.ENVIRONMENT}"
                    )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
