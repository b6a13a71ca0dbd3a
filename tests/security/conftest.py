"""The security probe's findings, each reproduced as a test: in-process apps on SQLite and
PostgreSQL (the backend's fixtures), and the running stack (tests/conftest.py)."""

from tests.backend.conftest import client, fresh_client, seeded_settings  # noqa: F401
