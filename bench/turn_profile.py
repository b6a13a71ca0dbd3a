"""Where a bot turn's time goes: Rasa's CPU per turn, in-process, with a profile by stage.

    .venvs/bot/bin/python bench/turn_profile.py [--model FILE] [--rounds 5] [--profile]

Starts the real backend and action server (tests/utils/stack.py), loads the model in this
process with the action endpoint pointed at that action server, and replays scripted
conversations (FAQ, billing with verification, Spanish) turn by turn. It prints the CPU time
this process spent per turn (Rasa's share: the action server and backend are other processes),
split into routine turns (no backend call) and the rest, and with --profile a cProfile table
grouped by stage: NLU components, each policy, tracker work, the action server round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (text, routine): a routine turn needs nothing from the backend.
FAQ = [("hi", True), ("what are your office hours", True), ("where can I pay my bill", True),
       ("do you serve rancho santa margarita", True), ("thanks", True)]
FAQ_ES = [("hola", True), ("cual es su horario", True), ("donde puedo pagar mi recibo", True),
          ("gracias", True)]
BILLING = [("hello", True), ("how much do I owe", False), ("{account}", False),
           ("{zip}", False), ("thank you", True)]
ACCOUNTS = [("1000002", "92694"), ("1000001", "92688")]

# Stages, by the module a profiled function lives in (first match wins).
STAGES = [
    ("policy: TED", ("rasa/core/policies/ted_policy",)),
    ("TensorFlow (DIET, ResponseSelector, TED)", ("rasa/utils/tensorflow", "tensorflow/",
                                                  "keras/")),
    ("policy: rules", ("rasa/core/policies/rule_policy",)),
    ("policy: memoization", ("rasa/core/policies/memoization",)),
    ("policy: ensemble/featurize", ("rasa/core/policies/", "rasa/core/featurizers",
                                    "rasa/shared/core/trackers", "rasa/shared/core/domain")),
    ("NLU: DIET/ResponseSelector", ("rasa/nlu/classifiers/diet", "rasa/nlu/selectors")),
    ("NLU: featurizers", ("rasa/nlu/featurizers", "sklearn/feature_extraction")),
    ("NLU: our rule entities", ("bot/components/rule_entities", "bot/components/dates")),
    ("NLU: urgency", ("bot/components/urgency",)),
    ("NLU: spaCy", ("spacy/", "rasa/nlu/utils/spacy", "rasa/nlu/tokenizers")),
    ("action result check (jsonschema)", ("jsonschema/", "pyrsistent/")),
    ("tracker copies (deepcopy)", ("copy.py",)),
    ("event class lookup", ("rasa/shared/utils/common",)),
    ("action server round trip", ("rasa/core/actions/action.py", "aiohttp/", "rasa/utils/endpoints")),
    ("events/serialisation", ("rasa/shared/core/events", "json/", "rasa/shared/utils/io")),
    ("graph runner (dask)", ("dask/", "rasa/engine/")),
    ("asyncio/threads", ("asyncio/", "threading.py", "concurrent/")),
]


def stage_of(filename: str) -> str:
    for name, parts in STAGES:
        if any(p in filename for p in parts):
            return name
    return "other"


def by_stage(profile: cProfile.Profile) -> dict[str, float]:
    """Self time per stage: each function's own time counted once, under its module's stage."""
    stats = pstats.Stats(profile)
    totals: dict[str, float] = {}
    for (filename, _, _), (_, _, self_time, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        stage = stage_of(filename)
        totals[stage] = totals.get(stage, 0.0) + self_time
    return totals


async def run(agent, conversations, *, profile: cProfile.Profile | None):  # type: ignore[no-untyped-def]
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    routine, other = [], []
    for n, (script, account) in enumerate(conversations):
        sender = f"bench-{n}-{time.time_ns()}"
        for text, is_routine in script:
            text = text.format(account=account[0], zip=account[1])
            message = UserMessage(text, CollectingOutputChannel(), sender)
            c0 = time.process_time()
            if profile:
                profile.enable()
            await agent.handle_message(message)
            if profile:
                profile.disable()
            (routine if is_routine else other).append(time.process_time() - c0)
    return routine, other


def ms(values: list[float]) -> str:
    q = statistics.quantiles(values, n=20) if len(values) > 1 else values * 19
    return f"mean={statistics.fmean(values) * 1000:5.1f}ms p50={statistics.median(values) * 1000:5.1f}ms p95={q[18] * 1000:5.1f}ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tests.utils import stack as stacks

    print(f"$ .venvs/bot/bin/python bench/turn_profile.py {' '.join(sys.argv[1:])}")
    print(f"# {time.strftime('%Y-%m-%d %H:%M:%S')}  model {Path(args.model).resolve().name}  "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        tmp_path = Path(tmp)
        backend = stack.enter_context(stacks.start_backend(tmp_path, stack=stack))
        port = stacks.free_port()
        quiet = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)}
        log = tmp_path / "actions.log"
        proc = stack.enter_context(stacks.process(
            [str(stacks.BOT_BIN / "python"), "-m", "actions.server", "--port", str(port)],
            env={**quiet, "WATERDESK_API_URL": backend, "ACTION_TOKEN": stacks.ACTION_TOKEN,
                 "WATERDESK_SERVICE_TOKEN": stacks.SERVICE_TOKEN, "ENVIRONMENT": "test"}, log=log))
        stacks.wait_until(f"http://127.0.0.1:{port}/health", timeout=90, proc=proc, log=log)

        import logging

        from rasa.core.agent import Agent
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.endpoints import EndpointConfig
        from rasa.utils.log_utils import configure_structlog

        # As `rasa run` does at its default level: no debug records built per turn.
        configure_logging_and_warnings(logging.INFO)
        configure_structlog(logging.INFO)

        t0 = time.perf_counter()
        agent = Agent.load(args.model, action_endpoint=EndpointConfig(
            f"http://127.0.0.1:{port}/webhook", headers={"X-Action-Token": stacks.ACTION_TOKEN}))
        print(f"model load: {time.perf_counter() - t0:.1f}s", flush=True)
        conversations = [(FAQ, ACCOUNTS[0]), (FAQ_ES, ACCOUNTS[0])]
        conversations += [(BILLING, a) for a in ACCOUNTS]
        asyncio.run(run(agent, conversations, profile=None))  # warm-up: graphs, caches
        routine, other = asyncio.run(run(agent, conversations * args.rounds, profile=None))
        print(f"Rasa CPU per routine turn ({len(routine)}): {ms(routine)}")
        print(f"Rasa CPU per turn with backend calls ({len(other)}): {ms(other)}")
        status = Path("/proc/self/status").read_text()
        rss = {k: int(v.split()[0]) // 1024 for k, v in
               (line.split(":", 1) for line in status.splitlines()) if k in ("VmRSS", "VmHWM")}
        print(f"this process (the model loaded): VmRSS {rss['VmRSS']} MB, peak {rss['VmHWM']} MB")
        if args.profile:  # a second pass: the profiler's overhead stays out of the figures above
            profile = cProfile.Profile()
            asyncio.run(run(agent, conversations * args.rounds, profile=profile))
            totals = by_stage(profile)
            turns = len(routine) + len(other)
            print(f"profile (self time per turn, cProfile inflates it; {turns} turns):")
            for stage, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
                print(f"  {stage:32s} {seconds / turns * 1000:6.1f} ms")
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
