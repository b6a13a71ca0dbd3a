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


def _upgrade(engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from backend.prestart import ALEMBIC_INI

    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_referred_waivers_waiting_before_0009_become_approvals(db_kind, tmp_path):
    from sqlalchemy import text

    with throwaway_database(db_kind, tmp_path) as url:
        engine = make_engine(make_test_settings(database_url=url, data_dir=tmp_path))
        try:
            _upgrade(engine, "0008")
            at = "2026-11-30 10:00:00"
            with engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO customer (id, mailing_street, mailing_city, mailing_state, "
                    "mailing_zip, first_name, last_name, phone, preferred_language, created_at) "
                    "VALUES (1, '1 Main', 'Irvine', 'CA', '92618', 'Ana', 'Ruiz', '9495550100', "
                    f"'es', '{at}')"))
                conn.execute(text("INSERT INTO premise (id, street, city, state, zip) "
                                  "VALUES (1, '1 Main', 'Irvine', 'CA', '92618')"))
                conn.execute(text(
                    "INSERT INTO account (id, account_number, account_type, status, opened_on, "
                    "autopay_enabled, paperless_enabled, returned_mail, customer_id, "
                    f"premise_id, updated_at) VALUES (1, '1000001', 'residential', 'active', "
                    f"'2020-01-01', false, false, false, 1, 1, '{at}')"))
                for status, kind in (("pending_review", "reconnection_fee"),
                                     ("granted", "late_fee")):
                    conn.execute(text(
                        "INSERT INTO feeadjustment (account_id, fee_kind, amount_cents, status, "
                        "reason, policy_rule, requested_on, created_at) VALUES (1, :kind, 7500, "
                        ":status, 'meter was wrong', 'reconnection_fee_review', '2026-11-30', "
                        f"'{at}')"), {"kind": kind, "status": status})
            _upgrade(engine, "head")
            with engine.connect() as conn:
                approvals = conn.execute(text(
                    "SELECT kind, status, rule, request, customer_reason FROM approval")).all()
                left = conn.execute(text("SELECT status FROM feeadjustment")).scalars().all()
        finally:
            engine.dispose()
    assert len(approvals) == 1
    kind, status, rule, request, reason = approvals[0]
    assert (kind, status, rule, reason) == ("fee_waiver", "pending", "reconnection_fee_review",
                                            "meter was wrong")
    request = request if isinstance(request, dict) else __import__("json").loads(request)
    assert request == {"fee_kind": "reconnection_fee", "amount_cents": 7500}
    assert left == ["granted"]  # a waiver already granted stays a credit
