"""Backend tests use the in-process app fixtures of tests/conftest.py (seeded_settings, client,
fresh_client), which tests/security shares. Database-backed tests run on SQLite and PostgreSQL."""
