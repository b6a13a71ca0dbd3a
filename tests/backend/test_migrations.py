"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import backend.models  # noqa: F401
from backend.core.db import make_engine
from backend.prestart import upgrade_database
from tests.utils.db import make_test_settings, throwaway_database


def test_migrations_match_the_models(db_kind, tmp_path):
    with throwaway_database(db_kind, tmp_path) as url:
        engine = make_engine(make_test_settings(database_url=url, data_dir=tmp_path))
        try:
            upgrade_database(engine)
            upgrade_database(engine)  # a second run is a no-op
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        finally:
            engine.dispose()
    assert diff == []
