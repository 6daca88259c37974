"""`danvan backup` and `restore` with PostgreSQL configured: a connection check and the
pg_dump / pg_restore commands (real PostgreSQL where DANVAN_TEST_POSTGRES_DSN is set)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_DSN, postgres_schema
from tests.support.cli import cli


def _config(folder: Path) -> None:
    default = resources.files("bot").joinpath("default_config.toml").read_text("utf-8")
    text = default.replace("[storage]\n", '[storage]\nbackend = "postgres"\n', 1)
    assert 'backend = "postgres"' in text
    (folder / "config.toml").write_text(text, "utf-8")


def test_backup_says_when_postgresql_does_not_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path)
    # a loopback port nothing listens on
    monkeypatch.setenv("DANVAN_DATABASE_URL", "postgresql://danvan:secret@127.0.0.1:9/none")
    done = cli(tmp_path, "--config", "config.toml", "backup", "--out", "b.dump")
    assert done.returncode == 2
    assert "PostgreSQL does not answer" in done.stderr
    assert "Traceback" not in done.stderr
    assert "secret" not in done.stderr + done.stdout
    done = cli(tmp_path, "--config", "config.toml", "restore", "b.dump", "--yes")
    assert done.returncode == 2
    assert "pg_restore" in done.stderr


@pytest.mark.skipif(not POSTGRES_DSN, reason="DANVAN_TEST_POSTGRES_DSN is not set")
async def test_backup_checks_the_connection_and_gives_the_pg_dump_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _config(tmp_path)
    async with postgres_schema() as schema:
        joiner = "&" if "?" in POSTGRES_DSN else "?"
        monkeypatch.setenv("DANVAN_DATABASE_URL", f"{POSTGRES_DSN}{joiner}search_path={schema}")
        done = cli(tmp_path, "--config", "config.toml", "backup", "--out", "b.dump")
        assert done.returncode == 0, done.stderr
        assert "PostgreSQL answers (0 records)" in done.stdout
        assert "pg_dump --format=custom" in done.stdout
        assert not (tmp_path / "b.dump").exists()
        done = cli(tmp_path, "--config", "config.toml", "migrate")
        assert done.returncode == 0, done.stderr
        assert "applied now: none (up to date)" in done.stdout
