"""The README's first command, for real: bootstrap, migrate, seed, serve over HTTP, stop on Ctrl-C;
a child that dies is restarted by the supervisor, and a killed run leaves nothing behind."""

import json
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
# Every port the run command opens, so parallel runs never collide.
PORTS = ("WATERDESK_PORT", "RASA_PORT", "ACTIONS_PORT", "SMTP_LISTEN_PORT")


def start(tmp_path: Path, database_url: str,
          ports: dict[str, int] | None = None) -> tuple[subprocess.Popen, Output, int]:
    """The run command on free ports (or on `ports`, to start again where a run was)."""
    ports = ports or {name: free_port() for name in PORTS}
    env = {**os.environ, "DATA_DIR": str(tmp_path), "ENVIRONMENT": "development",
           "DATABASE_URL": database_url, **{name: str(p) for name, p in ports.items()}}
    proc = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = Output(proc)
    port = ports["WATERDESK_PORT"]
    wait_http(f"http://127.0.0.1:{port}/api/v1/utils/health-check", timeout=120, proc=proc)
    return proc, out, port


def pids(out: Output) -> dict[str, int]:
    """Each child's latest pid, from the supervisor's 'started NAME (pid N)' lines."""
    found = (re.search(r"started (\S+) \(pid (\d+)\)", s) for s in list(out.lines))
    return {m.group(1): int(m.group(2)) for m in found if m}


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_run_serves_the_fixed_accounts_and_stops_on_ctrl_c(db_kind, tmp_path):
    with throwaway_database(db_kind, tmp_path) as url:
        proc, out, port = start(tmp_path, url)
        try:
            # One line says when every service answers, with the URLs and the demo sign-ins;
            # what the services say goes to their logs, never to the terminal.
            ready = out.wait_for(lambda s: s.startswith("[waterdesk] ready in "), timeout=300)
            assert f"http://127.0.0.1:{port}/console/" in ready
            assert "rep@smwd.example.com / rep-demo-password" in ready
            assert not [s for s in out.lines if "Warning" in s or "INFO" in s], out.text
            for name in ("backend", "actions", "rasa", "jobs"):
                assert (tmp_path / "log" / f"{name}.log").stat().st_size > 0, name
            assert "Uvicorn running" in (tmp_path / "log" / "backend.log").read_text()
            # The scheduled jobs are a supervised service too, with no port to answer on.
            assert "jobs" in pids(out)
            assert "scheduler started: leak_alerts daily from 07:00 America/Los_Angeles" in \
                (tmp_path / "log" / "jobs.log").read_text()
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


def test_a_killed_child_is_restarted_by_name_and_the_others_carry_on(tmp_path):
    with throwaway_database("sqlite", tmp_path) as url:
        proc, out, port = start(tmp_path, url)
        try:
            out.wait_for(lambda s: "started rasa (pid" in s, timeout=10)
            before = pids(out)
            os.kill(before["backend"], signal.SIGKILL)
            out.wait_for(lambda s: "backend was killed by SIGKILL" in s
                         and "restarting it in 1s (the others carry on)" in s, timeout=10)
            out.wait_for(lambda s: pids(out)["backend"] != before["backend"], timeout=10)
            wait_http(f"http://127.0.0.1:{port}/api/v1/utils/health-check", timeout=60, proc=proc)
            assert proc.poll() is None  # the supervisor carries on, and so do the others
            after = pids(out)
            assert after["actions"] == before["actions"] and after["rasa"] == before["rasa"]
            assert after["jobs"] == before["jobs"] and alive(after["jobs"])
            assert alive(after["actions"])
        finally:
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=30) == 0, out.text
        assert port_closed(port)


def test_a_killed_run_leaves_no_child_behind_and_the_next_run_starts(tmp_path):
    """kill -9 of the run command (the supervisor, which it execs) takes its children with it,
    and the next run starts on the same ports."""
    ports = {name: free_port() for name in PORTS}
    with throwaway_database("sqlite", tmp_path) as url:
        proc, out, port = start(tmp_path, url, ports)
        out.wait_for(lambda s: "started rasa (pid" in s, timeout=10)
        children = pids(out)
        state = json.loads((tmp_path / "run" / "supervisor.json").read_text())
        assert state["supervisor"]["pid"] == proc.pid
        assert {k: v["pgid"] for k, v in state["children"].items()} == children
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in children.values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [name for name, pid in children.items() if alive(pid)], children
        assert port_closed(port) and port_closed(ports["ACTIONS_PORT"])

        again, out2, _ = start(tmp_path, url, ports)
        try:
            assert "started backend (pid" in out2.text
        finally:
            again.send_signal(signal.SIGINT)
            assert again.wait(timeout=30) == 0, out2.text
        assert not (tmp_path / "run" / "supervisor.json").exists()
