"""Brings the database to the latest schema and seeds the demo district on first start."""

import logging
import os
import sys
from datetime import date
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

from backend.core.config import get_settings
from backend.core.db import get_engine
from common import clock

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"


def upgrade_database(engine: Engine) -> None:
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def seed_if_empty(engine: Engine, *, today: date | None = None) -> str:
    from backend.domain.district import load_district
    from backend.seed.generator import seed_demo

    district = load_district(get_settings().DISTRICT_FILE)
    if today is None:
        override = os.environ.get("WATERDESK_SEED_TODAY")
        today = date.fromisoformat(override) if override else clock.today(district.tz)
    with Session(engine) as session:
        report = seed_demo(session=session, today=today, district=district)
    return str(report)


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    engine = get_engine()
    upgrade_database(engine)
    print(f"[prestart] database at {engine.url.render_as_string(hide_password=True)} is up to date")
    if "--no-seed" not in sys.argv:
        print(f"[prestart] {seed_if_empty(engine)}")
        settings = get_settings()
        if settings.SEED_DEMO_REPS and settings.ENVIRONMENT != "production":
            from backend.crud.reps import seed_demo_reps

            with Session(engine) as session:
                if seed_demo_reps(session=session):
                    print("[prestart] seeded the demo reps (see docs/hub-protocol.md)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
