"""The digest benchmark runs end to end on a small synthetic commune."""

from __future__ import annotations

import json

import pytest

from benchmarks.__main__ import REGISTRY
from benchmarks.__main__ import main as bench_main


def test_digest_benchmark_prints_json_last(capsys: pytest.CaptureFixture[str]) -> None:
    assert REGISTRY["digest"] == "benchmarks.digest"
    assert bench_main(["digest", "--json", "--records", "3000"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["records"] == 3000
    assert result["events"] > 3000
    assert 0 < result["seconds"] < 2.0
    assert result["received_in_week"] > 0
