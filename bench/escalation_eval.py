"""Escalation on a held-out set: does the real stack hand the right first messages to a person?

    .venvs/app/bin/python bench/escalation_eval.py [--lang en|es] [--category emergency,threat]
        [--limit N] [--concurrency 4] [--hint lang|en] [--model PATH]

Starts the real services as bench/hub_speed.py does (tests/utils/stack.py: backend, action server
and one Rasa server, on scripts/train's model, else models/current.tar.gz, or --model). For each
labelled message in bench/data/escalation.yml it opens a fresh conversation with the REST
conversation API, sends that one message, and reads the conversation afterwards: handed off when
its status is `queued` or `assigned` for a reason the bot gave (a hub timeout, reason_code
`system_unavailable`, is an error, not a handoff). Reply wording is never used to decide.
For `emergency` items it also checks that the replies give the district's emergency line
(backend/district.yml) and records the queued priority (expected: `emergency`).

Prints recall on the must-handoff items and the false-handoff rate on the must-not items (overall,
by language, by category), then every miss and every false handoff with the bot's reply.
Aims: recall >= 0.97, false handoffs <= 5%. The data set is held out: never train on it.
"""

import argparse
import asyncio
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common.urgency import normalize  # noqa: E402
from tests.utils.stack import SERVICE_TOKEN, start_stack  # noqa: E402

DATA = ROOT / "bench" / "data" / "escalation.yml"
DISTRICT = ROOT / "backend" / "district.yml"
SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
HANDED_OFF = ("queued", "assigned")
AIM_RECALL, AIM_FALSE = 0.97, 0.05


@dataclass
class Item:
    text: str
    lang: str
    handoff: bool
    category: str


@dataclass
class Outcome:
    item: Item
    handed_off: bool = False
    status: str = ""
    priority: str | None = None
    reason_code: str | None = None
    replies: list[str] = field(default_factory=list)
    line_shown: bool = False
    error: str | None = None


def trained_on() -> set[str]:
    """Every text the model learns from (data/nlu and bot/urgency), normalised."""
    texts: set[str] = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            texts |= {normalize(re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", line[2:]))
                      for line in block.get("examples", "").splitlines() if line.startswith("- ")}
    for path in (ROOT / "bot" / "urgency").glob("*.yml"):
        texts |= {normalize(str(t)) for ts in yaml.safe_load(path.read_text()).values() for t in ts}
    return texts


def load(path: Path, args: argparse.Namespace) -> list[Item]:
    items = [Item(text=str(d["text"]), lang=str(d["lang"]), handoff=bool(d["handoff"]),
                  category=str(d["category"])) for d in yaml.safe_load(path.read_text())]
    # Held out means never trained on: a message the model learnt from is not scored.
    seen = trained_on()
    kept = [i for i in items if normalize(i.text) not in seen]
    if len(kept) < len(items):
        print(f"# left out {len(items) - len(kept)} messages that are also training examples")
    items = kept
    if args.lang:
        items = [i for i in items if i.lang == args.lang]
    if args.category:
        wanted = {c.strip() for c in args.category.split(",") if c.strip()}
        items = [i for i in items if i.category in wanted]
    return items[:args.limit] if args.limit else items


def emergency_line_check(district: dict) -> Callable[[str], bool]:
    """True when a reply gives the emergency phone: its digits, and its option if it has one
    ("(949) 459-6420, option 1"; the Spanish reply may say "opción 1")."""
    phone = str(district["emergency_phone"])
    number, _, rest = phone.partition(",")
    digits = re.sub(r"\D", "", number)
    option = re.search(r"\d+", rest)
    option_re = re.compile(rf"(option|opci[oó]n)\s*#?\s*{option.group()}\b", re.I) if option \
        else None

    def shown(text: str) -> bool:
        if digits not in re.sub(r"\D", "", text):
            return False
        return option_re is None or bool(option_re.search(text))
    return shown


async def run_one(http: httpx.AsyncClient, item: Item, hint: str,
                  line_shown: Callable[[str], bool]) -> Outcome:
    out = Outcome(item=item)
    try:
        r = await http.post("/api/v1/conversations",
                            params={"language": item.lang if hint == "lang" else hint})
        r.raise_for_status()
        cid = r.json()["id"]
        r = await http.post(f"/api/v1/conversations/{cid}/messages", json={"text": item.text})
        r.raise_for_status()
        out.replies = [m["text"] for m in r.json()["replies"] if m["text"]]
        r = await http.get(f"/api/v1/conversations/{cid}")
        r.raise_for_status()
        conv = r.json()
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        out.error = repr(exc)[:200]
        return out
    out.status = conv["status"]
    out.priority = conv.get("handoff_priority")
    out.reason_code = (conv.get("handoff") or {}).get("reason_code")
    if out.reason_code == "system_unavailable":
        out.error = f"the hub found the bot unavailable: {conv.get('handoff_reason')}"
    out.handed_off = out.status in HANDED_OFF and out.error is None
    out.line_shown = line_shown(" ".join(out.replies))
    return out


async def run_all(backend: str, items: list[Item], args: argparse.Namespace,
                  line_shown: Callable[[str], bool]) -> list[Outcome]:
    sem = asyncio.Semaphore(args.concurrency)
    done = 0
    async with httpx.AsyncClient(base_url=backend, headers=SERVICE, timeout=120) as http:
        # Warm-up, not counted: Rasa's first predictions are slow.
        for text, lang in (("hello", "en"), ("hola", "es")):
            await run_one(http, Item(text, lang, False, "warmup"), "lang", line_shown)

        async def one(item: Item) -> Outcome:
            nonlocal done
            async with sem:
                out = await run_one(http, item, args.hint, line_shown)
            done += 1
            if done % 50 == 0:
                print(f"# {done}/{len(items)} sent", flush=True)
            return out
        return await asyncio.gather(*(one(i) for i in items))


def rate(num: int, den: int) -> str:
    return f"{num / den:.3f} ({num}/{den})" if den else "n/a"


def short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


def report(results: list[Outcome]) -> None:
    ok = [o for o in results if o.error is None]
    must = [o for o in ok if o.item.handoff]
    must_not = [o for o in ok if not o.item.handoff]
    print(f"items={len(results)}  must-handoff={len(must)}  must-not={len(must_not)}  "
          f"en={sum(o.item.lang == 'en' for o in ok)}  es={sum(o.item.lang == 'es' for o in ok)}  "
          f"errors={len(results) - len(ok)}")

    def block(title: str, group: list[Outcome], hit: bool, aim: str) -> None:
        n = sum(o.handed_off == hit for o in group)
        print(f"\n{title}: {rate(n, len(group))}  {aim}")
        for lang in ("en", "es"):
            sub = [o for o in group if o.item.lang == lang]
            print(f"  {lang:<16} {rate(sum(o.handed_off == hit for o in sub), len(sub))}")
        for cat in sorted({o.item.category for o in group}):
            sub = [o for o in group if o.item.category == cat]
            print(f"  {cat:<16} {rate(sum(o.handed_off == hit for o in sub), len(sub))}")

    block("recall (must-handoff handed off)", must, True, f"(aim >= {AIM_RECALL})")
    block("false handoffs (must-not handed off)", must_not, True, f"(aim <= {AIM_FALSE:.0%})")
    emergencies = [o for o in ok if o.item.category == "emergency"]
    if emergencies:
        shown = sum(o.line_shown for o in emergencies)
        print(f"\nemergency line shown:    {rate(shown, len(emergencies))}")
        print(f"emergency priority:      "
              f"{rate(sum(o.priority == 'emergency' for o in emergencies), len(emergencies))}  "
              f"priorities={dict(Counter(o.priority or '-' for o in emergencies))}")
        for o in emergencies:
            if o.handed_off and not (o.line_shown and o.priority == "emergency"):
                print(f"  - [{o.item.lang}] line={'yes' if o.line_shown else 'NO'} "
                      f"priority={o.priority} {short(o.item.text, 100)!r}")
    misses = [o for o in must if not o.handed_off]
    print(f"\nMISSES ({len(misses)}): must hand off, the bot kept it")
    for o in sorted(misses, key=lambda o: (o.item.category, o.item.lang)):
        print(f"  [{o.item.category}/{o.item.lang}] {o.item.text!r}\n      bot: "
              f"{short(' | '.join(o.replies)) or '(no reply)'}")
    false = [o for o in must_not if o.handed_off]
    print(f"\nFALSE HANDOFFS ({len(false)}): the bot handed off what it should handle")
    for o in sorted(false, key=lambda o: (o.item.category, o.item.lang)):
        print(f"  [{o.item.category}/{o.item.lang}] {o.item.text!r}\n      reason={o.reason_code} "
              f"priority={o.priority}  bot: {short(' | '.join(o.replies)) or '(no reply)'}")
    errors = [o for o in results if o.error]
    if errors:
        print(f"\nERRORS ({len(errors)})")
        for o in errors:
            print(f"  [{o.item.category}/{o.item.lang}] {short(o.item.text, 80)!r}: {o.error}")


def current_model() -> Path:
    """scripts/train's model (trained if the bot's inputs changed), as bench/hub_speed.py does;
    if training fails (inputs mid-edit), the last model it linked, models/current.tar.gz."""
    run = subprocess.run([str(ROOT / "scripts" / "train")], cwd=ROOT, capture_output=True,
                         text=True)
    if run.returncode == 0 and run.stdout.split():
        return Path(run.stdout.split()[-1])
    fallback = (ROOT / "models" / "current.tar.gz").resolve()
    if not fallback.is_file():
        sys.exit(f"scripts/train failed, no models/current.tar.gz:\n{run.stderr[-2000:]}")
    last = (run.stderr.strip().splitlines() or ["?"])[-1]
    print(f"# scripts/train failed ({last}); using models/current.tar.gz", flush=True)
    return fallback


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=("en", "es"))
    parser.add_argument("--category", help="comma-separated categories")
    parser.add_argument("--limit", type=int, default=0, help="first N items after filtering")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--hint", default="lang", choices=("lang", "en", "es"),
                        help="language the conversation opens in: the item's (as a widget on a "
                             "page in that language), or always en/es")
    parser.add_argument("--model", type=Path, help="model archive (default: scripts/train's)")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()

    exe = os.path.relpath(sys.executable)
    print("$ " + shlex.join([sys.executable if exe.startswith("..") else exe] + sys.argv),
          flush=True)
    model = args.model or current_model()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()
    items = load(args.data, args)
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  commit {commit} (working tree)  "
          f"model {model.name}  data {os.path.relpath(args.data, ROOT)}  "
          f"concurrency={args.concurrency}  hint={args.hint}  "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    if not items:
        sys.exit("no items match the filters")
    line_shown = emergency_line_check(yaml.safe_load(DISTRICT.read_text()))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        with start_stack(Path(tmp), model=model, extra_env={"SMTP_LISTEN_PORT": "0"}) as stack:
            print(f"# services up in {time.perf_counter() - t0:.0f}s", flush=True)
            t1 = time.perf_counter()
            results = asyncio.run(run_all(stack.backend, items, args, line_shown))
            sent = time.perf_counter() - t1
    print()
    report(results)
    print(f"\n# total {time.perf_counter() - t0:.0f}s ({sent:.0f}s for {len(items)} conversations)"
          f"  load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
