"""Rasa training time from scratch, the no-change retrain time, and per-message parse latency.

    .venvs/bot/bin/python bench/bot_speed.py [--skip-train] [--messages 400]

Training runs `rasa train` into a temporary folder with an empty component cache (our model
cache and Rasa's are left alone). The no-change
figure is scripts/train with its inputs unchanged. Parse latency is measured in-process
(Agent.parse_message) and over HTTP against a real `rasa run --enable-api` (POST /model/parse),
one message at a time, on messages from data/nlu.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}


def pct(values: list[float]) -> str:
    q = statistics.quantiles(values, n=100)
    return f"p50={q[49] * 1000:.1f}ms p95={q[94] * 1000:.1f}ms"


def messages(n: int) -> list[str]:
    import re

    texts = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in block.get("examples", "").splitlines():
                if line.startswith("- "):
                    texts.append(re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", line[2:]))
    random.Random(7).shuffle(texts)
    return texts[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--messages", type=int, default=400)
    args = parser.parse_args()
    rasa = str(ROOT / ".venvs" / "bot" / "bin" / "rasa")

    if not args.skip_train:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            # An empty Rasa component cache too, so nothing is restored from an earlier training.
            subprocess.run([rasa, "train", "--config", "bot/config.yml", "--domain", "bot/domain",
                            "--data", "data", "--out", tmp], cwd=ROOT, check=True,
                           env={**ENV, "RASA_CACHE_DIRECTORY": f"{tmp}/cache"},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"training from scratch: {time.perf_counter() - started:.0f}s", flush=True)
    started = time.perf_counter()
    model = subprocess.run([str(ROOT / "scripts" / "train")], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.strip().splitlines()[-1]
    print(f"scripts/train with nothing changed: {time.perf_counter() - started:.1f}s "
          f"(model {Path(model).name})", flush=True)

    texts = messages(args.messages)
    from rasa.core.agent import Agent

    agent = Agent.load(model)

    async def parse_all() -> list[float]:
        for text in texts[:20]:  # warm-up
            await agent.parse_message(text)
        out = []
        for text in texts:
            t0 = time.perf_counter()
            await agent.parse_message(text)
            out.append(time.perf_counter() - t0)
        return out

    print(f"parse in-process ({len(texts)} messages): {pct(asyncio.run(parse_all()))}", flush=True)

    port = 5905
    server = subprocess.Popen([rasa, "run", "--model", model, "--enable-api", "--port", str(port),
                               "--interface", "127.0.0.1"], cwd=ROOT, env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        latencies = []
        for i, text in enumerate(texts):
            body = json.dumps({"text": text}).encode()
            req = urllib.request.Request(f"http://127.0.0.1:{port}/model/parse", data=body,
                                         headers={"Content-Type": "application/json"})
            t0 = time.perf_counter()
            urllib.request.urlopen(req, timeout=30).read()
            if i >= 20:
                latencies.append(time.perf_counter() - t0)
        print(f"parse over HTTP /model/parse ({len(latencies)} messages): {pct(latencies)}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
