"""Held-out NLU evaluation: how well the trained bot reads messages it has never seen.

    .venvs/bot/bin/python bench/nlu_eval.py [--lang en|es] [--show-errors 30] [--model FILE]

Scores the model scripts/train produced for the current fingerprint (training it through
scripts/train only when that model is missing) on bench/data/nlu_heldout.yml: customer messages
written the way customers type, kept out of data/ on purpose. Refuses to run if any of them,
normalised (lower case, accents, punctuation and extra spaces off), equals a training example.

Every message is parsed in-process (Agent.parse_message). For the retrieval intent `faq` the
response selector's `faq/<name>` is what counts; `nlu_fallback` is a wrong answer. Prints intent
macro-F1 per language and overall, accuracy, a per-intent table, the worst confusions, the
misread messages, and the parse latency per message after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("WATERDESK_CACHE", Path.home() / ".cache" / "waterdesk"))
HELDOUT = ROOT / "bench" / "data" / "nlu_heldout.yml"
AIM_F1 = 0.93  # intent macro-F1, per language
AIM_P95_MS = 30.0  # in-process parse latency
WARMUP = 20


def normalise(text: str) -> str:
    """Lower case, accents, punctuation and extra spaces off: "¿Cuánto debo?" → "cuanto debo"."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


def training_examples() -> dict[str, str]:
    """Normalised training example → its intent, entity markup off ("[Carter]{...}" → "Carter")."""
    out = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in block.get("examples", "").splitlines():
                if line.startswith("- "):
                    text = re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", line[2:])
                    out[normalise(text)] = block["intent"]
    return out


def load_heldout(path: Path) -> list[dict]:
    items = yaml.safe_load(path.read_text())
    train = training_examples()
    intents = set(train.values())
    leaked = [(m["text"], m["intent"], train[normalise(m["text"])])
              for m in items if normalise(m["text"]) in train]
    unknown = sorted({m["intent"] for m in items} - intents)
    bad_lang = [m["text"] for m in items if m.get("lang") not in ("en", "es")]
    if leaked or unknown or bad_lang:
        for text, intent, train_intent in leaked:
            print(f"held-out message is a training example: {text!r} ({intent}; in data/nlu as "
                  f"{train_intent})", file=sys.stderr)
        for intent in unknown:
            print(f"held-out intent not in data/nlu: {intent}", file=sys.stderr)
        for text in bad_lang:
            print(f"held-out message without lang en|es: {text!r}", file=sys.stderr)
        sys.exit(f"{path.relative_to(ROOT)} is not a clean held-out set: fix the messages above")
    return items


def current_model() -> Path:
    """The model scripts/train made for the current inputs; trains it only if it is missing."""
    train = str(ROOT / "scripts" / "train")
    done = subprocess.run([train, "--print-fingerprint"], cwd=ROOT, text=True,
                          stdout=subprocess.PIPE)
    if done.returncode:
        sys.exit("scripts/train --print-fingerprint failed (see above); pass --model FILE")
    fp = done.stdout.strip()
    model = CACHE / "models" / f"waterdesk-{fp}.tar.gz"
    if not model.exists():
        print(f"# no model for fingerprint {fp}: running scripts/train", flush=True)
        out = subprocess.run([train], cwd=ROOT, text=True, stdout=subprocess.PIPE)
        if out.returncode:
            sys.exit(f"scripts/train failed (exit {out.returncode}); pass --model FILE")
        model = Path(out.stdout.strip().splitlines()[-1])
    return model


def predicted_label(parsed: dict) -> tuple[str, float, str]:
    """(label, confidence, what DIET thought when it fell back): the label is the intent the bot
    acts on, `faq/<name>` from the response selector (and its confidence) for the faq intent."""
    intent = parsed["intent"]
    if intent.get("name") == "urgent":
        # The urgency classifier sends it to a person (bench/escalation_eval.py measures that);
        # the intent scored here is the NLU's own reading, which it keeps second in the ranking.
        intent = next((r for r in parsed.get("intent_ranking", []) if r["name"] != "urgent"),
                      {"name": "nlu_fallback", "confidence": 0.0})
    name, confidence = intent.get("name") or "nlu_fallback", intent.get("confidence") or 0.0
    selectors = parsed.get("response_selector") or {}
    if name in selectors.get("all_retrieval_intents", []):
        selector = (selectors.get(name) or selectors.get("default") or {}).get("response") or {}
        name = selector.get("intent_response_key") or name
        confidence = selector.get("confidence", confidence)
    guess = ""
    if name == "nlu_fallback":
        best = next((r for r in parsed.get("intent_ranking", []) if r["name"] != name), None)
        guess = f"(DIET: {best['name']} {best['confidence']:.2f})" if best else ""
    return name, confidence, guess


async def parse_all(model: Path, texts: list[str]) -> tuple[list[tuple], list[float]]:
    """predicted_label() per text, and the parse time of each in seconds, after a warm-up."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # as `rasa run` does: no debug line per parse
    agent = Agent.load(str(model))
    for text in texts[:WARMUP]:
        await agent.parse_message(text)
    predictions, seconds = [], []
    for text in texts:
        started = time.perf_counter()
        parsed = await agent.parse_message(text)
        seconds.append(time.perf_counter() - started)
        predictions.append(predicted_label(parsed))
    return predictions, seconds


def per_label(gold: list[str], pred: list[str]) -> dict[str, tuple[float, float, float, int]]:
    """label → (precision, recall, F1, support), for every label the gold answers use."""
    scores = {}
    for label in sorted(set(gold)):
        tp = sum(g == label == p for g, p in zip(gold, pred))
        fp = sum(g != label == p for g, p in zip(gold, pred))
        support = gold.count(label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = (precision, recall, f1, support)
    return scores


def macro_f1(gold: list[str], pred: list[str]) -> float:
    scores = per_label(gold, pred)
    return sum(s[2] for s in scores.values()) / len(scores) if scores else float("nan")


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=["en", "es"], help="score one language only")
    parser.add_argument("--show-errors", type=int, default=20, metavar="N",
                        help="misread messages to list, most confident first (default 20)")
    parser.add_argument("--model", type=Path, help="another model file instead of the current one")
    parser.add_argument("--data", type=Path, default=HELDOUT, help="another held-out set")
    args = parser.parse_args()
    exe = os.path.relpath(sys.executable)
    print("$ " + shlex.join([sys.executable if exe.startswith("..") else exe] + sys.argv))
    sys.path.insert(0, str(ROOT))

    items = load_heldout(args.data.resolve())
    if args.lang:
        items = [m for m in items if m["lang"] == args.lang]
    model = args.model.resolve() if args.model else current_model()
    langs = Counter(m["lang"] for m in items)
    print(f"# model {model}")
    print(f"# held-out {args.data.resolve().relative_to(ROOT)}: {len(items)} messages "
          f"({', '.join(f'{n} {lang}' for lang, n in sorted(langs.items()))}), "
          f"{len({m['intent'] for m in items})} intents  load average {os.getloadavg()[0]:.1f}",
          flush=True)

    results, seconds = asyncio.run(parse_all(model, [m["text"] for m in items]))
    gold = [m["intent"] for m in items]
    pred = [label for label, _, _ in results]
    by_lang: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for m, p in zip(items, pred):
        by_lang[m["lang"]][0].append(m["intent"])
        by_lang[m["lang"]][1].append(p)

    print()
    lang_f1 = {lang: macro_f1(*by_lang[lang]) for lang in sorted(by_lang)}
    for lang, f1 in lang_f1.items():
        print(f"intent macro-F1 {lang}:  {f1:.3f}  (n={len(by_lang[lang][0])})  "
              f"aim >= {AIM_F1}: {met(f1 >= AIM_F1)}")
    correct = sum(g == p for g, p in zip(gold, pred))
    if len(lang_f1) > 1:
        print(f"intent macro-F1 all: {macro_f1(gold, pred):.3f}  (n={len(gold)})")
    print(f"accuracy:            {correct / len(gold):.3f}  ({correct} of {len(gold)}; "
          f"{pred.count('nlu_fallback')} sent to the fallback)")

    scores = per_label(gold, pred)
    lang_scores = {lang: per_label(*by_lang[lang]) for lang in by_lang}
    print(f"\n{'intent':<34} {'prec':>5} {'rec':>5} {'F1':>5} {'n':>4}"
          + "".join(f" {'F1 ' + lang:>6}" for lang in sorted(lang_scores)))
    for label, (precision, recall, f1, support) in sorted(scores.items(), key=lambda s: s[1][2]):
        cells = "".join(f" {lang_scores[lang][label][2]:>6.3f}" if label in lang_scores[lang]
                        else f" {'-':>6}" for lang in sorted(lang_scores))
        print(f"{label:<34} {precision:>5.2f} {recall:>5.2f} {f1:>5.3f} {support:>4}{cells}")

    wrong = [(m, *r) for m, r in zip(items, results) if r[0] != m["intent"]]
    confusions = Counter((m["intent"], label) for m, label, _, _ in wrong)
    print("\nworst confusions (expected → predicted, count, examples):")
    for (expected, predicted), n in confusions.most_common(12):
        examples = [m["text"] for m, label, _, _ in wrong
                    if m["intent"] == expected and label == predicted][:3]
        print(f"  {expected} → {predicted}  ×{n}")
        for text in examples:
            print(f"      {text[:100]}")

    if args.show_errors:
        print(f"\nmisread messages ({min(args.show_errors, len(wrong))} of {len(wrong)}, "
              "most confident first):")
        for m, label, conf, guess in sorted(wrong, key=lambda w: -w[2])[:args.show_errors]:
            print(f"  [{m['lang']}] {m['intent']:<26} → {label:<26} {conf:.2f}  {m['text'][:90]}"
                  + (f"  {guess}" if guess else ""))

    ms = statistics.quantiles([s * 1000 for s in seconds], n=100)
    print(f"\nparse latency in-process ({len(seconds)} messages after {WARMUP} warm-up): "
          f"p50={ms[49]:.1f}ms p95={ms[94]:.1f}ms p99={ms[98]:.1f}ms  "
          f"aim p95 < {AIM_P95_MS:.0f}ms: {met(ms[94] < AIM_P95_MS)}")
    print(f"# load average {os.getloadavg()[0]:.1f} (other work on the machine skews the latency)")


if __name__ == "__main__":
    main()
