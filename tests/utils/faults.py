"""Faults for end-to-end tests: the real run command under its supervisor (so a killed child is
restarted by it, not by the test), and private PostgreSQL, Redis and SMTP relay instances that
a test may stop and start without touching anything another test uses."""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller

from common import clock
from tests.utils.mail import Relay
from tests.utils.processes import Output
from tests.utils.stack import (
    ACTION_TOKEN, HUB_TOKEN, RASA_TOKEN, ROOT, SECRET_KEY, SERVICE_TOKEN, free_port)


def free_ports(n: int) -> int:
    """The first of n consecutive free ports (the run command numbers Rasa servers so)."""
    while True:
        first = free_port()
        if first + n < 65535 and all(_free(first + i) for i in range(1, n)):
            return first


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def answers(url: str, timeout: float = 2) -> bool:
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class SupervisedRun:
    """scripts/run, running: its output, its children by name, their health."""

    proc: subprocess.Popen
    out: Output
    backend: str
    actions: str
    rasas: list[str]
    inbox_port: int
    data_dir: Path
    health: dict[str, str] = field(default_factory=dict)

    def starts(self, name: str) -> list[int]:
        """The pids `name` was started with, in order."""
        return [int(m.group(1)) for m in (re.search(rf"started {re.escape(name)} \(pid (\d+)\)", s)
                                          for s in list(self.out.lines)) if m]

    def pid(self, name: str) -> int:
        return self.starts(name)[-1]

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        """Kills `name` as a crash would; returns how often it had been started."""
        before = len(self.starts(name))
        os.kill(self.pid(name), sig)
        return before

    def healthy(self, name: str) -> bool:
        return answers(self.health[name])

    def wait_healthy(self, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the supervisor exited\n{self.tail()}"
            if self.healthy(name):
                return
            time.sleep(0.3)
        raise TimeoutError(f"{name} not healthy in {timeout}s\n{self.tail()}")

    def wait_restarted(self, name: str, before: int, timeout: float) -> float:
        """Waits for the supervisor's restart of `name` and for it to answer; returns seconds."""
        t0 = time.monotonic()
        self.out.wait_for(lambda _: len(self.starts(name)) > before, timeout=timeout)
        self.wait_healthy(name, timeout=max(1.0, timeout - (time.monotonic() - t0)))
        return time.monotonic() - t0

    def tail(self, n: int = 60) -> str:
        return "\n".join(self.out.lines[-n:])

    def lines_with(self, text: str) -> list[str]:
        return [s for s in list(self.out.lines) if s.startswith("[waterdesk]") and text in s]


@contextmanager
def supervised_run(tmp: Path, *, env: dict[str, str] | None = None, rasa_processes: int = 1,
                   timeout: float = 420) -> Iterator[SupervisedRun]:
    """The README's ./scripts/run on free ports and its own data directory, in the test
    environment, ready when the backend, the action server and every Rasa server answer.

    On the real clock: WATERDESK_NOW would start a restarted child's clock over at that instant,
    behind its siblings' (the outbox would hold mail that is due), so callers must not assert
    anything that depends on the date."""
    port, actions, inbox = free_port(), free_port(), free_port()
    rasa = free_ports(rasa_processes)
    full = {**os.environ, "DATA_DIR": str(tmp), "WATERDESK_PORT": str(port),
            "RASA_PORT": str(rasa), "ACTIONS_PORT": str(actions),
            "SMTP_LISTEN_PORT": str(inbox), "RASA_PROCESSES": str(rasa_processes),
            "ENVIRONMENT": "test", "SECRET_KEY": SECRET_KEY, "SERVICE_TOKEN": SERVICE_TOKEN,
            "RASA_TOKEN": RASA_TOKEN, "ACTION_TOKEN": ACTION_TOKEN, "HUB_TOKEN": HUB_TOKEN,
            **(env or {})}
    full.pop(clock.ENV, None)
    proc = subprocess.Popen([str(ROOT / "scripts" / "run")], cwd=ROOT, env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = Output(proc)
    rasas = [f"http://127.0.0.1:{rasa + i}" for i in range(rasa_processes)]
    names = ["rasa"] if rasa_processes == 1 else [f"rasa-{i + 1}" for i in range(rasa_processes)]
    run = SupervisedRun(proc=proc, out=out, backend=f"http://127.0.0.1:{port}",
                        actions=f"http://127.0.0.1:{actions}", rasas=rasas, inbox_port=inbox,
                        data_dir=tmp)
    run.health = {"backend": f"{run.backend}/api/v1/utils/health-check",
                  "actions": f"{run.actions}/health",
                  **{n: f"{u}/status?token={RASA_TOKEN}" for n, u in zip(names, rasas)}}
    try:
        deadline = time.monotonic() + timeout
        for name in run.health:
            run.wait_healthy(name, timeout=max(1.0, deadline - time.monotonic()))
        yield run
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()  # its children go too (the kernel's parent-death signal)
                proc.wait()
        (tmp / "run.log").write_text(out.text)


# --- a relay that can go down ------------------------------------------------------------------

class RestartableRelay(Relay):
    """The test relay (tests.utils.mail) on a fixed port, taken down and brought back."""

    def __init__(self) -> None:
        super().__init__()
        self.port = free_port()
        self._controller: Controller | None = None
        self.outages: list[tuple[float, float]] = []  # (down, up) in time.monotonic()

    def up(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        if self.outages and self.outages[-1][1] == 0:
            self.outages[-1] = (self.outages[-1][0], time.monotonic())

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        self.outages.append((time.monotonic(), 0.0))
        assert _free(self.port)  # refused, as a relay that is down

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


# --- a private PostgreSQL and Redis --------------------------------------------------------------

def _as_postgres(argv: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the suite runs as root in CI.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class PrivatePostgres:
    bindir: Path
    home: Path
    port: int

    @property
    def data(self) -> Path:
        return self.home / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), *args]),
                       check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.ctl("-l", str(self.home / "log"), "-w", "-o",
                 f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off "
                 "-c max_connections=200", "start")

    def stop(self, mode: str = "fast") -> None:
        self.ctl("-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A PostgreSQL server of the test's own, from Debian's binaries, on a free port."""
    bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    assert bindirs, "PostgreSQL's server binaries are not installed"
    home = Path(tempfile.mkdtemp(prefix="wd-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(home, owner.pw_uid, owner.pw_gid)
    pg = PrivatePostgres(Path(bindirs[-1]), home, free_port())
    try:
        subprocess.run(_as_postgres([str(pg.bindir / "initdb"), "-D", str(pg.data), "-U",
                                     "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        pg.start()
        yield pg
    finally:
        try:
            pg.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # it was not running
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class PrivateRedis:
    port: int
    home: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        with (self.home / "redis.log").open("a") as log:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.home)], stdout=log,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"redis-server on {self.port} did not answer")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A Redis of the test's own: no persistence, so a restart empties it, as a crash would."""
    assert shutil.which("redis-server"), "redis-server is not installed"
    redis = PrivateRedis(free_port(), Path(tempfile.mkdtemp(prefix="wd-redis-")))
    try:
        redis.start()
        yield redis
    finally:
        redis.stop()
        shutil.rmtree(redis.home, ignore_errors=True)
