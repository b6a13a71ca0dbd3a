"""Starting WaterDesk's real services for end-to-end tests: backend, action server, Rasa server."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import urllib.error
import urllib.request

ROOT = Path(__file__).resolve().parents[2]
APP_PY = ROOT / ".venvs" / "app" / "bin" / "python"
BOT_BIN = ROOT / ".venvs" / "bot" / "bin"
SERVICE_TOKEN = "e2e-service-token"
RASA_TOKEN = "e2e-rasa-token"
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


def backend_env(tmp: Path, database_url: str | None = None,
                rasa_url: str | None = None) -> dict[str, str]:
    env = {"ENVIRONMENT": "test", "SECRET_KEY": SECRET_KEY, "SERVICE_TOKEN": SERVICE_TOKEN,
           "DATA_DIR": str(tmp), "RASA_TOKEN": RASA_TOKEN,
           "RASA_URL": rasa_url or "http://127.0.0.1:9"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@contextmanager
def start_backend(tmp: Path, *, stack: ExitStack, database_url: str | None = None,
                  rasa_url: str | None = None) -> Iterator[str]:
    env = backend_env(tmp, database_url, rasa_url)
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


@contextmanager
def start_stack(tmp: Path, *, model: Path) -> Iterator[Stack]:
    with ExitStack() as stack:
        actions_port, rasa_port = free_port(), free_port()
        backend = stack.enter_context(start_backend(
            tmp, stack=stack, rasa_url=f"http://127.0.0.1:{rasa_port}"))
        quiet = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
        actions_log = tmp / "actions.log"
        actions = stack.enter_context(process(
            [str(BOT_BIN / "python"), "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(actions_port)],
            env={**quiet, "WATERDESK_API_URL": backend, "WATERDESK_SERVICE_TOKEN": SERVICE_TOKEN},
            log=actions_log))
        rasa_log = tmp / "rasa.log"
        rasa = stack.enter_context(process(
            [str(BOT_BIN / "rasa"), "run", "--model", str(model), "--enable-api",
             "--auth-token", RASA_TOKEN, "--interface", "127.0.0.1", "--port", str(rasa_port),
             "--endpoints", "bot/endpoints.yml", "--credentials", "bot/credentials.yml"],
            env={**quiet, "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook"},
            log=rasa_log))
        wait_until(f"http://127.0.0.1:{actions_port}/health", timeout=90, proc=actions,
                   log=actions_log)
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        wait_until(f"{rasa_url}/status?token={RASA_TOKEN}", timeout=240, proc=rasa, log=rasa_log)
        yield Stack(backend=backend, actions=f"http://127.0.0.1:{actions_port}", rasa=rasa_url,
                    logs=tmp)
