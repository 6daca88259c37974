"""Benchmarks: `python -m benchmarks NAME [--json]`, or `all`.

Each benchmark module registers a `run(argv) -> dict` in `REGISTRY`; the runner prints a
human summary and, with --json, one JSON object as the last line.
"""
