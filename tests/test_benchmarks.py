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


def test_outbox_benchmark_prints_json_last(capsys: pytest.CaptureFixture[str]) -> None:
    """A short run at five times Telegram's rates: every message arrives, none refused; the
    figures' shape only (the share itself depends on how busy the machine is)."""
    assert REGISTRY["outbox"] == "benchmarks.outbox"
    status = bench_main(["outbox", "--json", "--messages", "150", "--scale", "5"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["broadcast_delivered"] == 150
    assert result["interactive_delivered"] == result["interactive_queued"] > 0
    assert result["limit_per_second"] == 150
    assert 0 < result["broadcast_share_of_limit"] <= 1.01
    assert result["goals"] == {"http_429": 0, "broadcast_share_of_limit": 0.95}
    assert status == (0 if result["met"] else 1)


def test_intake_benchmark_files_every_citizens_record(capsys: pytest.CaptureFixture[str]) -> None:
    """Both bots take the same 10 updates per citizen through PTB's process_update; every
    danvan run files one record per citizen (the figures' shape only, not their speed)."""
    assert REGISTRY["intake"] == "benchmarks.intake"
    status = bench_main(["intake", "--json", "--citizens", "8", "--rounds", "2"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["updates_per_run"] == 80  # 8 citizens × 10 (the publish step, issue 12)
    assert result["records_filed"] == result["records_expected"] == 24
    assert result["danvan_ups"] > 0
    assert result["baseline_ups"] > 0
    assert result["ratio_range"][0] <= result["ratio"] <= result["ratio_range"][1]
    assert result["p50_ms"] <= result["p99_ms"]
    assert status == (0 if result["met"] else 1)


def test_understanding_benchmark_reports_per_class(capsys: pytest.CaptureFixture[str]) -> None:
    """The rules' and the model's per-class figures on the evaluation split, in one run (its
    shape, and that the counts add up: every case lands in one cell of the confusion
    matrix)."""
    assert REGISTRY["understanding"] == "benchmarks.understanding"
    assert bench_main(["understanding", "--json"]) == 0
    both = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert both["split"] == "eval.toml"
    assert (both["rules"]["system"], both["model"]["system"]) == ("rules only", "model")
    for result in (both["rules"], both["model"]):
        assert result["cases"] == sum(result["make_up"].values()) >= 600
        cells = sum(n for row in result["confusion"].values() for n in row.values())
        assert cells == result["cases"]
        assert set(result["routing_by_office"]) >= {"VP", "KT", "VHXH", "CA", "QS", "TTPVHCC"}
        for key in ("intent", "report_recall", "emergency_recall", "routing", "faq_top1"):
            assert 0 <= result[key] <= 1, key


def test_memory_benchmark_times_every_kind_of_start(capsys: pytest.CaptureFixture[str]) -> None:
    """A small run of the real `danvan run`: every conversation answered, the four starts
    timed, RSS read from /proc (the figures' shape only, not their size)."""
    assert REGISTRY["memory"] == "benchmarks.memory"
    status = bench_main(
        ["memory", "--json", "--citizens", "50", "--records", "500", "--conversations", "20"]
    )
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["updates"] == 60
    starts = ("first_start_of_day_s", "start_after_kill_s", "later_start_s")
    assert all(0 < result[name] <= result["startup_s"] for name in starts)
    assert 0 < result["rss_after_start_mb"] <= result["peak_rss_mb"]
    assert result["rss_mb"] <= result["peak_rss_mb"]
    assert status == (0 if result["met"] else 1)


def test_the_emergency_threshold_is_the_highest_with_the_best_recall_in_bounds() -> None:
    """`benchmarks calibrate`'s choice over held-out probabilities: the lexicon's verdict
    counts whatever the threshold; false alarms above 2 % rule a threshold out."""
    from benchmarks.calibrate import choose, table

    emergencies = [(True, True, 0.0), (True, False, 0.6), (True, False, 0.3)]
    rest = [(False, False, 0.01)] * 97 + [(False, False, 0.26), (False, False, 0.22)]
    rows = table(emergencies + rest)
    by = {r["threshold"]: r for r in rows}
    assert by[0.5]["emergency_recall"] == round(2 / 3, 4)
    assert by[0.3]["emergency_recall"] == by[0.25]["emergency_recall"] == 1.0
    assert by[0.25]["false_emergencies"] == round(1 / 99, 4)
    assert by[0.2]["false_emergencies"] == round(2 / 99, 4)  # 2.02 %: over the bound
    assert choose(rows)["threshold"] == 0.3
