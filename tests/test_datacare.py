"""Data care: `danvan backup`/`restore` (round trip), `export` (parse back, pseudonymised),
`retention` (de-identifies, prunes, logs counts only) — the real CLI on a real SQLite file."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import App
from bot.config import Settings, load_settings
from bot.daily import due_today
from domain.lifecycle import PlannedEvent
from domain.records import ActorKind, RecordStatus
from tests.conftest import T0, Chat
from tests.support.cli import cli
from tests.support.records import file_report

RETENTION = "\n[retention]\nclosed_record_days = 30\nconversation_days = 30\n"


@dataclass
class Site:
    """A folder with a config.toml, as an operator has it, and the app on it."""

    folder: Path
    settings: Settings
    app: App

    def run(self, *args: str) -> tuple[int, str, str]:
        done = cli(self.folder, "--config", "config.toml", *args)
        return done.returncode, done.stdout, done.stderr

    def rows(self) -> dict[str, list[tuple[object, ...]]]:
        conn = sqlite3.connect(self.settings.storage.sqlite_path)
        try:
            return {
                table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
                for table in ("records", "events", "citizens", "attachments")
            }
        finally:
            conn.close()


@pytest.fixture
async def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    monkeypatch.delenv("DANVAN_CONFIG", raising=False)
    default = resources.files("bot").joinpath("default_config.toml").read_text("utf-8")
    (tmp_path / "config.toml").write_text(default + RETENTION, "utf-8")
    settings = load_settings(tmp_path / "config.toml", {})
    app = await App.open(settings)
    app.dispatcher.clock = lambda: T0
    place = Site(tmp_path, settings, app)
    try:
        yield place
    finally:
        await place.app.close()  # a test that restores closes and reopens it


async def _two_records(site: Site) -> list[str]:
    """A record with the citizen's contact and an anonymous one, filed in the chat."""
    chat = Chat(site.app, "u1")
    await chat.agree()
    first = await file_report(chat, anonymous=False)
    # the next minute: two reports in one minute pass the flood guard's 20 messages
    then = site.app.dispatcher.clock() + timedelta(minutes=1)
    site.app.dispatcher.clock = lambda: then
    return [first, await file_report(chat)]


async def test_backup_then_restore_gives_back_the_same_records(site: Site) -> None:
    codes = await _two_records(site)
    before = site.rows()
    status, out, err = site.run("backup", "--out", "backups/b1.sqlite3")
    assert status == 0, err
    assert "2 records" in out
    # the bot goes on: one more record and an erasure, then the backup is restored
    chat = Chat(site.app, "u2")
    await chat.agree()
    await file_report(chat)
    assert site.rows() != before
    await site.app.close()
    status, out, err = site.run("restore", "backups/b1.sqlite3", "--yes")
    assert status == 0, err
    assert site.rows() == before
    kept = list(site.folder.glob("data/danvan.sqlite3.before-restore-*"))
    assert len(kept) == 1, "the replaced database is kept"
    site.app = await App.open(site.settings)
    async with site.app.storage.transaction() as uow:
        found = [await uow.records.get_by_code(code) for code in codes]
    assert all(found)


async def test_backup_and_restore_refuse_what_would_lose_data(site: Site) -> None:
    await _two_records(site)
    assert site.run("backup", "--out", "b.sqlite3")[0] == 0
    status, _, err = site.run("backup", "--out", "b.sqlite3")
    assert status == 2
    assert "already exists" in err
    (site.folder / "notes.txt").write_text("không phải cơ sở dữ liệu " * 100, "utf-8")
    before = site.rows()
    await site.app.close()
    status, _, err = site.run("restore", "notes.txt", "--yes")
    assert status == 2
    assert "not a readable SQLite database" in err
    status, _, err = site.run("restore", "missing.sqlite3", "--yes")
    assert (status, "no such file" in err) == (2, True)
    assert site.rows() == before
    site.app = await App.open(site.settings)


async def test_migrate_says_what_it_applied(site: Site) -> None:
    status, out, err = site.run("migrate")
    assert status == 0, err
    assert "applied now: none (up to date)" in out
    fresh = site.folder / "fresh.toml"
    config = (site.folder / "config.toml").read_text("utf-8")
    fresh.write_text(config.replace('data_dir = "data"', 'data_dir = "other"'), "utf-8")
    done = cli(site.folder, "--config", "fresh.toml", "migrate")
    assert done.returncode == 0, done.stderr
    assert "applied now: 001_initial.sql" in done.stdout


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


async def test_export_csv_parses_back_to_the_records_pseudonymised(site: Site) -> None:
    codes = await _two_records(site)
    status, out, err = site.run(
        "export", "--format", "csv", "--from", "2026-11-26", "--to", "2026-11-26",
        "--out", "out/records.csv",
    )  # fmt: skip
    assert status == 0, err
    assert "2 records" in out
    assert "pseudonymised" in out
    records = _csv(site.folder / "out/records.csv")
    events = _csv(site.folder / "out/records-events.csv")
    stored = site.rows()
    assert [r["code"] for r in records] == codes
    assert [r["description"] for r in records] == ["Đèn đường ngõ 7 hỏng hai tuần nay"] * 2
    assert [r["kind"] for r in records] == ["phan_anh", "phan_anh"]
    assert all(r["contact_name"] == r["contact_phone"] == "" for r in records)
    pseudonym = records[0]["citizen_id"]
    assert pseudonym.startswith("P-")
    assert records[1]["citizen_id"] == pseudonym  # one citizen: one pseudonym
    assert len(events) == len(stored["events"])
    assert {e["record_code"] for e in events} == set(codes)
    text = (site.folder / "out/records.csv").read_text("utf-8-sig")
    text += (site.folder / "out/records-events.csv").read_text("utf-8-sig")
    assert "0912345678" not in text
    assert "Nguyễn Văn An" not in text
    log = (site.settings.storage.data_dir / "danvan.log").read_text("utf-8")
    assert "export: 2 records and" in log
    assert "pseudonymised" in log
    assert "0912345678" not in log
    assert "Nguyễn" not in log


async def test_export_xlsx_holds_the_same_as_csv_and_personal_data_on_request(
    site: Site,
) -> None:
    await _two_records(site)
    period = ("--from", "2026-11-01", "--to", "2026-11-30")
    assert site.run("export", "--format", "csv", *period, "--out", "a.csv")[0] == 0
    status, _, err = site.run(
        "export", "--format", "xlsx", *period, "--out", "a.xlsx", "--with-personal-data"
    )
    assert status == 0, err
    book = load_workbook(site.folder / "a.xlsx", read_only=True)
    sheets = {}
    for name in ("records", "events"):
        rows = list(book[name].iter_rows(values_only=True))
        sheets[name] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    book.close()
    plain = _csv(site.folder / "a.csv")
    assert [r["code"] for r in sheets["records"]] == [r["code"] for r in plain]
    assert len(sheets["events"]) == len(_csv(site.folder / "a-events.csv"))
    first = sheets["records"][0]
    assert (first["contact_name"], first["contact_phone"]) == ("Nguyễn Văn An", "0912345678")
    assert first["citizen_id"] == 1
    log = (site.settings.storage.data_dir / "danvan.log").read_text("utf-8")
    assert "WITH personal data" in log
    assert "0912345678" not in log


async def test_export_masks_numbers_and_formulas_in_free_text(site: Site) -> None:
    chat = Chat(site.app, "u1")
    await chat.agree()
    await chat.draft_anonymous_report('=HYPERLINK("x") gọi 0987 654 321 hoặc CCCD 001234567890')
    await chat.press("Gửi")
    status, _, err = site.run(
        "export", "--format", "csv", "--from", "2026-11-26", "--to", "2026-11-26", "--out", "m.csv"
    )
    assert status == 0, err
    [record] = _csv(site.folder / "m.csv")
    assert record["description"] == '\'=HYPERLINK("x") gọi [số] hoặc CCCD [số]'


async def test_export_refuses_a_period_that_ends_before_it_starts(site: Site) -> None:
    status, _, err = site.run(
        "export", "--format", "csv", "--from", "2026-11-26", "--to", "2026-11-01", "--out", "x.csv"
    )
    assert status == 2
    assert "--to is before --from" in err
    assert not (site.folder / "x.csv").exists()


async def test_retention_deidentifies_old_closed_records_and_prunes(site: Site) -> None:
    long_ago = datetime.now(UTC) - timedelta(days=60)
    site.app.dispatcher.clock = lambda: long_ago
    codes = await _two_records(site)
    async with site.app.storage.transaction() as uow:
        record = await uow.records.get_by_code(codes[0])
        assert record is not None
        closed_at = long_ago + timedelta(days=29)  # 31 days ago: past closed_record_days
        event = PlannedEvent(
            closed_at, ActorKind.SYSTEM, None, "close", record.status, RecordStatus.CLOSED,
            None, True,
        )  # fmt: skip
        assert await uow.transition(record, record.version, {"status": RecordStatus.CLOSED}, event)
    await site.app.close()
    status, out, err = site.run("retention")
    assert status == 0, err
    assert "1 closed records de-identified" in out
    # the conversation, untouched for 60 days, goes too (conversation_days = 30)
    assert "1 conversations pruned" in out
    conn = sqlite3.connect(site.settings.storage.sqlite_path)
    rows = conn.execute(
        "SELECT code, citizen_id, contact_name, contact_phone FROM records ORDER BY id"
    ).fetchall()
    conn.close()
    assert rows[0] == (codes[0], None, None, None)
    assert rows[1][1] is not None  # open records keep their citizen
    log = (site.settings.storage.data_dir / "danvan.log").read_text("utf-8")
    assert "retention: 1 closed records de-identified" in log
    assert "0912345678" not in log
    site.app = await App.open(site.settings)


async def test_retention_is_one_of_the_daily_jobs(site: Site) -> None:
    at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, after daily_jobs_time
    names = [run.name for run in due_today(site.app, at)]
    assert "retention:2026-11-26" in names
