"""Dispatch `python -m benchmarks NAME [args…]`; `all` runs every registered benchmark."""

from __future__ import annotations

import importlib
import sys

# name -> module under benchmarks/ exposing main(argv: list[str]) -> int
REGISTRY: dict[str, str] = {
    "faq": "benchmarks.faq",
    "digest": "benchmarks.digest",
    "outbox": "benchmarks.outbox",
    "intake": "benchmarks.intake",
    "understanding": "benchmarks.understanding",
    "memory": "benchmarks.memory",
    "calibrate": "benchmarks.calibrate",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(f"usage: python -m benchmarks {{{','.join([*REGISTRY, 'all'])}}} [--json]")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    names = list(REGISTRY) if name == "all" else [name]
    status = 0
    for each in names:
        if each not in REGISTRY:
            print(f"unknown benchmark {each!r}; known: {', '.join(REGISTRY)}", file=sys.stderr)
            return 2
        module = importlib.import_module(REGISTRY[each])
        status = max(status, module.main(rest))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
