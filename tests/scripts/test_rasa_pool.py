"""Several Rasa processes behind one backend: they share a PostgreSQL tracker store and a Redis
lock store (scripts/rasa-endpoints), so a conversation outlives the process it started on."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from backend.hub.bridge import sticky_order
from tests.utils.stack import RASA_TOKEN, SERVICE_TOKEN, start_stack

ROOT = Path(__file__).resolve().parents[2]
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def render(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "rasa-endpoints"), "/dev/stdout"],
                          env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True)


def test_the_endpoints_file_splits_the_urls_rasa_wants_in_parts():
    out = render({"REDIS_URL": "redis://:s3cret@redis.internal:6380/2",
                  "DATABASE_URL": "postgresql+psycopg://wd:pw@db.internal:5433/waterdesk"})
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "url: ${ACTION_ENDPOINT_URL}" in text  # substituted by Rasa when it starts
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


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(1500)
def test_a_conversation_carries_on_when_its_rasa_process_dies(model, tmp_path):
    with start_stack(tmp_path, model=model, rasa_processes=2, scale=True) as stack:
        api = f"{stack.backend}/api/v1/conversations"
        cid = httpx.post(api, headers=SERVICE).json()["id"]

        def say(text: str) -> str:
            r = httpx.post(f"{api}/{cid}/messages", headers=SERVICE, json={"text": text},
                           timeout=60)
            r.raise_for_status()
            assert r.json()["status"] == "bot", r.json()
            return "\n".join(m.get("text") or "" for m in r.json()["replies"])

        home = sticky_order(str(cid), list(stack.rasas))[0]
        other = next(url for url in stack.rasas if url != home)
        assert "account number" in say("how much do I owe")
        say("1000002")
        assert "$312.40" in say("92694")

        # The other process already sees the conversation: the tracker store is shared.
        tracker = httpx.get(f"{other}/conversations/{cid}/tracker",
                            params={"token": RASA_TOKEN}, timeout=30).json()
        assert tracker["slots"]["verified_account"] == "1000002"

        dead = stack.rasa_procs[stack.rasas.index(home)]
        dead.send_signal(signal.SIGKILL)
        dead.wait(timeout=10)

        # The bridge moves on to the other process, which knows the customer is verified.
        again = say("how much do I owe")
        assert "$312.40" in again and "account number" not in again
        assert "$312.40" in say("how much do I owe")  # and stays there
