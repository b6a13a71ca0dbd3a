"""GET /api/v1/accounts/{n} under open-loop load: p50/p95/p99/max at a fixed offered rate, on
SQLite and PostgreSQL in one run.

    .venvs/app/bin/python bench/accounts_summary.py [--rate 300] [--seconds 30]
        [--arrivals poisson|constant] [--db sqlite|postgres|both] [--workers 1]
        [--max-connections 256] [--py-spy PREFIX]

Starts a real backend (uvicorn, as scripts/run does) on a freshly seeded database for each
store (503 accounts with 24 months of history), verifies every account through POST /verify,
then sends requests on a seeded schedule that never waits for replies (Poisson arrivals by
default), each for a seeded account drawn at random, with the service token and that account's
verification token. A request is timed from the moment the schedule says it is sent, not from
when a connection was free, so time spent queueing anywhere counts (no coordinated omission); a
failed request counts too, a timeout as the 10 s it was given. Requests go out on keep-alive
connections from a pool that grows as needed; the client is one asyncio process whose own CPU
and lateness against the schedule are printed, to show it kept up.
--py-spy PREFIX records the backend with py-spy (on PATH) during the window: PREFIX-<db>.txt.
"""

import argparse
import asyncio
import math
import os
import platform
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.core.config import Settings  # noqa: E402
from tests.utils.db import (  # noqa: E402
    TEST_SERVICE_TOKEN, make_test_settings, prepare, throwaway_database,
)
from tests.utils.processes import wait_http  # noqa: E402
from tests.utils.stack import free_port  # noqa: E402

TIMEOUT = 10.0  # seconds; a request still unanswered then counts as an error
IDLE_MAX = 4.0  # seconds; uvicorn closes a keep-alive connection idle for 5


Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # from the scheduled send time
    send_lag: list[float] = field(default_factory=list)   # how late the client sent it
    done_at: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    connections: int = 0  # the most open at once


class Pool:
    """Keep-alive HTTP/1.1 connections; a request takes an idle one or opens a new one."""

    def __init__(self, port: int, cap: int) -> None:
        self.port, self.cap = port, cap
        self.idle: deque[tuple[float, Conn]] = deque()  # (when it was put back, connection)
        self.opened = self.peak = 0
        self.waiters: deque[asyncio.Future] = deque()

    async def get(self, *, fresh: bool = False) -> Conn:
        while self.idle and not fresh:
            since, conn = self.idle.pop()
            if time.perf_counter() - since < IDLE_MAX:
                return conn
            self.drop(conn)
        if self.opened < self.cap:
            self.opened += 1
            self.peak = max(self.peak, self.opened)
            try:
                return await asyncio.open_connection("127.0.0.1", self.port)
            except BaseException:
                self.opened -= 1
                raise
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return await waiter  # type: ignore[no-any-return]

    def put(self, conn: Conn) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append((time.perf_counter(), conn))

    def drop(self, conn: Conn) -> None:
        conn[1].close()
        self.opened -= 1

    def close(self) -> None:
        while self.idle:
            self.drop(self.idle.pop()[1])


async def exchange(conn: Conn, request: bytes) -> bytes:
    """One request and its whole response; gives the status line."""
    reader, writer = conn
    writer.write(request)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("connection closed by the server")
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status_line


async def one(pool: Pool, request: bytes, scheduled: float, run: Run) -> None:
    run.send_lag.append(time.perf_counter() - scheduled)
    conn = None
    try:
        async with asyncio.timeout(max(0.0, TIMEOUT - (time.perf_counter() - scheduled))):
            for attempt in (1, 2):
                conn = await pool.get(fresh=attempt == 2)
                try:
                    status_line = await exchange(conn, request)
                    break
                except (ConnectionError, asyncio.IncompleteReadError):
                    pool.drop(conn)
                    conn = None
                    if attempt == 2:  # once more, on a new connection: the server closed that one
                        raise
        pool.put(conn)  # type: ignore[arg-type]
    except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
        if conn is not None:  # timed out mid-exchange: the connection is in an unknown state
            pool.drop(conn)
        run.errors.append(type(exc).__name__)
        status_line = b""
    # Failures count in the percentiles too, a timeout as the TIMEOUT it took.
    now = time.perf_counter()
    run.latencies.append(now - scheduled)
    if b" 200 " in status_line:
        run.done_at.append(now)
    elif status_line:
        run.errors.append(status_line.decode(errors="replace").strip())


async def drive(pool: Pool, requests: list[bytes], *, rate: float, seconds: float,
                poisson: bool, rng: random.Random) -> tuple[Run, float]:
    """Sends on the schedule whatever happens to earlier requests; gives the run and its start."""
    run = Run()
    tasks = []
    start = time.perf_counter() + 0.05
    offset = 0.0
    while offset < seconds:
        scheduled = start + offset
        if (delay := scheduled - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(pool, rng.choice(requests), scheduled, run)))
        offset += rng.expovariate(rate) if poisson else 1 / rate
    await asyncio.gather(*tasks)
    run.connections = pool.peak
    return run, start


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """The server's CPU seconds, with its workers' (--workers N) when there are any."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sum(cpu_seconds(p) for p in [pid, *map(int, children)])


def peak_rss(pid: int) -> str:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    out = []
    for p in [pid, *map(int, children)]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                out.append(f"{int(line.split()[1]) / 1024:.0f}")
    return "+".join(out) + "MB"


def verified_requests(port: int, pairs: list[tuple[str, str]]) -> list[bytes]:
    """One ready-made request per account that POST /verify accepts, with its token."""
    requests = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30,
                      headers={"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}) as http:
        for number, zip_code in pairs:
            body = http.post("/verify", json={"account_number": number, "zip": zip_code}).json()
            if body.get("verified"):
                requests.append(
                    f"GET /api/v1/accounts/{number} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                    f"Authorization: Bearer {TEST_SERVICE_TOKEN}\r\n"
                    f"X-Verification-Token: {body['verification_token']}\r\n\r\n".encode())
    return requests


def start_server(url: str, tmp: str, settings: Settings,
                 workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "ENVIRONMENT": "test", "SECRET_KEY": settings.SECRET_KEY,
           "SERVICE_TOKEN": TEST_SERVICE_TOKEN, "HUB_TOKEN": settings.HUB_TOKEN,
           "RASA_TOKEN": settings.RASA_TOKEN, "DATABASE_URL": url, "DATA_DIR": tmp,
           # No SMTP inbox (it would take port 2525 from a running WaterDesk), no Rasa.
           "SMTP_LISTEN_PORT": "0", "RASA_URL": "http://127.0.0.1:9"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "backend.main:app_factory",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--no-proxy-headers",
         "--workers", str(workers)], cwd=ROOT, env=env)
    wait_http(f"http://127.0.0.1:{port}/api/v1/utils/health-check", 60, server)
    return server, port


def py_spy(pid: int, out: Path, seconds: float, workers: int) -> subprocess.Popen:
    exe = shutil.which("py-spy")
    if exe is None:
        raise SystemExit("--py-spy: py-spy is not on PATH (pip install --target DIR py-spy)")
    return subprocess.Popen(
        [exe, "record", "--pid", str(pid), "--format", "raw", "--output", str(out),
         "--duration", str(math.ceil(seconds)), "--rate", "200", "--nonblocking",
         *(["--subprocesses"] if workers > 1 else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def run_one(kind: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(kind, Path(tmp)) as url:
        settings = make_test_settings(database_url=url, data_dir=Path(tmp))
        prepare(settings)
        engine = create_engine(settings.database_url)
        with engine.connect() as conn:
            pairs = conn.execute(text(
                "SELECT a.account_number, p.zip FROM account a JOIN premise p "
                "ON p.id = a.premise_id ORDER BY a.id")).all()
        engine.dispose()
        server, port = start_server(url, tmp, settings, args.workers)
        try:
            requests = verified_requests(port, pairs)
            try:
                import uvloop  # the client's own loop; uvicorn picks uvloop for the server

                runner = uvloop.run
            except ImportError:
                runner = asyncio.run
            rng = random.Random(20261203)

            async def measure() -> tuple[Run, float, float, float]:
                pool = Pool(port, args.max_connections)
                poisson = args.arrivals == "poisson"
                # Warm-up at the same rate, not counted: connections, caches, the JIT-free paths.
                await drive(pool, requests, rate=args.rate, seconds=args.warmup,
                            poisson=poisson, rng=rng)
                spy = py_spy(server.pid, Path(f"{args.py_spy}-{kind}.txt"), args.seconds,
                             args.workers) if args.py_spy else None
                cpu0, client0 = backend_cpu(server.pid), time.process_time()
                run, start = await drive(pool, requests, rate=args.rate, seconds=args.seconds,
                                         poisson=poisson, rng=rng)
                cpu1, client1 = backend_cpu(server.pid), time.process_time()
                pool.close()
                if spy is not None:
                    spy.wait()
                return run, start, cpu1 - cpu0, client1 - client0

            run, start, server_cpu, client_cpu = runner(measure())
            report(kind, args, run, start, len(requests), server_cpu, client_cpu,
                   peak_rss(server.pid))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a stuck server waits on its requests forever
                server.kill()
                server.wait()


def report(kind: str, args: argparse.Namespace, run: Run, start: float, accounts: int,
           server_cpu: float, client_cpu: float, rss: str) -> None:
    sent = len(run.send_lag)
    end = max(run.done_at, default=start)
    ms = {q: pct(run.latencies, q) * 1000 for q in (50, 95, 99, 100)}
    verdict = "ok" if ms[95] <= args.target_ms and not run.errors else "MISSED"
    first = f" (first: {run.errors[0]})" if run.errors else ""
    print(f"{kind:<8} offered={sent / args.seconds:.0f}/s achieved="
          f"{(sent - len(run.errors)) / max(end - start, args.seconds):.0f}/s "
          f"requests={sent} errors={len(run.errors)}{first} accounts={accounts} "
          f"connections={run.connections}", flush=True)
    print(f"{kind:<8} p50={ms[50]:.1f}ms p95={ms[95]:.1f}ms p99={ms[99]:.1f}ms "
          f"max={ms[100]:.1f}ms  p95 <= {args.target_ms:g}ms: {verdict}", flush=True)
    print(f"{kind:<8} backend cpu={server_cpu / args.seconds:.0%} of a core "
          f"({server_cpu * 1000 / max(sent, 1):.2f}ms/request) peak_rss={rss}  "
          f"client cpu={client_cpu / args.seconds:.0%} send lag p99="
          f"{pct(run.send_lag, 99) * 1000:.1f}ms max={pct(run.send_lag, 100) * 1000:.1f}ms  "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)


def header() -> None:
    exe = os.path.relpath(sys.executable)
    print("$ " + shlex.join([sys.executable if exe.startswith("..") else exe] + sys.argv))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, text=True,
                           capture_output=True).stdout.strip()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  commit {commit or '(not a git checkout)'}"
          f"{' (working tree)' if dirty else ''}  {platform.python_version()}  "
          f"cpus={os.cpu_count()}  memory={mem:.0f}GiB  load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=300, help="requests offered per second")
    parser.add_argument("--seconds", type=float, default=30, help="the measured window")
    parser.add_argument("--warmup", type=float, default=5, help="seconds at the rate first")
    parser.add_argument("--arrivals", choices=["poisson", "constant"], default="poisson")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--max-connections", type=int, default=256)
    parser.add_argument("--target-ms", type=float, default=25, help="the p95 aim")
    parser.add_argument("--py-spy", metavar="PREFIX")
    args = parser.parse_args()
    header()
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        run_one(kind, args)
    print(f"# load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
