"""How sure the model must be before the bot answers as to an emergency, chosen on the
training split alone (the evaluation splits stay unseen):

    python -m benchmarks calibrate [--json] [--folds 5]

The training split's cases (`faq/data/corpus/train*.toml`, `seed.toml`) are cut into
folds; for each, a model is trained on the other folds plus everything that is not a case
(the knowledge base's questions, the word lists) and the held-out cases are understood as
the bot would: the emergency lexicon first, then the model's emergency probability. For
each candidate threshold it prints the held-out emergency recall and the share of
non-emergencies taken for emergencies, and picks the highest threshold that keeps recall
at its best while at most 2 % of the rest are false alarms — a missed emergency costs a
life, a false alarm a line with the hotline numbers. (What it finds is in the README,
"Understanding Vietnamese"; `faq.understand.EMERGENCY_PROBABILITY` says what is used.)
"""

from __future__ import annotations

import argparse
import json
import random

from faq.corpus import bundled_examples, corpus_files, read_cases
from faq.knowledge import load_knowledge_base
from faq.lexicon import bundled_lexicon
from faq.model import train
from faq.understand import Understander

CANDIDATES = (0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1)
FALSE_ALARMS = 0.02


def held_out(folds: int, seed: int = 11) -> list[tuple[bool, bool, float]]:
    """(is an emergency, the lexicon fired, the model's emergency probability) per case."""
    kb, lexicon = load_knowledge_base(), bundled_lexicon()
    cases = [e for path in corpus_files() for e in read_cases(path)]
    others = [e for e in bundled_examples(kb, lexicon) if e not in set(cases)]
    random.Random(seed).shuffle(cases)
    found = []
    for fold in range(folds):
        test = cases[fold::folds]
        kept = set(test)
        model = train(tuple(others + [c for c in cases if c not in kept]), tuple(lexicon.topics))
        understander = Understander(kb, lexicon=lexicon, model=model)
        for case in test:
            analysed = understander.rules.analyse(case.text)
            fired = understander.rules.emergency(analysed) and not (
                analysed.grams & understander.preventive
            )
            probability = model.predict(case.text).intents["emergency"]
            found.append((case.intent == "emergency", fired, probability))
    return found


def table(found: list[tuple[bool, bool, float]]) -> list[dict[str, float]]:
    emergencies = [f for f in found if f[0]]
    rest = [f for f in found if not f[0]]
    rows = []
    for threshold in CANDIDATES:
        caught = sum(1 for _, fired, p in emergencies if fired or p >= threshold)
        alarms = sum(1 for _, fired, p in rest if fired or p >= threshold)
        rows.append(
            {
                "threshold": threshold,
                "emergency_recall": round(caught / len(emergencies), 4),
                "false_emergencies": round(alarms / len(rest), 4),
            }
        )
    return rows


def choose(rows: list[dict[str, float]]) -> dict[str, float]:
    """The highest threshold with the best recall among those within the false alarms."""
    allowed = [r for r in rows if r["false_emergencies"] <= FALSE_ALARMS]
    best = max((r["emergency_recall"] for r in allowed), default=0.0)
    at_best = [r for r in allowed if r["emergency_recall"] == best]
    return max(at_best, key=lambda r: r["threshold"]) if at_best else rows[0]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks calibrate")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    found = held_out(args.folds)
    rows = table(found)
    allowed = [r for r in rows if r["false_emergencies"] <= FALSE_ALARMS]
    best = max((r["emergency_recall"] for r in allowed), default=0.0)
    chosen = max(
        (r for r in allowed if r["emergency_recall"] == best), key=lambda r: r["threshold"]
    )
    result = {"cases": len(found), "folds": args.folds, "rows": rows, "chosen": chosen}
    if args.json:
        print(json.dumps(result))
    else:
        for row in rows:
            print(row)
        print("chosen:", chosen)
    return 0
