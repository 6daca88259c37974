"""Understanding per class on issue 11's evaluation split, for today's rules.

    python -m benchmarks understanding [--json] [--cases faq/data/corpus/eval.toml]

The split (faq/data/corpus/eval.toml) was written before any model, by a hand that had not
read the word lists, and is never tuned on. Each message goes through `Understander` as the
bot's free text does; reported per class: intent accuracy, report recall and precision,
emergency recall and the share of non-emergencies answered as emergencies, routing per
office (a report routed to its office, or to one the split says is also acceptable), FAQ
top-1 on the questions an entry answers, and the intent confusion matrix. Issue 11's goals
are printed beside the figures; this is the rules-only baseline a trained model must beat.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from faq.evaluate import per_class, read_split
from faq.knowledge import load_knowledge_base
from faq.understand import Understander

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CASES = ROOT / "faq" / "data" / "corpus" / "eval.toml"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks understanding")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    args = parser.parse_args(argv)
    cases = read_split(args.cases)
    kb = load_knowledge_base()
    results = [
        per_class(Understander(kb, rules_only=True), cases),
        per_class(Understander(kb), cases),
    ]
    if not args.json:
        for key in results[0]:
            print(f"{key}: {results[0][key]}  |  {results[1][key]}")
    print(
        json.dumps(
            {"split": args.cases.name, "rules": results[0], "model": results[1]}, ensure_ascii=False
        )
    )
    return 0
