"""Data care beside the CLI: exporting records with their events, and retention.

Export (`danvan export`) writes the records received in a period and their events, as two
CSV files or one XLSX workbook (sheets `records` and `events`). Unless personal data is
asked for, it is pseudonymised: contact name and phone are left empty; the citizen and
every actor become `P-` pseudonyms from an HMAC with a key made for this export and
thrown away (rows of one person stay linked inside the file, never across exports, and
cannot be turned back); runs of six or more digits in free text (phones, ID numbers) are
masked; locations are rounded to about 100 m. Every cell that a spreadsheet would take for
a formula is written as text.

Retention (`danvan retention`, and daily beside the other jobs) de-identifies closed
records older than `retention.closed_record_days`, prunes processed-update marks after
`retention.processed_update_days` and conversations untouched for
`retention.conversation_days`. Both log counts only.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App
from bot.jobs import JobReport
from storage.repos.datacare import EVENT_COLUMNS, RECORD_COLUMNS

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
EVENT_HEADER = ("record_code", *(c for c in EVENT_COLUMNS if c != "record_id"))
_DIGITS = re.compile(r"\+?\d(?:[\s.\-]?\d){5,}")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PERSON_COLUMNS = frozenset({"contact_name", "contact_phone"})
_FREE_TEXT = frozenset({"description", "place", "note"})


@dataclass(frozen=True, slots=True)
class Export:
    records: list[dict[str, Any]]
    events: list[dict[str, Any]]
    files: tuple[Path, ...] = ()


def events_path(out: Path) -> Path:
    """Where the CSV export puts the events: beside the records, `NAME-events.csv`."""
    return out.with_name(f"{out.stem}-events{out.suffix or '.csv'}")


async def export_records(
    app: App,
    start: datetime,
    end: datetime,
    *,
    out: Path,
    file_format: str,
    personal_data: bool,
) -> Export:
    """Write the records received in [start, end) and their events to `out`."""
    async with app.storage.transaction() as uow:
        record_rows = await uow.datacare.export_records(start, end)
        event_rows = await uow.datacare.export_events(start, end)
    clean = _Cleaner(personal_data)
    records = [clean.record(dict(zip(RECORD_COLUMNS, row, strict=True))) for row in record_rows]
    events = [clean.event(_event_dict(row)) for row in event_rows]
    if file_format == "xlsx":
        files: tuple[Path, ...] = (out,)
        _write_xlsx(out, records, events)
    else:
        files = (out, events_path(out))
        _write_csv(files[0], RECORD_COLUMNS, records)
        _write_csv(files[1], EVENT_HEADER, events)
    log.info(
        "export: %s records and %s events received %s to %s, %s, %s",
        len(records),
        len(events),
        start.isoformat(),
        end.isoformat(),
        file_format,
        "WITH personal data" if personal_data else "pseudonymised",
    )
    return Export(records, events, files)


def _event_dict(row: Sequence[Any]) -> dict[str, Any]:
    values = dict(zip((*EVENT_COLUMNS, "record_code"), row, strict=True))
    return {name: values[name] for name in EVENT_HEADER}


class _Cleaner:
    """Turns rows into export cells: times as ISO text, pseudonyms unless personal data."""

    def __init__(self, personal_data: bool) -> None:
        self._personal = personal_data
        self._key = secrets.token_bytes(32)

    def pseudonym(self, kind: str, value: object) -> str:
        if value is None or value == "":
            return ""
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"P-{digest[:12]}"

    def record(self, row: dict[str, Any]) -> dict[str, Any]:
        row = {name: _plain(value) for name, value in row.items()}
        if not self._personal:
            row["citizen_id"] = self.pseudonym("citizen", row["citizen_id"])
            for name in _PERSON_COLUMNS:
                row[name] = ""
            for name in ("latitude", "longitude"):
                if isinstance(row[name], float):
                    row[name] = round(row[name], 3)
            row = self._masked(row)
        return {name: _cell(value) for name, value in row.items()}

    def event(self, row: dict[str, Any]) -> dict[str, Any]:
        row = {name: _plain(value) for name, value in row.items()}
        if not self._personal:
            row["actor_ref"] = self.pseudonym(row["actor_kind"], row["actor_ref"])
            row = self._masked(row)
        return {name: _cell(value) for name, value in row.items()}

    @staticmethod
    def _masked(row: dict[str, Any]) -> dict[str, Any]:
        for name in _FREE_TEXT & row.keys():
            if isinstance(row[name], str):
                row[name] = _DIGITS.sub("[số]", row[name])
        return row


def _plain(value: object) -> object:
    """A cell's value the same on both backends: times as ISO 8601 UTC text."""
    if isinstance(value, bool):  # PostgreSQL's booleans are SQLite's 0 and 1
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            return datetime.fromisoformat(value).isoformat(timespec="microseconds")
        except ValueError:
            return value
    return "" if value is None else value


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: Excel opens Vietnamese text correctly only with the byte-order mark.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(header))
        writer.writeheader()
        writer.writerows(rows)


def _write_xlsx(path: Path, records: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    # why: openpyxl takes a second to import; only `danvan export --format xlsx` needs it
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows in (
        ("records", RECORD_COLUMNS, records),
        ("events", EVENT_HEADER, events),
    ):
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append([row[name] for name in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


@dataclass(frozen=True, slots=True)
class RetentionReport:
    deidentified: int
    updates_pruned: int
    conversations_pruned: int


async def run_retention(app: App, now: datetime) -> RetentionReport:
    """Apply the retention periods once (each in its own short transaction)."""
    keep = app.settings.retention
    async with app.storage.transaction() as uow:
        deidentified = await uow.datacare.deidentify_closed(
            now - timedelta(days=keep.closed_record_days)
        )
    async with app.storage.transaction() as uow:
        updates = await uow.datacare.prune_processed_updates(
            now - timedelta(days=keep.processed_update_days)
        )
    async with app.storage.transaction() as uow:
        conversations = await uow.datacare.prune_conversations(
            now - timedelta(days=keep.conversation_days)
        )
    log.info(
        "retention: %s closed records de-identified, %s processed-update marks and "
        "%s conversations pruned",
        deidentified,
        updates,
        conversations,
    )
    return RetentionReport(deidentified, updates, conversations)


async def retention_job(app: App, now: datetime) -> JobReport:
    """`run_retention` as one of the daily jobs."""
    report = await run_retention(app, now)
    return JobReport(purged=report.deidentified + report.updates_pruned)
