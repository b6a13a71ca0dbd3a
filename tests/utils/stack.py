"""Starting WaterDesk's real services for end-to-end tests: backend, action server, Rasa server."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import urllib.error
import urllib.request

from common import clock

ROOT = Path(__file__).resolve().parents[2]
APP_PY = ROOT / ".venvs" / "app" / "bin" / "python"
BOT_BIN = ROOT / ".venvs" / "bot" / "bin"
SERVICE_TOKEN = "e2e-service-token"
RASA_TOKEN = "e2e-rasa-token"
ACTION_TOKEN = "e2e-action-token-0123456789"
HUB_TOKEN = "e2e-hub-token-0123456789ab"
HUB = {"X-Hub-Token": HUB_TOKEN}  # what Rasa's REST channel wants from its callers
SECRET_KEY = "e2e-secret-key-0123456789abcdef0123456789"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(url: str, *, timeout: float, proc: subprocess.Popen, log: Path,
               headers: dict[str, str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited {proc.returncode}\n{log.read_text()[-3000:]}")
        try:
            # Standard library only: this module runs in both the app and the bot interpreter.
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}),
                                        timeout=2) as resp:
                if resp.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout}s\n{log.read_text()[-3000:]}")


@contextmanager
def process(argv: list[str], *, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **env}, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class Stack:
    backend: str
    actions: str
    rasa: str
    logs: Path
    # Every Rasa server (rasa is the first) and its process, for tests that stop one.
    rasas: tuple[str, ...] = ()
    rasa_procs: tuple[subprocess.Popen, ...] = field(default=(), compare=False, repr=False)
    database_url: str = ""  # the backend's
    smtp_port: int = 0  # the backend's inbox, when extra_env opened it


def backend_env(tmp: Path, database_url: str | None = None,
                rasa_url: str | None = None) -> dict[str, str]:
    env = {"ENVIRONMENT": "test", "SECRET_KEY": SECRET_KEY, "SERVICE_TOKEN": SERVICE_TOKEN,
           "DATA_DIR": str(tmp), "RASA_TOKEN": RASA_TOKEN, "HUB_TOKEN": HUB_TOKEN,
           "RASA_URL": rasa_url or "http://127.0.0.1:9",
           # The inbox stays closed unless a test opens it (extra_env SMTP_LISTEN_PORT).
           "SMTP_LISTEN_PORT": "0",
           # The test's clock, not the real date (nothing when the caller runs on the real one).
           **clock.environ()}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def start_backend(tmp: Path, *, stack: ExitStack, database_url: str | None = None,
                  rasa_url: str | None = None,
                  extra_env: dict[str, str] | None = None) -> Iterator[str]:
    env = {**backend_env(tmp, database_url, rasa_url), **(extra_env or {})}
    subprocess.run([str(APP_PY), "-m", "backend.prestart"], cwd=ROOT, env={**os.environ, **env},
                   check=True, capture_output=True)
    port = free_port()
    log = tmp / "backend.log"
    proc = stack.enter_context(process(
        [str(APP_PY), "-m", "uvicorn", "--factory", "backend.main:app_factory",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log"], env=env, log=log))
    url = f"http://127.0.0.1:{port}"
    wait_until(f"{url}/api/v1/utils/health-check", timeout=60, proc=proc, log=log)
    yield url


def scale_stores(tmp: Path, stack: ExitStack) -> tuple[str, str, Path]:
    """Throwaway PostgreSQL databases (backend, Rasa trackers) and a Redis lock key prefix of
    this run's own, so parallel runs never share state; gives the backend's database URL, the
    Redis URL and the Rasa endpoints file. App env only (tests.utils.db imports the backend)."""
    import uuid

    from tests.utils.db import throwaway_database

    database_url = stack.enter_context(throwaway_database("postgres", tmp / "backend-db"))
    tracker_url = stack.enter_context(throwaway_database("postgres", tmp / "tracker-db"))
    endpoints = tmp / "rasa-endpoints.yml"
    env = {"REDIS_URL": os.environ.get("WATERDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
           "RASA_TRACKER_DB_URL": tracker_url, "RASA_LOCK_KEY_PREFIX": f"wd{uuid.uuid4().hex}"}
    subprocess.run([str(APP_PY), str(ROOT / "scripts" / "rasa-endpoints"), str(endpoints)],
                   env={**os.environ, **env}, check=True)
    return database_url, env["REDIS_URL"], endpoints


@contextmanager
def start_stack(tmp: Path, *, model: Path, rasa_processes: int = 1,
                scale: bool = False,
                extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """The backend, the action server and rasa_processes Rasa servers (started in parallel);
    scale=True puts Rasa's trackers in PostgreSQL and its locks in Redis, as scripts/run does
    with REDIS_URL, and the backend on PostgreSQL."""
    with ExitStack() as stack:
        database_url, endpoints = None, ROOT / "bot" / "endpoints.yml"
        if scale:
            database_url, redis_url, endpoints = scale_stores(tmp, stack)
            extra_env = {"REDIS_URL": redis_url, **(extra_env or {})}  # as scripts/run does
        actions_port = free_port()
        rasa_ports = [free_port() for _ in range(rasa_processes)]
        rasa_urls = tuple(f"http://127.0.0.1:{port}" for port in rasa_ports)
        backend = stack.enter_context(start_backend(
            tmp, stack=stack, database_url=database_url, rasa_url=",".join(rasa_urls),
            extra_env=extra_env))
        quiet = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT), **clock.environ(),
                 "RASA_TELEMETRY_ENABLED": "false"}
        actions_log = tmp / "actions.log"
        actions = stack.enter_context(process(
            [str(BOT_BIN / "python"), "-m", "actions.server", "--port", str(actions_port)],
            env={**quiet, "WATERDESK_API_URL": backend, "WATERDESK_SERVICE_TOKEN": SERVICE_TOKEN,
                 "ACTION_TOKEN": ACTION_TOKEN, "ENVIRONMENT": "test"},
            log=actions_log))
        rasas = []
        for i, port in enumerate(rasa_ports):
            log = tmp / ("rasa.log" if rasa_processes == 1 else f"rasa-{i + 1}.log")
            proc = stack.enter_context(process(
                # bot.cli: `rasa` with skops imported first, and no reports to Rasa's vendor.
                [str(BOT_BIN / "python"), "-m", "bot.cli", "run", "--model", str(model),
                 "--enable-api", "--auth-token", RASA_TOKEN, "--interface", "127.0.0.1", "--port", str(port),
                 "--endpoints", str(endpoints), "--credentials", "bot/credentials.yml"],
                env={**quiet, "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
                     "ACTION_TOKEN": ACTION_TOKEN, "HUB_TOKEN": HUB_TOKEN},
                log=log))
            rasas.append((proc, log))
        wait_until(f"http://127.0.0.1:{actions_port}/health", timeout=90, proc=actions,
                   log=actions_log)
        # They start side by side on few cores: allow for each one more.
        timeout = 240 + 90 * (rasa_processes - 1)
        for url, (proc, log) in zip(rasa_urls, rasas):
            wait_until(f"{url}/status?token={RASA_TOKEN}", timeout=timeout, proc=proc, log=log)
        yield Stack(backend=backend, actions=f"http://127.0.0.1:{actions_port}", rasa=rasa_urls[0],
                    logs=tmp, rasas=rasa_urls, rasa_procs=tuple(p for p, _ in rasas),
                    database_url=database_url or f"sqlite:///{tmp / 'waterdesk.sqlite3'}",
                    smtp_port=int((extra_env or {}).get("SMTP_LISTEN_PORT") or 0))
