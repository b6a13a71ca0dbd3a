"""Load GET /api/v1/accounts/{n} with concurrent keep-alive clients; print rps, p50/p95 and peak RSS.

    .venvs/app/bin/python bench/accounts_summary.py [--clients 50] [--seconds 15]
        [--db sqlite|postgres|both] [--workers 1]

Starts a real backend (uvicorn, as the run command does) on a freshly seeded
database for each store, verifies 50 different customers, then drives the endpoint over HTTP.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.utils.db import (  # noqa: E402
    TEST_SERVICE_TOKEN, make_test_settings, prepare, throwaway_database,
)
from tests.utils.processes import wait_http  # noqa: E402
from tests.utils.stack import free_port  # noqa: E402


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def backend_rss(pid: int) -> str:
    """Peak RSS of the server and, with --workers, of each worker process."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid] + [int(p) for p in children.read_text().split()] if children.exists() else [pid]
    return "+".join(f"{peak_rss_mb(p):.0f}" for p in pids) + "MB"


async def client_loop(port: int, paths: list[tuple[str, str]], stop_at: float,
                      latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while time.perf_counter() < stop_at:
            path, token = paths[i % len(paths)]
            i += 1
            req = (f"GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer "
                   f"{TEST_SERVICE_TOKEN}\r\nX-Verification-Token: {token}\r\n\r\n").encode()
            t0 = time.perf_counter()
            writer.write(req)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - t0)
            if b" 200 " not in status_line:
                errors.append(1)
    finally:
        writer.close()


def run_one(kind: str, clients: int, seconds: float, workers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(kind, Path(tmp)) as url:
        settings = make_test_settings(database_url=url, data_dir=Path(tmp))
        prepare(settings)
        engine = create_engine(settings.database_url)
        with engine.connect() as conn:
            pairs = conn.execute(text(
                "SELECT a.account_number, p.zip FROM account a JOIN premise p "
                "ON p.id = a.premise_id ORDER BY a.id LIMIT :n"), {"n": clients}).all()
        engine.dispose()
        port = free_port()
        env = {**os.environ, "ENVIRONMENT": "test", "SECRET_KEY": settings.SECRET_KEY,
               "SERVICE_TOKEN": TEST_SERVICE_TOKEN, "HUB_TOKEN": settings.HUB_TOKEN,
               "RASA_TOKEN": settings.RASA_TOKEN,
               "DATABASE_URL": url, "DATA_DIR": tmp}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "backend.main:app_factory",
             "--port", str(port), "--no-access-log", "--log-level", "warning",
             "--workers", str(workers)],
            cwd=ROOT, env=env)
        try:
            wait_http(f"http://127.0.0.1:{port}/api/v1/utils/health-check", 60, server)
            paths = []
            with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1",
                              headers={"Authorization": f"Bearer {TEST_SERVICE_TOKEN}"}) as http:
                for number, zip_code in pairs:
                    token = http.post("/verify", json={"account_number": number, "zip": zip_code}
                                      ).json()["verification_token"]
                    paths.append((f"/api/v1/accounts/{number}", token))

            async def drive(duration: float) -> tuple[list[float], list[int]]:
                latencies: list[float] = []
                errors: list[int] = []
                stop_at = time.perf_counter() + duration
                await asyncio.gather(*(client_loop(port, paths[i:] + paths[:i], stop_at,
                                                   latencies, errors) for i in range(clients)))
                return latencies, errors

            asyncio.run(drive(2.0))  # warm-up: connection pools, caches
            started = time.perf_counter()
            latencies, errors = asyncio.run(drive(seconds))
            elapsed = time.perf_counter() - started
            latencies.sort()
            q = statistics.quantiles(latencies, n=100)
            print(f"{kind:<9} workers={workers} clients={clients} requests={len(latencies)} errors={len(errors)} "
                  f"rps={len(latencies) / elapsed:.0f} p50={q[49] * 1000:.1f}ms "
                  f"p95={q[94] * 1000:.1f}ms backend_peak_rss={backend_rss(server.pid)}",
                  flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    for kind in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        run_one(kind, args.clients, args.seconds, args.workers)


if __name__ == "__main__":
    main()
