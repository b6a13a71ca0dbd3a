"""One Settings object for the backend, read from the environment (and .env)."""

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import computed_field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common import clock

REPO_ROOT = Path(__file__).resolve().parents[2]

# Shipped defaults exist so a first run works; they are refused outside development.
DEV_SECRET_KEY = "dev-only-secret-key-change-me-0123456789"
DEV_SERVICE_TOKEN = "dev-only-service-token"
DEV_HUB_TOKEN = "dev-only-hub-token"
DEV_RASA_TOKEN = "dev-only-rasa-token"


# A CSP source expression: 'self', 'none', a scheme ("https:") or a host with optional scheme,
# wildcard subdomain, port and path.
_CSP_SOURCE = re.compile(r"'self'|'none'|[a-z][a-z0-9+.-]*:|(?:[a-z][a-z0-9+.-]*://)?"
                         r"(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(?:\d{1,5}|\*))?"
                         r"(?:/[a-z0-9._~%!$&()*+=:@/-]*)?", re.IGNORECASE)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=REPO_ROOT / ".env", env_ignore_empty=True, extra="ignore"
    )

    ENVIRONMENT: Literal["development", "test", "production"] = "development"
    PROJECT_NAME: str = "WaterDesk"
    API_V1_STR: str = "/api/v1"
    # Where customers reach the site: links in emails (signed chat links, ratings, opt-outs).
    PUBLIC_URL: str = "http://127.0.0.1:8000"

    SECRET_KEY: str = DEV_SECRET_KEY
    SERVICE_TOKEN: str = DEV_SERVICE_TOKEN
    # What the hub presents to Rasa's REST channel (X-Hub-Token; bot/credentials.yml).
    HUB_TOKEN: str = DEV_HUB_TOKEN
    # Rasa's HTTP API token (rasa run --auth-token): the hub resets the bot's state through it.
    RASA_TOKEN: str = DEV_RASA_TOKEN
    VERIFICATION_TOKEN_MINUTES: int = 60
    # A rep's console session: one shift plus overtime.
    REP_TOKEN_MINUTES: int = 10 * 60

    DATA_DIR: Path = REPO_ROOT / "var"
    DATABASE_URL: str | None = None
    DB_POOL_SIZE: int = 10
    DISTRICT_FILE: Path | None = None
    REDIS_URL: str | None = None
    # The Redis pub/sub channel Socket.IO fans out on; backends of one deployment share it.
    SOCKETIO_CHANNEL: str = "waterdesk-socketio"
    # Other websites allowed to open the chat socket (comma-separated origins), besides this
    # backend's own; "*" allows any, without credentials. Empty: same origin only.
    WIDGET_ORIGINS: str = ""

    # The Rasa server the hub forwards customer messages to (REST channel), and how long to wait.
    # Several Rasa processes: a comma-separated list; each conversation sticks to one of them.
    RASA_URL: str = "http://127.0.0.1:5005"
    RASA_TIMEOUT: float = 15.0
    # Messages in flight per Rasa process; the rest wait their turn, up to RASA_QUEUE_TIMEOUT.
    # A turn spends much of its time waiting on the action server, so a process keeps several
    # in hand: 8 gave 36.6 msg/s at 50 conversations against 26.5 with 2 (bench/README.md).
    RASA_CONCURRENCY: int = 8
    RASA_QUEUE_TIMEOUT: float = 60.0

    # The queue's expected-wait estimate: minutes a rep spends on one conversation.
    AVERAGE_HANDLE_MINUTES: float = 6.0
    # Demo reps are seeded with these passwords in development and test only.
    SEED_DEMO_REPS: bool = True

    # Largest request body the API accepts; chat and API payloads are small.
    MAX_BODY_BYTES: int = 256 * 1024

    # Rep sign-ins: failures allowed per account and per client address within the window; past
    # either limit the login answers 429 with Retry-After, even to the right password.
    LOGIN_MAX_FAILURES: int = 5
    LOGIN_MAX_FAILURES_PER_IP: int = 20
    LOGIN_WINDOW_MINUTES: int = 15
    # Sites that may show WaterDesk's pages in a frame: CSP frame-ancestors sources, e.g.
    # "'self' https://www.district.example". "'none'" forbids framing altogether.
    FRAME_ANCESTORS: str = "'self'"

    # Email channel (backend/email): the inbox listener (port 0 disables it), the relay for
    # outbound mail, and the outbox that retries it.
    SMTP_LISTEN_HOST: str = "127.0.0.1"
    SMTP_LISTEN_PORT: int = 2525
    SMTP_HOST: str = "localhost"
    SMTP_PORT: int = 1025
    SMTP_TIMEOUT: float = 20.0
    EMAIL_DOMAIN: str = "smwd.example.com"
    EMAIL_INBOX: str = "inbox"
    EMAIL_FROM_NAME: str = "Santa Margarita Water District"
    EMAIL_MAX_BYTES: int = 10 * 1024 * 1024
    EMAIL_REPLIES_PER_HOUR: int = 10
    # The sender's address counts as a verification factor only when it was authenticated:
    # by an Authentication-Results header (SPF, DKIM or DMARC pass for the From domain) from one
    # of these relays (their authserv-ids, comma-separated), or by a relay that accepts only
    # authenticated mail (EMAIL_RELAY_AUTHENTICATES=true). Otherwise email verifies like chat.
    EMAIL_TRUSTED_AUTHSERV_IDS: str = ""
    EMAIL_RELAY_AUTHENTICATES: bool = False
    OUTBOX_INTERVAL: float = 5.0
    OUTBOX_MAX_ATTEMPTS: int = 8
    OUTBOX_BACKOFF_SECONDS: float = 30.0

    # Scheduled jobs (python -m backend.jobs): the leak scan runs once a district day from this
    # local hour; the scheduler looks every JOBS_TICK_SECONDS (a failed run is tried again then).
    LEAK_ALERT_HOUR: int = 7  # 0-23
    # Off for a district whose meters report no overnight flow, or to pause the alerts.
    LEAK_ALERTS: bool = True
    JOBS_TICK_SECONDS: float = 60.0

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
    def rasa_urls(self) -> list[str]:
        return [u.strip().rstrip("/") for u in self.RASA_URL.split(",") if u.strip()]

    @property
    def email_trusted_authserv_ids(self) -> list[str]:
        return [i.strip() for i in self.EMAIL_TRUSTED_AUTHSERV_IDS.split(",") if i.strip()]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @field_validator("FRAME_ANCESTORS")
    @classmethod
    def _frame_sources(cls, value: str) -> str:
        # The value goes into a header verbatim, so only plain CSP source expressions pass.
        sources = value.replace(",", " ").split()
        for source in sources:
            if not _CSP_SOURCE.fullmatch(source):
                raise ValueError(f"FRAME_ANCESTORS: {source!r} is not a CSP source expression")
        if not sources or ("'none'" in sources and len(sources) > 1):
            raise ValueError("FRAME_ANCESTORS: give sources, or 'none' on its own")
        return " ".join(sources)

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> "Settings":
        # WATERDESK_NOW sets the clock for tests (common.clock); a bad value fails here, at start.
        if clock.env_instant() is not None and self.ENVIRONMENT == "production":
            raise ValueError(f"{clock.ENV} sets the clock for tests; unset it for production")
        if len(self.SECRET_KEY.encode()) < 32:
            raise ValueError("SECRET_KEY must be at least 32 bytes for HS256 signing")
        if self.ENVIRONMENT != "development":
            for name, default in (
                ("SECRET_KEY", DEV_SECRET_KEY),
                ("SERVICE_TOKEN", DEV_SERVICE_TOKEN),
                ("HUB_TOKEN", DEV_HUB_TOKEN),
                ("RASA_TOKEN", DEV_RASA_TOKEN),
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
