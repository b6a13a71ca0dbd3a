"""Containment: the share of routine tasks WaterDesk finishes without a person.

    .venvs/app/bin/python bench/containment_eval.py [--lang en|es] [--kind balance,...]
        [--limit N] [--concurrency 3] [--model PATH] [--logs DIR] [--verbose]

Starts the real services (tests/utils/stack.py: backend on SQLite with the seeded demo district,
action server, one Rasa server) with the clock at WATERDESK_NOW (2026-12-02T17:00:00Z unless
set), then runs each task of bench/data/containment.yml through the REST conversation API: a
scripted customer (bench/customer.py) opens with the task's message and answers whatever the
bot asks, up to 12 messages. A task is contained when its goal is met (the bot's replies match
the expected fact, or the backend's records show the change: API reads where there is one,
the database otherwise) and the conversation was never handed to a person (its status stayed
`bot`, with no handoff reason). Tasks run a few at a time, each on its own account.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from customer import Customer  # noqa: E402
from tests.utils.stack import SERVICE_TOKEN, start_stack  # noqa: E402

TASKS = ROOT / "bench" / "data" / "containment.yml"
NOW = "2026-12-02T17:00:00Z"
MAX_TURNS = 12
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
MONTHS_ES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
             "septiembre", "octubre", "noviembre", "diciembre"]


@dataclass
class Result:
    task: dict[str, Any]
    contained: bool = False
    why: str = ""
    transcript: list[str] = field(default_factory=list)
    handoff: str = ""
    detour: bool = False  # the customer had to repeat its request or pick from a menu


def money_re(value: Any) -> str:
    return r"(?<![\d,.])\$?" + re.escape(f"{Decimal(str(value)):,.2f}")


def date_re(iso: str) -> str:
    d = date.fromisoformat(str(iso)[:10])
    return (rf"{d:%B} {d.day}\b|\b{d.day} de {MONTHS_ES[d.month - 1]}|"
            rf"\b{d.month}/{d.day}\b|\b{d.day}/{d.month}/{d.year}")


class Backend:
    """What the backend says about an account, through its API (and its database where the API
    has no read: arrangements, contact details)."""

    def __init__(self, http: httpx.AsyncClient, database_url: str) -> None:
        self.http, self.engine, self.tokens = http, create_engine(database_url), {}

    async def summary(self, account: dict[str, Any], strict: bool = True) -> dict[str, Any]:
        number = account["number"]
        if number not in self.tokens:
            r = await self.http.post("/api/v1/verify",
                                     json={"account_number": number, "zip": account["zip"]})
            if not r.json().get("verified"):
                if not strict:
                    return {}
                raise SystemExit(f"account {number} no longer verifies with ZIP {account['zip']}: "
                                 "the seed changed; update bench/data/containment.yml")
            self.tokens[number] = r.json()["verification_token"]
        r = await self.http.get(f"/api/v1/accounts/{number}",
                                headers={"X-Verification-Token": self.tokens[number]})
        r.raise_for_status()
        return r.json()

    def row(self, sql: str, number: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), {"n": number}).first()

    def arrangements(self, number: str) -> int:
        return self.row("SELECT count(*) FROM paymentarrangement p JOIN account a ON "
                        "a.id = p.account_id WHERE a.account_number = :n", number)[0]

    def contact(self, number: str) -> Any:
        return self.row("SELECT c.phone, c.email, c.mailing_street FROM customer c JOIN account a "
                        "ON a.customer_id = c.id WHERE a.account_number = :n", number)

    async def order(self, kind: str, number: str) -> dict[str, Any]:
        r = await self.http.get(f"/api/v1/{kind}/{number}")
        return r.json() if r.status_code == 200 else {}


async def prepare(backend: Backend, task: dict[str, Any]) -> dict[str, Any]:
    """The account as it stands before the task, and the expected reply with its facts."""
    before: dict[str, Any] = {}
    expect = dict(task["expect"])
    if task.get("account"):
        s = await backend.summary(task["account"])
        bill = s.get("last_bill") or {}
        before = {"summary": s, "arrangements": backend.arrangements(task["account"]["number"])}
        values = {"balance": money_re(s["balance"]), "due": date_re(s["due_date"] or "1970-01-01"),
                  "bill_total": money_re(bill.get("total", 0)),
                  "last_hcf": rf"\b{bill.get('consumption_hcf')} HCF"}
        if "reply" in expect:
            expect["reply"] = re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], m[0]),
                                     expect["reply"])
    return {"before": before, "expect": expect}


async def goal_met(backend: Backend, task: dict[str, Any], prep: dict[str, Any],
                   said: str) -> tuple[bool, str]:
    expect, account, facts = prep["expect"], task.get("account") or {}, task.get("facts") or {}
    if "reply" in expect:
        ok = re.search(expect["reply"], said, re.IGNORECASE) is not None
        return ok, "" if ok else f"no reply matched /{expect['reply']}/"
    record = expect["record"]
    number = account.get("number", "")
    if record in ("autopay_on", "autopay_off", "paperless_on", "paperless_off"):
        flag, want = record.split("_")
        ok = (await backend.summary(account))[flag] == (want == "on")
        return ok, "" if ok else f"{flag} is not {want} in the backend"
    if record in ("extension", "fee_waived"):
        now, then = await backend.summary(account), prep["before"]["summary"]
        ok = (now["due_date"] > then["due_date"] if record == "extension"
              else Decimal(str(now["balance"])) < Decimal(str(then["balance"])))
        return ok, "" if ok else f"no {record.replace('_', ' ')} in the backend"
    if record == "arrangement":
        ok = backend.arrangements(number) > prep["before"]["arrangements"]
        return ok, "" if ok else "no new payment arrangement in the backend"
    if record.startswith("contact:"):
        which = record.split(":")[1]
        phone, email, street = backend.contact(number)
        new = facts["contact"][which]
        ok = {"phone": lambda: phone == re.sub(r"\D", "", new)[-10:],
              "email": lambda: (email or "").lower() == new.lower(),
              "mailing": lambda: fold_street(street) == fold_street(new.split(",")[0])}[which]()
        return ok, "" if ok else f"the {which} on file is not {new}"
    if record.startswith("work_order:"):
        for wo in dict.fromkeys(re.findall(r"\bWO-\d+", said)):
            order = await backend.order("work-orders", wo)
            if order.get("kind") == record.split(":")[1]:
                return True, ""
        return False, f"no {record.split(':')[1]} work order named in the replies"
    for so in dict.fromkeys(re.findall(r"\bSO-\d+", said)):  # stop, start, transfer
        o = await backend.order("service-orders", so)
        if o.get("kind") != record or o.get("requested_date") != facts.get("date"):
            continue
        if record != "start" and o.get("account_number") != number:
            continue
        if record != "stop":  # the new account is at the new address
            new = await backend.summary({"number": o.get("new_account_number"),
                                         "zip": facts["new_zip"]}, strict=False)
            if fold_street(facts["new_address"]) not in fold_street(new.get("service_address")):
                continue
        return True, ""
    return False, f"no {record} order for {facts.get('date')} named in the replies"


def fold_street(s: str | None) -> str:
    return re.sub(r"\W+", " ", (s or "").lower()).strip()


async def run_task(http: httpx.AsyncClient, backend: Backend, task: dict[str, Any]) -> Result:
    res = Result(task)
    prep = await prepare(backend, task)
    customer = Customer(task, style=sum(map(ord, task["id"])))
    cid = (await http.post("/api/v1/conversations")).json()["id"]
    message: str | None = customer.opening()
    said, met, why = "", False, ""
    for _ in range(MAX_TURNS):
        res.transcript.append(f"customer: {message}")
        r = await http.post(f"/api/v1/conversations/{cid}/messages", json={"text": message})
        if r.status_code != 200:
            res.why = f"HTTP {r.status_code} from the conversation API: {r.text[:200]}"
            break
        body = r.json()
        replies = [m for m in body["replies"] if m["sender"] in ("bot", "system")]
        for m in replies:
            m["buttons"] = (m["payload"] or {}).get("buttons") or []
            buttons = " ".join(f"[{b.get('title')}]" for b in m["buttons"])
            if m["text"] or buttons:
                res.transcript.append(f"{m['sender']}: {m['text']} {buttons}".rstrip())
        said += "\n" + "\n".join(m["text"] for m in replies)
        met, why = await goal_met(backend, task, prep, said)
        if met or body["status"] != "bot":
            break
        message = customer.reply([m for m in replies if m["sender"] == "bot"])
        if message is None:
            why = f"the customer gave up ({customer.gave_up}); {why}"
            break
    else:
        why = f"not done in {MAX_TURNS} messages; {why}"
    res.detour = customer.rephrased or any(customer.clicked - {""})
    conv = (await http.get(f"/api/v1/conversations/{cid}")).json()
    if conv["status"] != "bot" or conv.get("handoff_reason"):
        code = (conv.get("handoff") or {}).get("reason_code") or conv.get("handoff_reason")
        res.handoff = str(code)
        res.why = f"handed to a person ({code}, status {conv['status']})"
    elif not res.why:
        res.contained, res.why = met, "" if met else why
    return res


async def run_all(backend_url: str, database_url: str, tasks: list[dict[str, Any]],
                  concurrency: int, verbose: bool) -> list[Result]:
    async with httpx.AsyncClient(base_url=backend_url, headers=SERVICE, timeout=180) as http:
        backend = Backend(http, database_url)
        sem = asyncio.Semaphore(concurrency)

        async def one(task: dict[str, Any]) -> Result:
            async with sem:
                try:
                    res = await run_task(http, backend, task)
                except (httpx.HTTPError, KeyError, ValueError) as exc:
                    res = Result(task, why=f"bench error: {exc!r}")
            mark = "ok  " if res.contained else "FAIL"
            print(f"{mark} {task['id']}" + (f"  {res.why}" if res.why else ""), flush=True)
            if verbose:
                print("\n".join("      " + line[:300] for line in res.transcript), flush=True)
            return res

        return await asyncio.gather(*(one(t) for t in tasks))


def share(results: list[Result]) -> str:
    n = sum(r.contained for r in results)
    return f"{n}/{len(results)} = {n / len(results):.3f}" if results else "-"


def report(results: list[Result]) -> None:
    print(f"\ncontained overall {share(results)}   "
          f"EN {share([r for r in results if r.task['lang'] == 'en'])}   "
          f"ES {share([r for r in results if r.task['lang'] == 'es'])}   (aim >= 0.95)")
    kinds: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        kinds[r.task["kind"]].append(r)
    print("by kind  " + "  ".join(f"{k} {sum(r.contained for r in v)}/{len(v)}"
                                  for k, v in kinds.items()))
    detours = [r.task["id"] for r in results if r.contained and r.detour]
    print(f"contained after a rephrase or a menu pick {len(detours)}: {' '.join(detours)}")
    handoffs = Counter(r.handoff for r in results if r.handoff)
    print(f"handoffs {sum(handoffs.values())}" + (f" {dict(handoffs)}" if handoffs else ""))
    for r in results:
        if r.contained:
            continue
        print(f"\nFAIL {r.task['id']} ({r.task['kind']}, {r.task['lang']}): {r.why}")
        lines = r.transcript if len(r.transcript) <= 14 else (
            r.transcript[:4] + ["…"] + r.transcript[-9:])
        for line in lines:
            print("    " + (line if len(line) <= 260 else line[:257] + "..."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=["en", "es"])
    parser.add_argument("--kind", help="comma-separated task kinds (see the tasks file)")
    parser.add_argument("--limit", type=int, help="run the first N matching tasks")
    parser.add_argument("--concurrency", type=int, default=3)
    parser.add_argument("--tasks", type=Path, default=TASKS)
    parser.add_argument("--model", type=Path, help="a trained model (default: scripts/train's)")
    parser.add_argument("--logs", type=Path, help="copy the services' logs here afterwards")
    parser.add_argument("--verbose", action="store_true", help="print every transcript")
    args = parser.parse_args()
    exe = os.path.relpath(sys.executable)
    print("$ " + shlex.join([sys.executable if exe.startswith("..") else exe] + sys.argv),
          flush=True)
    tasks = yaml.safe_load(args.tasks.read_text())["tasks"]
    kinds = set(args.kind.split(",")) if args.kind else None
    tasks = [t for t in tasks if (not args.lang or t["lang"] == args.lang)
             and (not kinds or t["kind"] in kinds)][:args.limit]
    if not tasks:
        raise SystemExit("no task matches")
    os.environ.setdefault("WATERDESK_NOW", NOW)  # the stack's children take this clock
    model = args.model or Path(subprocess.run([str(ROOT / "scripts" / "train")], cwd=ROOT,
                                              check=True, capture_output=True,
                                              text=True).stdout.split()[-1])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()
    es = sum(t["lang"] == "es" for t in tasks)
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  commit {commit} (working tree)  "
          f"{platform.python_version()}  cpus={os.cpu_count()}  load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    print(f"# model {model.name}  clock {os.environ['WATERDESK_NOW']}  tasks {len(tasks)} "
          f"(EN {len(tasks) - es}, ES {es})  concurrency {args.concurrency}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with start_stack(Path(tmp), model=model, extra_env={"SMTP_LISTEN_PORT": "0"}) as stack:
            print(f"# services up in {time.perf_counter() - t0:.0f}s", flush=True)
            t1 = time.perf_counter()
            results = asyncio.run(run_all(stack.backend, stack.database_url, tasks,
                                          args.concurrency, args.verbose))
            print(f"# tasks ran in {time.perf_counter() - t1:.0f}s", flush=True)
            if args.logs:
                args.logs.mkdir(parents=True, exist_ok=True)
                for log in Path(tmp).glob("*.log"):
                    shutil.copy(log, args.logs / log.name)
    report(results)


if __name__ == "__main__":
    main()
