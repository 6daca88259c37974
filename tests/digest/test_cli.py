"""`danvan digest` (bot/cli/digest.py): the four files and the queued message, a week that does
not exist, the schedule run once, real processes racing, a provisional week."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.digest.weeks import IsoWeek
from tests.support.cli import cli
from tests.support.digest import outbox_rows_at


def write_config(tmp_path: Path, chat_id: str) -> Path:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    text = example.read_text("utf-8").replace(
        'chat_id = ""\n\n# Where reports', f'chat_id = "{chat_id}"\n\n# Where reports', 1
    )
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


def test_cli_makes_the_four_files_and_queues_the_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "-100555")
    out = tmp_path / "out"
    argv = ["--config", str(config), "digest", "--week", "2026-W47", "--out", str(out), "--send"]
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert sorted(Path(p).suffix for p in printed[:4]) == [".docx", ".html", ".html", ".png"]
    assert all(Path(p).parent == out for p in printed[:4])
    assert "to telegram chat -100555" in printed[4]
    rows = asyncio.run(outbox_rows_at(tmp_path / "data" / "danvan.sqlite3"))
    assert [chat for chat, _, _ in rows] == ["-100555"]


def test_cli_refuses_a_week_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "")
    assert main(["--config", str(config), "digest", "--week", "2025-W53"]) == 2
    assert "2025-W53" in capsys.readouterr().err
    assert main(["--config", str(config), "digest", "--commune", "HN"]) == 2


def test_cli_due_runs_the_schedule_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "-100555")
    assert main(["--config", str(config), "digest", "--due"]) == 0
    first = capsys.readouterr().out
    assert main(["--config", str(config), "digest", "--due"]) == 0
    assert capsys.readouterr().out == ""
    assert first.startswith("digest:CG:")
    assert first.strip().endswith("made and queued")
    rows = asyncio.run(outbox_rows_at(tmp_path / "data" / "danvan.sqlite3"))
    assert len(rows) == 1
    archive = tmp_path / "data" / "digests" / "CG"
    assert len(list(archive.glob("*/bao-cao-CG-*.docx"))) == 1


def test_three_processes_racing_send_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real OS processes on one SQLite file, started together: one digest, one message."""
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "-100555")
    asyncio.run(outbox_rows_at(tmp_path / "data" / "danvan.sqlite3"))  # create the schema first
    command = [sys.executable, "-m", "bot.cli", "--config", str(config), "digest", "--due"]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], [err for _, err in outputs]
    made = [out for out, _ in outputs if "made and queued" in out]
    assert len(made) == 1
    rows = asyncio.run(outbox_rows_at(tmp_path / "data" / "danvan.sqlite3"))
    assert len(rows) == 1


def test_a_week_not_yet_over_is_marked_provisional(tmp_path: Path) -> None:
    for week, provisional in (("2020-W01", False), ("2099-W01", True)):
        out = tmp_path / week
        result = cli(tmp_path, "digest", "--week", week, "--out", str(out))
        assert result.returncode == 0, result.stderr
        page = next(out.glob("tin-nhan-*.html")).read_text("utf-8")
        assert ("tạm tính" in page) is provisional


def test_cli_without_week_says_which_week_it_made_and_how_to_ask_for_this_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16 #20: a newcomer's test records are in this week; the default is last week."""
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    config = write_config(tmp_path, "")
    assert main(["--config", str(config), "digest", "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    this_week = IsoWeek.containing(datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date())
    expected = (
        f"danvan: CG: made week {this_week.previous().label} (the week just ended): "
        f"0 record(s); this week: --week {this_week.label}"
    )
    assert captured.err.strip().splitlines()[-1] == expected
    assert len(captured.out.splitlines()) == 4  # stdout keeps only the paths, for scripts
    assert main(["--config", str(config), "digest", "--week", this_week.label]) == 0
    assert "this week" not in capsys.readouterr().err
