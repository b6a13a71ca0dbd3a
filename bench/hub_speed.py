"""End-to-end chat speed: a customer's message to the bot's replies over the hub's Socket.IO,
against bare Rasa's REST webhook as the baseline, in the same run; emails per minute; and the
peak RSS of every service process.

    .venvs/app/bin/python bench/hub_speed.py [--rasa-processes 1] [--conversations 1,50]
        [--seconds 20] [--scale] [--baseline-processes 1] [--email-only] [--email-concurrency 10]

Starts the real services (tests/utils/stack.py): backend, action server and N Rasa servers;
--scale puts the backend on PostgreSQL and Rasa's trackers and locks in PostgreSQL and Redis,
as scripts/run does with REDIS_URL. Each concurrent conversation is a closed loop (no think
time) over multi-turn scripts in English and Spanish: billing with verification, FAQs, small
talk. A hub message is done when its user_uttered ack arrives: the hub emits every bot_uttered
for a message before it acknowledges it. The baseline is one bare Rasa server, as the issue
defines it (--baseline-processes N spreads it over the first N servers by conversation, as the
hub does, to compare like with like). The client runs on the same machine and takes CPU too.
"""

import argparse
import asyncio
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import httpx
import socketio
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.utils.stack import HUB, SERVICE_TOKEN, Stack, start_stack  # noqa: E402

# {account} and {zip} are filled per conversation from the seeded accounts.
SCRIPTS = [
    ["hi", "how much do I owe", "{account}", "{zip}", "thanks"],
    ["what are your hours", "where can I pay my bill", "thank you"],
    ["hola", "cuánto debo", "{account}", "{zip}", "gracias"],
    ["when is my bill due", "my account number is {account}", "{zip}", "thanks, bye"],
    ["¿cuál es su horario de atención?", "¿dónde puedo pagar mi factura?", "gracias"],
    ["hello", "do you serve zip 92688?", "how do I find my water meter", "thanks"],
]
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)  # when each message's replies arrived
    errors: list[str] = field(default_factory=list)
    handoffs: int = 0

    def done(self, t0: float) -> None:
        now = time.perf_counter()
        self.latencies.append(now - t0)
        self.finished.append(now)


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


def report(label: str, concurrency: int, res: Result, started: float, seconds: float,
           rasa_cpu: float = float("nan")) -> float:
    # Throughput counts what finished inside the window; latency counts every message sent in it.
    rate = sum(1 for t in res.finished if t <= started + seconds) / seconds
    errors = f" errors={len(res.errors)}" + (f" (first: {res.errors[0]})" if res.errors else "")
    per_message = rasa_cpu / len(res.latencies) * 1000 if res.latencies else float("nan")
    print(f"{label:<10} conversations={concurrency:<3} messages={len(res.latencies):<5} "
          f"msg/s={rate:6.1f}  p50={pct(res.latencies, 50) * 1000:6.0f}ms  "
          f"p95={pct(res.latencies, 95) * 1000:6.0f}ms  rasa_cpu/msg={per_message:4.0f}ms  "
          f"handoffs={res.handoffs}{errors}", flush=True)
    return rate


class RasaCpu:
    """CPU seconds every Rasa process used during one phase."""

    def __init__(self, sampler: "RssSampler") -> None:
        self.sampler = sampler

    def __enter__(self) -> "RasaCpu":
        self.start = self._now()
        return self

    def __exit__(self, *exc: object) -> None:
        self.used = self._now() - self.start

    def _now(self) -> float:
        return sum(t for name, t in self.sampler.cpu().items() if name.startswith("rasa"))


def turns(i: int, accounts: list[tuple[str, str]]) -> list[str]:
    account, zip_code = accounts[i % len(accounts)]
    return [t.format(account=account, zip=zip_code) for t in SCRIPTS[i % len(SCRIPTS)]]


def home(conversation: str, urls: tuple[str, ...]) -> str:
    # Same spread as the hub's sticky routing (any stable hash will do for a baseline).
    return urls[int(uuid.UUID(conversation)) % len(urls)]


async def rest_worker(http: httpx.AsyncClient, rasas: tuple[str, ...], start: int, step: int,
                      accounts: list[tuple[str, str]], stop_at: float, res: Result) -> None:
    i = start
    while time.perf_counter() < stop_at:
        sender = uuid.uuid4().hex
        url = f"{home(sender, rasas)}/webhooks/rest/webhook"
        for message in turns(i, accounts):
            if time.perf_counter() >= stop_at:
                return
            t0 = time.perf_counter()
            try:
                r = await http.post(url, json={"sender": sender, "message": message},
                                    headers=HUB)
                if r.status_code != 200:
                    res.errors.append(f"HTTP {r.status_code}")
                    break
                replies = r.json()
            except httpx.HTTPError as exc:
                res.errors.append(repr(exc))
                break
            res.done(t0)
            if any("handoff" in (m.get("custom") or {}) for m in replies):
                res.handoffs += 1
                break
        i += step


async def bot_unavailable(backend: str, conversation_id: str) -> bool:
    """A hub handoff because Rasa failed or was too slow, rather than one the bot decided."""
    async with httpx.AsyncClient(headers=SERVICE, timeout=30) as http:
        r = await http.get(f"{backend}/api/v1/conversations/{conversation_id}")
    handoff = (r.json().get("handoff") or {}) if r.status_code == 200 else {}
    return handoff.get("reason_code") == "system_unavailable"


async def hub_worker(backend: str, start: int, step: int, accounts: list[tuple[str, str]],
                     stop_at: float, res: Result) -> None:
    i = start
    while time.perf_counter() < stop_at:
        sio = socketio.AsyncClient(reconnection=False)
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        sio.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
        try:
            await sio.connect(backend, transports=["websocket"], wait_timeout=30)
            await sio.emit("session_request", {"session_id": None})
            session_id = await asyncio.wait_for(confirmed, 30)
            for message in turns(i, accounts):
                if time.perf_counter() >= stop_at:
                    break
                t0 = time.perf_counter()
                ack = await sio.call("user_uttered", {"message": message,
                                                      "session_id": session_id}, timeout=60)
                if not (isinstance(ack, dict) and ack.get("ok")):
                    res.errors.append(f"ack {ack}")
                    break
                res.done(t0)
                if ack.get("status") != "bot":  # queued for a person: the bot is done here
                    if await bot_unavailable(backend, session_id):
                        res.errors.append("the hub found the bot unavailable (RASA_TIMEOUT?)")
                    else:
                        res.handoffs += 1
                    break
        except (socketio.exceptions.SocketIOError, asyncio.TimeoutError, OSError) as exc:
            res.errors.append(repr(exc))
        finally:
            await sio.disconnect()
        i += step


async def run_rest(stack: Stack, concurrency: int, seconds: float,
                   accounts: list[tuple[str, str]], processes: int = 1) -> tuple[Result, float]:
    res = Result()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(rest_worker(http, stack.rasas[:processes], i, concurrency, accounts,
                                           started + seconds, res) for i in range(concurrency)))
        return res, started


async def run_hub(stack: Stack, concurrency: int, seconds: float,
                  accounts: list[tuple[str, str]]) -> tuple[Result, float]:
    res = Result()
    started = time.perf_counter()
    await asyncio.gather(*(hub_worker(stack.backend, i, concurrency, accounts,
                                      started + seconds, res) for i in range(concurrency)))
    return res, started


def raw_email(i: int, accounts: list[tuple[str, str]]) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Customer {i} <customer{i}-{uuid.uuid4().hex[:8]}@example.org>"
    msg["To"] = "inbox@smwd.example.com"
    msg["Subject"] = ["My bill", "Office hours", "Pregunta sobre mi factura",
                      "Two questions"][i % 4]
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@example.org>"
    account, zip_code = accounts[i % len(accounts)]
    msg.set_content([
        f"Hi, how much do I owe? Account {account}, ZIP {zip_code}. Thanks",
        "What are your hours on Friday?",
        f"Hola, ¿cuánto debo? Cuenta {account}, código postal {zip_code}.",
        # An email as people write them: greeting, context, two requests, a signature.
        f"Good morning,\n\nWe moved in last spring and I'm still getting used to the bills. "
        f"Our account is {account} and the ZIP is {zip_code}.\n\nWhat is the balance right "
        "now? And how can I pay it online?\n\nThank you,\nSam Rivera\n(949) 555-0142",
    ][i % 4])
    return bytes(msg)


async def run_email(stack: Stack, concurrency: int, seconds: float,
                    accounts: list[tuple[str, str]]) -> None:
    async with httpx.AsyncClient(base_url=stack.backend, timeout=120, headers=SERVICE) as http:
        paths = (await http.get("/api/v1/openapi.json")).json().get("paths", {})
        if "/api/v1/email/inbound" not in paths:
            print("email      not measured: email intake missing", flush=True)
            return
        res = Result()
        statuses: dict[str, int] = {}
        started = time.perf_counter()
        stop_at = started + seconds

        async def worker(start: int) -> None:
            i = start
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                r = await http.post("/api/v1/email/inbound", content=raw_email(i, accounts),
                                    headers={"Content-Type": "message/rfc822"})
                key = (str(r.json().get("status")) if r.status_code == 202
                       else f"HTTP {r.status_code}")
                statuses[key] = statuses.get(key, 0) + 1
                if r.status_code == 202:
                    res.done(t0)
                i += concurrency

        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        in_window = sum(1 for t in res.finished if t <= stop_at)
        print(f"email      concurrent={concurrency} emails={len(res.latencies)} "
              f"per_minute={in_window / seconds * 60:.0f} "
              f"p50={pct(res.latencies, 50) * 1000:.0f}ms "
              f"p95={pct(res.latencies, 95) * 1000:.0f}ms statuses={statuses}", flush=True)


class RssSampler(threading.Thread):
    """Samples VmRSS of each service process from /proc; VmHWM gives the kernel's own peak."""

    def __init__(self, pids: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.peak = pids, {name: 0 for name in pids}
        self.stopped = threading.Event()

    @staticmethod
    def read(pid: int, key: str) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], self.read(pid, "VmRSS:"))

    def summary(self) -> str:
        parts = []
        for name, pid in self.pids.items():
            peak = max(self.peak[name], self.read(pid, "VmHWM:")) / 1024
            parts.append(f"{name}={peak:.0f}MB (now {self.read(pid, 'VmRSS:') / 1024:.0f})")
        return "  ".join(parts)

    def cpu(self) -> dict[str, float]:
        """CPU seconds each service has used: on few cores, what the hub uses Rasa goes without."""
        out = {}
        for name, pid in self.pids.items():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                out[name] = float("nan")
        return out


def service_pids(stack: Stack) -> dict[str, int]:
    """The stack's processes are this process's children; name them from their command lines."""
    children = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children += (task / "children").read_text().split()
    pids: dict[str, int] = {}
    ports = {url.rsplit(":", 1)[1]: f"rasa-{i + 1}" for i, url in enumerate(stack.rasas)}
    for pid in map(int, children):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        if "uvicorn" in argv:
            pids["backend"] = pid
        elif "actions.server" in argv:
            pids["actions"] = pid
        elif "run" in argv and "--port" in argv:
            pids[ports.get(argv[argv.index("--port") + 1], f"rasa-pid{pid}")] = pid
    return dict(sorted(pids.items()))


def seeded_accounts(database_url: str, n: int = 200) -> list[tuple[str, str]]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.account_number, p.zip FROM account a JOIN premise p ON p.id = a.premise_id "
            "ORDER BY a.id LIMIT :n"), {"n": n}).all()
    engine.dispose()
    return [(str(a), str(z)) for a, z in rows]


def header(args: argparse.Namespace, model: Path) -> None:
    exe = os.path.relpath(sys.executable)
    print("$ " + shlex.join([sys.executable if exe.startswith("..") else exe] + sys.argv))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  commit {commit} (working tree)  "
          f"{platform.python_version()}  cpus={os.cpu_count()}  memory={mem:.0f}GiB", flush=True)
    print(f"# model {model.name}  rasa_processes={args.rasa_processes}  "
          f"baseline=bare Rasa x{args.baseline_processes}  "
          f"stores={'PostgreSQL+Redis' if args.scale else 'SQLite, in-memory trackers'}  "
          f"seconds={args.seconds}  load average {os.getloadavg()[0]:.1f}", flush=True)


async def hub_available(backend: str) -> bool:
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{backend}/socket.io/", params={"EIO": "4", "transport": "polling"})
        return r.status_code == 200


async def measure(args: argparse.Namespace, stack: Stack, accounts: list[tuple[str, str]],
                  sampler: "RssSampler") -> None:
    if args.email_only:
        await run_email(stack, 4, 8, accounts)  # warm-up, not counted
        await run_email(stack, args.email_concurrency, args.seconds, accounts)
        return
    hub = await hub_available(stack.backend)
    # Warm-up, not counted: Rasa's first predictions and the backend's pools.
    await run_rest(stack, 4, 8, accounts)
    if hub:
        await run_hub(stack, 4, 8, accounts)
    rows = []
    for concurrency in args.conversations:
        with RasaCpu(sampler) as cpu:
            rest, rest_t = await run_rest(stack, concurrency, args.seconds, accounts,
                                          args.baseline_processes)
        rest_rate = report("bare-rasa", concurrency, rest, rest_t, args.seconds, cpu.used)
        if not hub:
            print("hub        not measured: the backend serves no Socket.IO", flush=True)
            continue
        with RasaCpu(sampler) as cpu:
            res, hub_t = await run_hub(stack, concurrency, args.seconds, accounts)
        hub_rate = report("hub", concurrency, res, hub_t, args.seconds, cpu.used)
        rows.append((concurrency, pct(res.latencies, 95) / pct(rest.latencies, 95),
                     hub_rate / rest_rate if rest_rate else float("nan")))
    for concurrency, p95_ratio, rate_ratio in rows:
        print(f"hub/bare   conversations={concurrency:<3} p95 ratio={p95_ratio:.2f} "
              f"(aim <= 1.3)  throughput ratio={rate_ratio:.2f} (aim >= 1.0)", flush=True)
    await run_email(stack, args.email_concurrency, args.seconds, accounts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa-processes", type=int, default=1)
    parser.add_argument("--conversations", default="1,50",
                        type=lambda s: [int(x) for x in s.split(",") if x.strip()])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--scale", action="store_true",
                        help="Rasa's trackers in PostgreSQL, locks in Redis; backend on PostgreSQL")
    parser.add_argument("--baseline-processes", type=int, default=1,
                        help="bare Rasa servers in the baseline (default: one, as in the issue)")
    parser.add_argument("--email-only", action="store_true",
                        help="measure only the email intake (after its own warm-up)")
    parser.add_argument("--email-concurrency", type=int, default=10)
    args = parser.parse_args()
    model = Path(subprocess.run([str(ROOT / "scripts" / "train")], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.split()[-1])
    header(args, model)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        # The HTTP intake is what's measured; no SMTP listener to clash with other runs' port.
        with start_stack(Path(tmp), model=model, rasa_processes=args.rasa_processes,
                         scale=args.scale, extra_env={"SMTP_LISTEN_PORT": "0"}) as stack:
            print(f"# services up in {time.perf_counter() - t0:.0f}s", flush=True)
            sampler = RssSampler(service_pids(stack))
            sampler.start()
            cpu0, own0 = sampler.cpu(), os.times()
            asyncio.run(measure(args, stack, seeded_accounts(stack.database_url), sampler))
            sampler.stopped.set()
            sampler.join()
            print(f"peak RSS   {sampler.summary()}", flush=True)
            own = os.times()
            used = {name: t - cpu0[name] for name, t in sampler.cpu().items()}
            used["bench-client"] = own.user + own.system - own0.user - own0.system
            print("CPU        " + "  ".join(f"{n}={t:.0f}s" for n, t in used.items())
                  + "  (all phases, warm-up and email included)", flush=True)
            print(f"# load average {os.getloadavg()[0]:.1f} (other work on the machine skews "
                  "the figures)", flush=True)


if __name__ == "__main__":
    main()
