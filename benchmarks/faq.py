"""FAQ understanding: accuracy on the held-out labelled set, baseline, latency.

    python -m benchmarks faq [--json] [--cases PATH] [--day YYYY-MM-DD] [--failures]

Accuracy is measured on tests/data/faq_labelled.toml, text the matcher was not tuned on
(thresholds and lexicons are tuned on tests/data/faq_dev.toml). The baseline is rapidfuzz
`process.extractOne` over the raw example questions. Latency is per `understand` call, with
the real base and with the base grown synthetically to 5,000 entries: synthetic entries
draw words from the real base's word distribution (so common words stay common) plus rare
made-up subject words, which makes posting lists as long as a big real base would.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from faq.evaluate import LabelledCase, baseline_top1, evaluate, load_cases
from faq.knowledge import KnowledgeBase, load_knowledge_base
from faq.normalize import normalize
from faq.understand import Understander

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = ROOT / "tests" / "data" / "faq_labelled.toml"
TARGET_SIZE = 5000
SYLLABLES = [consonant + vowel for consonant in "bcdghklmnprstvx" for vowel in "aeiou"]


def grow(kb: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """The base plus synthetic entries up to `size` entries."""
    rng = random.Random(seed)
    words = [word for entry in kb.entries for q in entry.questions for word in normalize(q).split()]
    entries = list(kb.entries)
    template = kb.entries[0]
    number = 0
    while len(entries) < size:
        number += 1
        subject = [
            rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + str(rng.randint(0, 99))
            for _ in range(2)
        ]
        questions = tuple(
            " ".join(rng.sample(words, rng.randint(3, 8)) + subject[: rng.randint(1, 2)])
            for _ in range(rng.randint(3, 7))
        )
        entries.append(
            replace(
                template,
                id=f"synthetic_{number:05d}",
                title=" ".join(subject),
                questions=questions,
                tags=(),
                follow_ups=(),
            )
        )
    return KnowledgeBase(tuple(entries))


def latencies_ms(understander: Understander, texts: list[str], rounds: int) -> list[float]:
    for text in texts:  # warm-up
        understander.understand(text)
    samples = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            understander.understand(text)
            samples.append((time.perf_counter() - start) * 1000.0)
    return samples


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(cases: list[LabelledCase], day: date, rounds: int) -> dict[str, object]:
    kb = load_knowledge_base().active_on(day)
    understander = Understander(kb)
    scores = evaluate(understander, cases)
    texts = [case.text for case in cases]
    real = latencies_ms(understander, texts, rounds)
    build_start = time.perf_counter()
    big = Understander(grow(kb, TARGET_SIZE))
    build_s = time.perf_counter() - build_start
    large = latencies_ms(big, texts, rounds)
    return {
        "cases": scores.cases,
        "faq_cases": scores.faq_cases,
        "entries": len(kb.entries),
        "top1": round(scores.top1, 4),
        "top3": round(scores.top3, 4),
        "answered_right": round(scores.answered_right, 4),
        "answered_wrong": round(scores.answered_wrong, 4),
        "intent": round(scores.intent, 4),
        "routing": round(scores.routing, 4),
        "topic": round(scores.topic, 4),
        "vague_cases": scores.vague_cases,
        "suggested_right": round(scores.suggested_right, 4),
        "baseline_top1": round(baseline_top1(kb, cases), 4),
        "p50_ms": round(statistics.median(real), 4),
        "p99_ms": round(percentile(real, 0.99), 4),
        "p50_ms_5000": round(statistics.median(large), 4),
        "p99_ms_5000": round(percentile(large, 0.99), 4),
        "build_s_5000": round(build_s, 2),
        "failures": list(scores.failures),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks faq")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 11, 28))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--failures", action="store_true", help="list misunderstood cases")
    args = parser.parse_args(argv)
    result = run(load_cases(args.cases), args.day, args.rounds)
    failures = result.pop("failures")
    print(f"FAQ understanding on {result['cases']} labelled messages ({args.cases.name})")
    print(f"  {'':24}{'project':>10}{'baseline':>10}")
    print(f"  {'top-1 (faq cases)':24}{result['top1']:>10.1%}{result['baseline_top1']:>10.1%}")
    print(f"  {'top-3':24}{result['top3']:>10.1%}")
    print(f"  {'answered right':24}{result['answered_right']:>10.1%}")
    print(f"  {'answered wrong (all)':24}{result['answered_wrong']:>10.1%}")
    print(f"  {'intent':24}{result['intent']:>10.1%}")
    print(f"  {'routing (office)':24}{result['routing']:>10.1%}")
    print(f"  {'vague → suggestions':24}{result['suggested_right']:>10.1%}")
    print(
        f"  latency ms, {result['entries']} entries: p50 {result['p50_ms']}  p99 {result['p99_ms']}"
    )
    print(
        f"  latency ms, {TARGET_SIZE} entries: p50 {result['p50_ms_5000']}"
        f"  p99 {result['p99_ms_5000']} (index built in {result['build_s_5000']} s)"
    )
    if args.failures:
        print("\n".join(f"  ✗ {line}" for line in failures))  # type: ignore[union-attr]
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    return 0
