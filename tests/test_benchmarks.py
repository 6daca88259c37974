"""The digest benchmark runs end to end on a small synthetic commune.

The benchmark judges its own speed (`goal_seconds`, `met`, and its exit status); this test
checks the shape of what it reports, so a slow, shared CI machine does not fail it."""

from __future__ import annotations

import json

import pytest

from benchmarks.__main__ import REGISTRY
from benchmarks.__main__ import main as bench_main


def test_digest_benchmark_prints_json_last(capsys: pytest.CaptureFixture[str]) -> None:
    assert REGISTRY["digest"] == "benchmarks.digest"
    status = bench_main(["digest", "--json", "--records", "3000"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["records"] == 3000
    assert result["events"] > 3000
    assert result["seconds"] > 0
    assert result["goal_seconds"] == 2.0
    assert result["met"] is (0 < result["seconds"] < result["goal_seconds"])
    assert status == (0 if result["met"] else 1)
    assert result["received_in_week"] > 0


def test_a_missed_goal_is_reported_and_fails_the_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import benchmarks.digest

    monkeypatch.setattr(benchmarks.digest, "GOAL_S", 1e-9)  # no digest is that fast
    assert bench_main(["digest", "--json", "--records", "300"]) == 1
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (result["goal_seconds"], result["met"]) == (1e-9, False)
