"""`danvan backup`, `restore`, `migrate`, `export` and `retention`: data care.

SQLite is backed up and restored here (the online backup API, `storage/backup.py`);
PostgreSQL with `pg_dump` / `pg_restore` (the README's "Backups"), and `backup` then only
checks that the database answers. Export and retention are `bot/datacare.py`.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from bot.app import App, open_storage
from bot.cli.common import config_option, fail, run_async, settings_command
from bot.datacare import FORMATS, export_records, run_retention
from bot.settings import Settings
from storage.backup import BackupError, backup_sqlite, restore_sqlite

log = logging.getLogger(__name__)

PG_DUMP = 'pg_dump --format=custom --file=FILE "$DSN"'
PG_RESTORE = 'pg_restore --clean --if-exists --no-owner --dbname="$DSN" FILE'


@click.command()
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The new file.")
@config_option
@settings_command(log="stderr")
def backup(settings: Settings, out: Path) -> int:
    """Back up the database (SQLite: a consistent copy while the bot runs)."""
    if settings.storage.backend == "postgres":
        return run_async(_check_postgres(settings))
    try:
        info = backup_sqlite(settings.storage.sqlite_path, out)
    except BackupError as exc:
        return fail(str(exc))
    log.info("backup written: %s records, schema %03d", info.records, info.schema)
    print(f"backup: {info.path} — {info.records} records, schema {info.schema:03d}")
    return 0


async def _check_postgres(settings: Settings) -> int:
    try:
        storage = await open_storage(settings.storage)
    except Exception as exc:  # any driver error: it cannot be reached
        return fail(f"PostgreSQL does not answer ({type(exc).__name__}); nothing backed up")
    try:
        async with storage.transaction() as uow:
            records = await uow.datacare.count_records()
    finally:
        await storage.close()
    print(
        f"PostgreSQL answers ({records} records). Back it up with pg_dump, e.g.\n"
        f"  {PG_DUMP}\n"
        "where DSN is the connection string in the variable storage.postgres_dsn_env names."
    )
    return 0


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@config_option
@settings_command(log="stderr")
def restore(settings: Settings, file: Path, yes: bool) -> int:
    """Replace the database with a backup made by `danvan backup` (stop the bot first).

    The current database is kept beside it as NAME.before-restore-TIME.
    """
    if settings.storage.backend == "postgres":
        return fail(f"PostgreSQL is restored with pg_restore, e.g.: {PG_RESTORE}")
    target = settings.storage.sqlite_path
    if not yes and not click.confirm(f"Replace {target} with {file}?"):
        return 1
    try:
        kept = restore_sqlite(file, target)
    except BackupError as exc:
        return fail(str(exc))

    async def upgrade() -> int:
        storage = await open_storage(settings.storage)  # applies newer migrations
        try:
            async with storage.transaction() as uow:
                rows = await uow.datacare.migrations()
        finally:
            await storage.close()
        last = str(rows[-1]["name"]) if rows else "none"
        log.info("restored a backup; schema now %s", last)
        previous = f"; the previous database is {kept}" if kept else ""
        print(f"restored {file} into {target} (schema {last}){previous}")
        return 0

    return run_async(upgrade())


@click.command()
@config_option
@settings_command(log="stderr")
def migrate(settings: Settings) -> int:
    """Apply the database migrations not yet applied (`danvan run` does it at start too)."""
    started = datetime.now(UTC)

    async def apply() -> int:
        storage = await open_storage(settings.storage)  # migrates, under a lock
        try:
            async with storage.transaction() as uow:
                rows = await uow.datacare.migrations()
        finally:
            await storage.close()
        fresh = [str(r["name"]) for r in rows if _time(r["applied_at"]) >= started]
        last = str(rows[-1]["name"]) if rows else "none"
        print(f"schema: {len(rows)} migrations, the last {last}")
        print("applied now: " + (", ".join(fresh) if fresh else "none (up to date)"))
        return 0

    return run_async(apply())


def _time(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@click.command()
@click.option(
    "--format",
    "file_format",
    type=click.Choice(FORMATS),
    required=True,
    help="CSV (records and events files) or XLSX (one workbook).",
)
@click.option(
    "--from",
    "first",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="The first day of receipt, YYYY-MM-DD.",
)
@click.option(
    "--to",
    "last",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="The last day of receipt, YYYY-MM-DD (included).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The file (CSV: the events go beside it, NAME-events.csv).",
)
@click.option(
    "--with-personal-data",
    is_flag=True,
    help="Keep names, phones and identities (otherwise pseudonymised).",
)
@config_option
@settings_command(log="file")
def export(
    settings: Settings,
    file_format: str,
    first: datetime,
    last: datetime,
    out: Path,
    with_personal_data: bool,
) -> int:
    """Export the records received in a period, with their events (CSV or XLSX)."""
    if last.date() < first.date():
        return fail("--to is before --from")
    commune = settings.commune(settings.bot.default_commune) or settings.communes[0]
    start = _local_midnight(first.date(), commune.timezone)
    end = _local_midnight(last.date() + timedelta(days=1), commune.timezone)

    async def write() -> int:
        async with await App.open(settings) as app:
            done = await export_records(
                app,
                start,
                end,
                out=out,
                file_format=file_format,
                personal_data=with_personal_data,
            )
        what = "with personal data" if with_personal_data else "pseudonymised"
        files = ", ".join(str(f) for f in done.files)
        print(f"export: {len(done.records)} records, {len(done.events)} events, {what} → {files}")
        return 0

    return run_async(write())


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


@click.command()
@config_option
@settings_command(log="file")
def retention(settings: Settings) -> int:
    """De-identify old closed records and prune old bookkeeping (the daily job does it too)."""

    async def apply() -> int:
        async with await App.open(settings) as app:
            report = await run_retention(app, datetime.now(UTC))
        print(
            f"retention: {report.deidentified} closed records de-identified, "
            f"{report.updates_pruned} processed-update marks and "
            f"{report.conversations_pruned} conversations pruned"
        )
        return 0

    return run_async(apply())


COMMANDS = (backup, restore, migrate, export, retention)
