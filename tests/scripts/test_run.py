"""The README's first command, for real: bootstrap, migrate, seed, serve over HTTP, stop on Ctrl-C."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from backend.core.config import DEV_SERVICE_TOKEN
from tests.utils.db import throwaway_database
from tests.utils.processes import Output, port_closed, wait_http
from tests.utils.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
# The run command trains first when the bot's inputs changed; the fixture makes sure it is cached.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("model"), pytest.mark.timeout(1500)]


def start(tmp_path: Path, database_url: str) -> tuple[subprocess.Popen, Output, int]:
    port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path), "WATERDESK_PORT": str(port),
           "ENVIRONMENT": "development", "DATABASE_URL": database_url}
    proc = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = Output(proc)
    wait_http(f"http://127.0.0.1:{port}/api/v1/utils/health-check", timeout=120, proc=proc)
    return proc, out, port


def test_run_serves_the_fixed_accounts_and_stops_on_ctrl_c(db_kind, tmp_path):
    with throwaway_database(db_kind, tmp_path) as url:
        proc, out, port = start(tmp_path, url)
        try:
            assert f"http://127.0.0.1:{port}" in out.text
            base = f"http://127.0.0.1:{port}/api/v1"
            service = {"Authorization": f"Bearer {DEV_SERVICE_TOKEN}"}
            r = httpx.post(f"{base}/verify", headers=service,
                           json={"account_number": "1000002", "zip": "92694"})
            token = r.json()["verification_token"]
            summary = httpx.get(f"{base}/accounts/1000002",
                                headers={**service, "X-Verification-Token": token}).json()
            assert summary["balance"] == "312.40" and summary["customer_name"] == "James Carter"
            assert httpx.get(f"{base}/accounts/1000002").status_code == 401
        finally:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0, out.text
        out.wait_for(lambda line: line.endswith("stopped"), timeout=5)
        assert port_closed(port)


def test_a_dying_child_is_reported_by_name(tmp_path):
    with throwaway_database("sqlite", tmp_path) as url:
        proc, out, port = start(tmp_path, url)
        line = out.wait_for(lambda s: "started backend (pid" in s, timeout=5)
        pid = int(re.search(r"pid (\d+)", line).group(1))  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
        assert proc.wait(timeout=30) != 0
        out.wait_for(lambda s: "backend exited with code" in s, timeout=5)
        time.sleep(0.2)
        assert port_closed(port)
