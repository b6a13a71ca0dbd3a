"""The database engine and sessions. Created on first use, never at import."""

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

import anyio

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from backend.core.config import Settings, get_settings


def make_engine(settings: Settings) -> Engine:
    url = settings.database_url
    if url.startswith("sqlite"):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            # WAL lets readers run while a writer commits; foreign keys are off by default.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(
        url,
        pool_size=settings.DB_POOL_SIZE,
        max_overflow=settings.DB_POOL_SIZE,
        pool_pre_ping=True,
    )


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings())



T = TypeVar("T")


async def run_in_session(engine: Engine, fn: Callable[..., T], /, **kw: Any) -> T:
    """fn(session=..., **kw) on a worker thread, in a session that lives and dies there: the
    event loop never blocks on the database, and a cancelled caller can't close a session
    mid-commit. Objects stay readable afterwards (no expiry on commit)."""
    def run() -> T:
        with Session(engine, expire_on_commit=False) as session:
            return fn(session=session, **kw)
    return await anyio.to_thread.run_sync(run)
