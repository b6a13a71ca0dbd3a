"""The Rasa endpoints for scale-out (scripts/rasa-endpoints): a PostgreSQL tracker store and a
Redis lock store. The running pool is tested in tests/e2e/test_scale_out.py."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def render(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "rasa-endpoints"), "/dev/stdout"],
                          env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True)


def test_the_endpoints_file_splits_the_urls_rasa_wants_in_parts():
    out = render({"REDIS_URL": "redis://:s3cret@redis.internal:6380/2",
                  "DATABASE_URL": "postgresql+psycopg://wd:pw@db.internal:5433/waterdesk"})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "url: ${ACTION_ENDPOINT_URL}" in text  # substituted by Rasa when it starts
    assert "X-Action-Token: ${ACTION_TOKEN}" in text  # the action server refuses calls without it
    # The trackers go to a database of their own next to the backend's, created by Rasa.
    for line in ('url: "db.internal"', "port: 5433", 'db: "waterdesk_rasa"',
                 'login_db: "waterdesk"', 'username: "wd"', 'password: "pw"',
                 'url: "redis.internal"', "port: 6380", "db: 2", 'password: "s3cret"',
                 'key_prefix: "waterdesk"'):
        assert f"  {line}\n" in text, line


def test_the_endpoints_file_refuses_sqlite_and_a_bad_prefix():
    assert "needs PostgreSQL" in render({"REDIS_URL": "redis://127.0.0.1:6379/0",
                                         "DATABASE_URL": "sqlite:///x.db"}).stderr
    assert "letters and digits" in render({"REDIS_URL": "redis://127.0.0.1:6379/0",
                                            "DATABASE_URL": "postgresql://h/db",
                                            "RASA_LOCK_KEY_PREFIX": "a:b"}).stderr
