"""`danvan open311 key create|list|revoke` on a real SQLite file: the key printed once, only
its hash stored, listed with its dates, revoked once; bad input calmly refused."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from bot.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.read_text("utf-8"), encoding="utf-8")
    return path


def run(config: Path, *args: str) -> int:
    return main(["--config", str(config), "open311", "key", *args])


def test_a_key_is_printed_once_stored_hashed_listed_and_revoked(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, "create", "--name", "Cổng tỉnh") == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "key 1 for Cổng tỉnh (any commune):"
    secret = printed[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert run(config, "create", "--name", "Đối tác", "--commune", "cg") == 0
    assert "key 2 for Đối tác (CG):" in capsys.readouterr().out

    database = (config.parent / "data" / "danvan.sqlite3").read_bytes()
    assert secret.encode() not in database
    assert hashlib.sha256(secret.encode()).hexdigest().encode() in database

    assert run(config, "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in listed] == [
        ["1", "Cổng tỉnh", "any commune"],
        ["2", "Đối tác", "CG"],
    ]
    assert all(line.endswith("never used\tactive") for line in listed)
    assert secret not in "\n".join(listed)

    assert run(config, "revoke", "1") == 0
    assert capsys.readouterr().out == "key 1 revoked\n"
    assert run(config, "revoke", "1") == 2
    assert "no active key" in capsys.readouterr().err
    assert run(config, "list") == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "\trevoked " in first


def test_bad_input_is_refused_calmly(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "create", "--name", "   ") == 2
    assert "--name" in capsys.readouterr().err
    assert run(config, "create", "--name", "Cổng", "--commune", "XX") == 2
    assert "--commune XX" in capsys.readouterr().err
    assert run(config, "revoke", "7") == 2
    assert run(config, "list") == 0
    assert capsys.readouterr().out.endswith("no keys\n")
