"""Hold-out NLU evaluation: intent macro-F1 overall, per intent, for English and for Spanish.

    .venvs/bot/bin/python bench/nlu_eval.py [--config another-config.yml]

A fixed 20% of the examples (chosen by a hash of their text, so the split never changes with
the data's order) is held out; an NLU model is trained on the other 80% with bot/config.yml
(cached by fingerprint like scripts/train) and then scores the held-out messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("WATERDESK_CACHE", Path.home() / ".cache" / "waterdesk"))
HOLDOUT_PERCENT = 20


def held_out(text: str) -> bool:
    return int(hashlib.sha256(text.strip().lower().encode()).hexdigest(), 16) % 100 < HOLDOUT_PERCENT


def split() -> tuple[list[dict], list[tuple[str, str, str]]]:
    """(training blocks, held-out (text, intent, language))."""
    train, test = [], []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" not in block:
                train.append(block)
                continue
            lang = (block.get("metadata") or {}).get("language", "en")
            examples = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
            keep = [e for e in examples if not held_out(plain(e))]
            test += [(plain(e), block["intent"], lang) for e in examples if held_out(plain(e))]
            train.append({**block, "examples": "".join(f"- {e}\n" for e in keep)})
    return train, test


def plain(example: str) -> str:
    """Entity markup off: "[Carter]{"entity": ...}" reads as "Carter"."""
    import re

    return re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", example).strip()


def train_model(blocks: list[dict], config_path: Path) -> Path:
    data = yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True, sort_keys=False)
    config = config_path.read_text()
    fp = hashlib.sha256((data + config).encode()).hexdigest()[:16]
    model = CACHE / "models" / f"nlu-holdout-{fp}.tar.gz"
    if model.exists():
        print(f"reusing {model}")
        return model
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "train.yml").write_text(data)
        started = time.perf_counter()
        subprocess.run([str(ROOT / ".venvs" / "bot" / "bin" / "rasa"), "train", "nlu",
                        "--config", str(config_path), "--nlu", f"{tmp}/train.yml",
                        "--domain", "bot/domain", "--out", tmp, "--fixed-model-name", "m"],
                       cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                  "TF_CPP_MIN_LOG_LEVEL": "3"},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"trained the hold-out model in {time.perf_counter() - started:.0f}s")
        model.parent.mkdir(parents=True, exist_ok=True)
        os.replace(Path(tmp) / "m.tar.gz", model)
    return model


async def predict(model: Path, texts: list[str]) -> list[tuple[str, list[dict]]]:
    """(intent, ranking) per text; the ranking shows what the classifier thought before fallback."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        out.append((parsed["intent"]["name"], parsed.get("intent_ranking", [])))
    return out


def without_fallback(ranking: list[dict]) -> tuple[str, float]:
    best = next(r for r in ranking if r["name"] != "nlu_fallback")
    return best["name"], best["confidence"]


def f1_table(gold: list[str], pred: list[str]) -> tuple[float, dict[str, float]]:
    labels = sorted(set(gold))
    scores = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred))
        fp = sum(g != label and p == label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return sum(scores.values()) / len(scores), scores


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, default=ROOT / "bot" / "config.yml",
                        help="a pipeline to try instead of bot/config.yml")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    train, test = split()
    print(f"held out {len(test)} of {len(test) + sum(b['examples'].count(chr(10)) for b in train if 'intent' in b)} examples ({HOLDOUT_PERCENT}%)")
    model = train_model(train, args.config.resolve())
    results = asyncio.run(predict(model, [t for t, _, _ in test]))
    predicted = [intent for intent, _ in results]
    # Retrieval intents parse as their base intent ("faq"); score them that way.
    gold = [intent.split("/")[0] for _, intent, _ in test]
    by_lang: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for (_, _, lang), g, p in zip(test, gold, predicted):
        by_lang[lang][0].append(g)
        by_lang[lang][1].append(p)
    macro, per_intent = f1_table(gold, predicted)
    print(f"\nintent macro-F1, all: {macro:.3f}  (n={len(gold)})")
    for lang, (g, p) in sorted(by_lang.items()):
        m, _ = f1_table(g, p)
        print(f"intent macro-F1, {lang}: {m:.3f}  (n={len(g)})")
    en = f1_table(*by_lang["en"])[1]
    es = f1_table(*by_lang["es"])[1]
    print(f"\n{'intent':<22} {'all':>6} {'en':>6} {'es':>6}")
    for label in sorted(per_intent):
        print(f"{label:<22} {per_intent[label]:>6.3f} {en.get(label, float('nan')):>6.3f} "
              f"{es.get(label, float('nan')):>6.3f}")
    # The fallback is a right answer for a message outside the domain ("sorry, I can't help
    # with that"): a second figure counts it so, the first does not.
    lenient = [g if (g == "out_of_scope" and p == "nlu_fallback") else p
               for g, p in zip(gold, predicted)]
    print(f"intent macro-F1, all, with the fallback accepted for out_of_scope: "
          f"{f1_table(gold, lenient)[0]:.3f}")
    fallbacks = sum(p == "nlu_fallback" for p in predicted)
    print(f"\nheld-out messages sent to the fallback: {fallbacks} of {len(predicted)}")
    # How the fallback threshold trades coverage for precision on the same held-out messages.
    ranked = [without_fallback(r) for _, r in results]
    for threshold in (0.0, 0.2, 0.3, 0.4, 0.5):
        pred_t = [name if conf >= threshold else "nlu_fallback" for name, conf in ranked]
        print(f"  if the fallback threshold were {threshold:.1f}: macro-F1 "
              f"{f1_table(gold, pred_t)[0]:.3f}, fallbacks {pred_t.count('nlu_fallback')}")
    wrong = [(t, g, p) for (t, _, _), g, p in zip(test, gold, predicted) if g != p]
    print("\nsome misses:")
    for t, g, p in wrong[:15]:
        print(f"  {g:>20} → {p:<20} {t[:70]}")


if __name__ == "__main__":
    main()
