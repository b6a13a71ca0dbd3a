"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import Session

from backend.crud.reps import seed_demo_reps
from backend.core.config import Settings
from backend.core.db import make_engine
from backend.domain.district import load_district
from backend.prestart import upgrade_database
from backend.seed.generator import seed_demo
from common import clock

PG_ADMIN_URL = os.environ.get(
    "WATERDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_SECRET_KEY = "test-secret-key-for-the-suite-0123456789abcdef"
TEST_SERVICE_TOKEN = "test-service-token-5b1d"
TEST_HUB_TOKEN = "test-hub-token-0123456789"
TEST_RASA_TOKEN = "test-rasa-token-0123456789"


def make_test_settings(*, database_url: str, data_dir: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        ENVIRONMENT="test", SECRET_KEY=TEST_SECRET_KEY, SERVICE_TOKEN=TEST_SERVICE_TOKEN,
        HUB_TOKEN=TEST_HUB_TOKEN, RASA_TOKEN=TEST_RASA_TOKEN,
        DATABASE_URL=database_url, DATA_DIR=data_dir,
        # Nothing listens on port 9: in-process API tests see the bot as unavailable.
        RASA_URL="http://127.0.0.1:9", RASA_TIMEOUT=2,
        # In-process apps don't open the SMTP inbox; email tests pick a free port themselves.
        SMTP_LISTEN_PORT=0,
    )


@contextmanager
def throwaway_database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'waterdesk.sqlite3'}"
        return
    name = f"wd_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def district_today(settings: Settings) -> date:
    district = load_district(settings.DISTRICT_FILE)
    return clock.today(district.tz)


def prepare(settings: Settings, *, n_accounts: int = 500) -> None:
    """Migrate and seed, as the run command's prestart does."""
    engine = make_engine(settings)
    try:
        upgrade_database(engine)
        with Session(engine) as session:
            seed_demo(session=session, today=district_today(settings),
                      district=load_district(settings.DISTRICT_FILE), n_accounts=n_accounts)
            seed_demo_reps(session=session)
    finally:
        engine.dispose()
