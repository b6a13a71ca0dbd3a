"""The security probe's findings, each reproduced as a test: in-process apps on SQLite and
PostgreSQL, and the running stack (both from tests/conftest.py, shared with the other tests)."""
