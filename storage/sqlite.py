"""SQLite storage through aiosqlite: the embedded default backend.

One connection per process, WAL journal, foreign keys on. A unit of work is one
`BEGIN IMMEDIATE … COMMIT` under an asyncio lock, so everything one update changes commits
together or not at all (DESIGN.md, "the write path"). SQLite-only SQL stays in this module.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.base import CommuneRow, OfficeRow
from storage.models import (
    RATING_LEVELS,
    ActorKind,
    Citizen,
    Conversation,
    DurationStats,
    Event,
    NewRecord,
    OutboxMessage,
    OverdueRecord,
    Record,
    RecordKind,
    RecordStatus,
    StoredAttachment,
)

log = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "storage"
MIGRATIONS_DIR = "migrations/sqlite"


def _ts(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _dt_required(value: str) -> datetime:
    return datetime.fromisoformat(value)


def migrations() -> list[tuple[int, str, str]]:
    """(number, name, sql) of every bundled migration, in order."""
    folder = resources.files(MIGRATIONS_PACKAGE).joinpath(MIGRATIONS_DIR)
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql"):
            found.append((int(name.split("_", 1)[0]), name, entry.read_text("utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {numbers}")
    return found


class SqliteStorage:
    """Owns the connection; hands out units of work."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> SqliteStorage:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=10000")
        await conn.execute("PRAGMA synchronous=NORMAL")
        storage = cls(conn, path)
        await storage.migrate()
        return storage

    async def close(self) -> None:
        await self._conn.close()

    async def migrate(self) -> list[str]:
        """Apply the migrations not yet applied; returns their names."""
        applied: list[str] = []
        async with self._lock:
            await self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            async with self._conn.execute("SELECT number FROM schema_migrations") as cur:
                done = {row[0] for row in await cur.fetchall()}
            for number, name, sql in migrations():
                if number in done:
                    continue
                await self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _split_sql(sql):
                        await self._conn.execute(statement)
                    await self._conn.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        (number, name, _ts(datetime.now(UTC))),
                    )
                except BaseException:
                    await self._conn.execute("ROLLBACK")
                    raise
                await self._conn.execute("COMMIT")
                log.info("applied migration %s", name)
                applied.append(name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteUnitOfWork]:
        """One unit of work: committed if the block ends normally, rolled back otherwise."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteUnitOfWork(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")


def _split_sql(sql: str) -> list[str]:
    """Split a migration into statements; triggers keep their BEGIN … END body."""
    statements: list[str] = []
    current: list[str] = []
    in_trigger = False
    for line in sql.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            in_trigger = True
        if (in_trigger and upper.endswith("END;")) or (not in_trigger and upper.endswith(";")):
            statements.append("\n".join(current))
            current = []
            in_trigger = False
    if current:
        statements.append("\n".join(current))
    return statements


def _returned(row: aiosqlite.Row | None) -> aiosqlite.Row:
    """The row an INSERT … RETURNING must give back."""
    if row is None:
        raise RuntimeError("INSERT … RETURNING returned no row")
    return row


# Durations use nearest-rank percentiles (the k-th smallest, k = ceil(n·p)) in SQL.

# Records open at a moment (not resolved, or resolved later) and past their deadline. Both
# halves are ranges of records_commune_resolved (resolved_at NULL by due_at; resolved later).
_OVERDUE = """
    SELECT code, office_code, kind, due_at FROM records
    WHERE commune_code = :c AND resolved_at IS NULL AND due_at < :at
    UNION ALL
    SELECT code, office_code, kind, due_at FROM records
    WHERE commune_code = :c AND resolved_at > :at AND due_at < :at AND created_at < :at"""


_FIRST_RESPONSE = (
    "WITH firsts AS (SELECT record_id, min(at) AS first_at FROM events "
    "WHERE actor_kind = 'official' AND at >= :s AND at < :u GROUP BY record_id), "
    "d AS (SELECT (julianday(f.first_at) - julianday(r.created_at)) * 24.0 AS h "
    "FROM firsts f JOIN records r ON r.id = f.record_id WHERE r.commune_code = :c "
    "AND NOT EXISTS (SELECT 1 FROM events p WHERE p.record_id = f.record_id "
    "AND p.actor_kind = 'official' AND p.at < :s))"
    ", ranked AS (SELECT h, row_number() OVER (ORDER BY h) AS rn, count(*) OVER () AS n "
    "FROM d) SELECT max(n) AS n, max(CASE WHEN rn = (n * 50 + 99) / 100 THEN h END) AS p50, "
    "max(CASE WHEN rn = (n * 90 + 99) / 100 THEN h END) AS p90 FROM ranked"
)

_TIME_TO_CLOSE = (
    "WITH closes AS (SELECT record_id, min(at) AS closed_at FROM events "
    "WHERE action = 'closed' AND at >= :s AND at < :u GROUP BY record_id), "
    "d AS (SELECT (julianday(x.closed_at) - julianday(r.created_at)) * 24.0 AS h "
    "FROM closes x JOIN records r ON r.id = x.record_id WHERE r.commune_code = :c)"
    ", ranked AS (SELECT h, row_number() OVER (ORDER BY h) AS rn, count(*) OVER () AS n "
    "FROM d) SELECT max(n) AS n, max(CASE WHEN rn = (n * 50 + 99) / 100 THEN h END) AS p50, "
    "max(CASE WHEN rn = (n * 90 + 99) / 100 THEN h END) AS p90 FROM ranked"
)


def _durations(row: aiosqlite.Row | None) -> DurationStats:
    if row is None or not row["n"]:
        return DurationStats(0, None, None)
    return DurationStats(int(row["n"]), float(row["p50"]), float(row["p90"]))


def _citizen(row: aiosqlite.Row) -> Citizen:
    return Citizen(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        commune_code=row["commune_code"],
        name=row["name"],
        phone=row["phone"],
        consent_at=_dt(row["consent_at"]),
        consent_version=row["consent_version"],
        created_at=_dt_required(row["created_at"]),
    )


def _record(row: aiosqlite.Row) -> Record:
    return Record(
        id=row["id"],
        code=row["code"],
        commune_code=row["commune_code"],
        citizen_id=row["citizen_id"],
        channel=row["channel"],
        kind=RecordKind(row["kind"]),
        topic=row["topic"],
        office_code=row["office_code"],
        status=RecordStatus(row["status"]),
        description=row["description"],
        hamlet=row["hamlet"],
        place=row["place"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        anonymous=bool(row["anonymous"]),
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        created_at=_dt_required(row["created_at"]),
        due_at=_dt_required(row["due_at"]),
        resolved_at=_dt(row["resolved_at"]),
    )


def _event(row: aiosqlite.Row) -> Event:
    return Event(
        id=row["id"],
        record_id=row["record_id"],
        at=_dt_required(row["at"]),
        actor_kind=ActorKind(row["actor_kind"]),
        actor_ref=row["actor_ref"],
        action=row["action"],
        from_status=RecordStatus(row["from_status"]) if row["from_status"] else None,
        to_status=RecordStatus(row["to_status"]) if row["to_status"] else None,
        note=row["note"],
        visible_to_citizen=bool(row["visible_to_citizen"]),
    )


class SqliteUnitOfWork:
    """The repository operations available inside one transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _one(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, params) as cur:
            row: aiosqlite.Row | None = await cur.fetchone()
            return row

    async def _all(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._conn.execute(sql, params) as cur:
            return cur.rowcount

    # --- idempotency -------------------------------------------------------------------

    async def mark_update_processed(self, channel: str, update_id: str, at: datetime) -> bool:
        """Record that an update was handled; False if it already was (a redelivery)."""
        changed = await self._exec(
            "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (channel, update_id, _ts(at)),
        )
        return changed == 1

    # --- communes and offices ----------------------------------------------------------

    async def sync_communes(self, communes: Iterable[CommuneRow], at: datetime) -> None:
        """Make the communes and offices tables match the configuration."""
        for commune in communes:
            await self._exec(
                "INSERT INTO communes (code, name, synced_at) VALUES (?, ?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                "synced_at = excluded.synced_at",
                (commune.code, commune.name, _ts(at)),
            )
            await self._exec(
                "UPDATE offices SET active = 0 WHERE commune_code = ?", (commune.code,)
            )
            for office in commune.offices:
                await self._exec(
                    "INSERT INTO offices (commune_code, code, name, chat_id, active) "
                    "VALUES (?, ?, ?, ?, 1) ON CONFLICT (commune_code, code) DO UPDATE SET "
                    "name = excluded.name, chat_id = excluded.chat_id, active = 1",
                    (commune.code, office.code, office.name, office.chat_id),
                )

    async def list_offices(self, commune_code: str) -> list[OfficeRow]:
        rows = await self._all(
            "SELECT code, name, chat_id FROM offices WHERE commune_code = ? AND active = 1 "
            "ORDER BY code",
            (commune_code,),
        )
        return [OfficeRow(r["code"], r["name"], r["chat_id"]) for r in rows]

    # --- citizens ----------------------------------------------------------------------

    async def get_citizen(self, channel: str, external_id: str) -> Citizen | None:
        row = await self._one(
            "SELECT * FROM citizens WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return _citizen(row) if row else None

    async def get_citizen_by_id(self, citizen_id: int) -> Citizen | None:
        row = await self._one("SELECT * FROM citizens WHERE id = ?", (citizen_id,))
        return _citizen(row) if row else None

    async def create_citizen(self, channel: str, external_id: str, at: datetime) -> Citizen:
        row = await self._one(
            "INSERT INTO citizens (channel, external_id, created_at) VALUES (?, ?, ?) RETURNING *",
            (channel, external_id, _ts(at)),
        )
        return _citizen(_returned(row))

    async def set_citizen_commune(self, citizen_id: int, commune_code: str) -> None:
        await self._exec(
            "UPDATE citizens SET commune_code = ? WHERE id = ?", (commune_code, citizen_id)
        )

    async def set_consent(self, citizen_id: int, at: datetime | None, version: str | None) -> None:
        """Give (at set) or withdraw (at None) consent; withdrawing also clears name/phone."""
        if at is None:
            await self._exec(
                "UPDATE citizens SET consent_at = NULL, consent_version = NULL, name = NULL, "
                "phone = NULL WHERE id = ?",
                (citizen_id,),
            )
        else:
            await self._exec(
                "UPDATE citizens SET consent_at = ?, consent_version = ? WHERE id = ?",
                (_ts(at), version, citizen_id),
            )

    async def set_citizen_contact(
        self, citizen_id: int, name: str | None, phone: str | None
    ) -> None:
        """Save the name and phone a consenting citizen gave (the CHECK refuses it otherwise)."""
        await self._exec(
            "UPDATE citizens SET name = ?, phone = ? WHERE id = ?", (name, phone, citizen_id)
        )

    async def erase_citizen(self, citizen_id: int, at: datetime) -> int:
        """Erase a citizen's personal data. Records stay, de-identified; returns their count."""
        records = await self._exec(
            "UPDATE records SET citizen_id = NULL, contact_name = NULL, contact_phone = NULL "
            "WHERE citizen_id = ?",
            (citizen_id,),
        )
        await self._exec("DELETE FROM conversations WHERE citizen_id = ?", (citizen_id,))
        await self._exec(
            "UPDATE outbox SET status = 'failed', last_error = 'erased' "
            "WHERE status = 'pending' AND chat_id IN "
            "(SELECT external_id FROM citizens WHERE id = ?) AND channel IN "
            "(SELECT channel FROM citizens WHERE id = ?)",
            (citizen_id, citizen_id),
        )
        await self._exec("DELETE FROM citizens WHERE id = ?", (citizen_id,))
        return records

    # --- conversations -----------------------------------------------------------------

    async def get_conversation(self, citizen_id: int) -> Conversation | None:
        row = await self._one("SELECT * FROM conversations WHERE citizen_id = ?", (citizen_id,))
        if row is None:
            return None
        return Conversation(
            citizen_id=row["citizen_id"],
            flow=row["flow"],
            state=row["state"],
            data=json.loads(row["data"]),
            nonce=row["nonce"],
            updated_at=_dt_required(row["updated_at"]),
        )

    async def save_conversation(self, conversation: Conversation) -> None:
        await self._exec(
            "INSERT INTO conversations (citizen_id, flow, state, data, nonce, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE SET "
            "flow = excluded.flow, state = excluded.state, data = excluded.data, "
            "nonce = excluded.nonce, updated_at = excluded.updated_at",
            (
                conversation.citizen_id,
                conversation.flow,
                conversation.state,
                json.dumps(conversation.data, ensure_ascii=False),
                conversation.nonce,
                _ts(conversation.updated_at),
            ),
        )

    # --- records -----------------------------------------------------------------------

    async def insert_record(self, code: str, record: NewRecord) -> Record | None:
        """Insert a record under `code`; None if the code is taken (the caller retries)."""
        row = await self._one(
            "INSERT INTO records (code, commune_code, citizen_id, channel, kind, topic, "
            "office_code, status, description, hamlet, place, latitude, longitude, anonymous, "
            "contact_name, contact_phone, created_at, due_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (code) DO NOTHING RETURNING *",
            (
                code,
                record.commune_code,
                record.citizen_id,
                record.channel,
                record.kind.value,
                record.topic,
                record.office_code,
                record.description,
                record.hamlet,
                record.place,
                record.latitude,
                record.longitude,
                int(record.anonymous),
                record.contact_name,
                record.contact_phone,
                _ts(record.created_at),
                _ts(record.due_at),
            ),
        )
        return _record(row) if row else None

    async def get_record(self, code: str) -> Record | None:
        row = await self._one("SELECT * FROM records WHERE code = ?", (code,))
        return _record(row) if row else None

    async def list_citizen_records(self, citizen_id: int, limit: int) -> list[Record]:
        rows = await self._all(
            "SELECT * FROM records WHERE citizen_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (citizen_id, limit),
        )
        return [_record(r) for r in rows]

    async def count_citizen_records(self, citizen_id: int) -> int:
        row = await self._one("SELECT count(*) FROM records WHERE citizen_id = ?", (citizen_id,))
        return int(row[0]) if row else 0

    async def add_attachment(self, record_id: int, kind: str, ref: str, at: datetime) -> None:
        await self._exec(
            "INSERT INTO attachments (record_id, kind, ref, created_at) VALUES (?, ?, ?, ?)",
            (record_id, kind, ref, _ts(at)),
        )

    async def list_attachments(self, record_id: int) -> list[StoredAttachment]:
        rows = await self._all(
            "SELECT * FROM attachments WHERE record_id = ? ORDER BY id", (record_id,)
        )
        return [
            StoredAttachment(
                r["id"], r["record_id"], r["kind"], r["ref"], _dt_required(r["created_at"])
            )
            for r in rows
        ]

    # --- audit events ------------------------------------------------------------------

    async def add_event(
        self,
        record_id: int,
        at: datetime,
        actor_kind: ActorKind,
        actor_ref: str | None,
        action: str,
        from_status: RecordStatus | None,
        to_status: RecordStatus | None,
        note: str | None,
        visible_to_citizen: bool,
    ) -> None:
        await self._exec(
            "INSERT INTO events (record_id, at, actor_kind, actor_ref, action, from_status, "
            "to_status, note, visible_to_citizen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                _ts(at),
                actor_kind.value,
                actor_ref,
                action,
                from_status.value if from_status else None,
                to_status.value if to_status else None,
                note,
                int(visible_to_citizen),
            ),
        )

    async def list_events(self, record_id: int, *, visible_only: bool) -> list[Event]:
        sql = "SELECT * FROM events WHERE record_id = ?"
        if visible_only:
            sql += " AND visible_to_citizen = 1"
        rows = await self._all(sql + " ORDER BY id", (record_id,))
        return [_event(r) for r in rows]

    # --- questions the bot could not answer -------------------------------------------

    async def log_question(
        self,
        commune_code: str,
        at: datetime,
        question: str,
        intent: str,
        answered: bool,
        confidence: float,
        best_faq_id: str | None,
    ) -> None:
        """Keep a redacted question for the digest (callers pass no personal data)."""
        await self._exec(
            "INSERT INTO question_log (commune_code, at, question, intent, answered, "
            "confidence, best_faq_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                commune_code,
                _ts(at),
                question,
                intent,
                int(answered),
                max(0.0, min(1.0, confidence)),
                best_faq_id,
            ),
        )

    async def top_unanswered_questions(
        self, commune_code: str, since: datetime, until: datetime, limit: int
    ) -> list[tuple[str, int]]:
        """The most frequent unanswered questions in [since, until), with their counts."""
        rows = await self._all(
            "SELECT question, count(*) AS n FROM question_log WHERE commune_code = ? "
            "AND at >= ? AND at < ? AND answered = 0 GROUP BY question "
            "ORDER BY n DESC, question LIMIT ?",
            (commune_code, _ts(since), _ts(until), limit),
        )
        return [(r["question"], int(r["n"])) for r in rows]

    # --- outbox ------------------------------------------------------------------------

    async def enqueue(
        self, channel: str, chat_id: str, priority: int, payload: dict[str, Any], at: datetime
    ) -> int:
        row = await self._one(
            "INSERT INTO outbox (channel, chat_id, priority, payload, created_at, not_before) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (channel, chat_id, priority, json.dumps(payload, ensure_ascii=False), _ts(at), _ts(at)),
        )
        return int(_returned(row)[0])

    async def pending_outbox(
        self, channel: str, now: datetime, limit: int, chat_id: str | None = None
    ) -> list[OutboxMessage]:
        """Pending messages due by `now`, highest priority first, oldest first."""
        sql = "SELECT * FROM outbox WHERE channel = ? AND status = 'pending' AND not_before <= ?"
        params: list[Any] = [channel, _ts(now)]
        if chat_id is not None:
            sql += " AND chat_id = ?"
            params.append(chat_id)
        rows = await self._all(sql + " ORDER BY priority, id LIMIT ?", (*params, limit))
        return [
            OutboxMessage(
                id=r["id"],
                channel=r["channel"],
                chat_id=r["chat_id"],
                priority=r["priority"],
                payload=json.loads(r["payload"]),
                created_at=_dt_required(r["created_at"]),
                attempts=r["attempts"],
                not_before=_dt_required(r["not_before"]),
            )
            for r in rows
        ]

    async def mark_sent(self, message_id: int, at: datetime) -> bool:
        """Mark a message sent; False if it was not pending (never send twice)."""
        changed = await self._exec(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
            "WHERE id = ? AND status = 'pending'",
            (_ts(at), message_id),
        )
        return changed == 1

    async def mark_failed(self, message_id: int, error: str, *, retry_at: datetime | None) -> None:
        """Record a failed attempt: retried at `retry_at`, or failed for good if None."""
        if retry_at is None:
            await self._exec(
                "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 "
                "WHERE id = ? AND status = 'pending'",
                (error[:500], message_id),
            )
        else:
            await self._exec(
                "UPDATE outbox SET last_error = ?, attempts = attempts + 1, not_before = ? "
                "WHERE id = ? AND status = 'pending'",
                (error[:500], _ts(retry_at), message_id),
            )

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._all("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}

    # --- the weekly digest: aggregates over [since, until), never personal data ----------

    async def digest_received(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[RecordKind, str, str | None, str | None, int]]:
        """Records received, counted per (kind, office, topic, hamlet)."""
        rows = await self._all(
            "SELECT kind, office_code, topic, hamlet, count(*) AS n FROM records "
            "WHERE commune_code = ? AND created_at >= ? AND created_at < ? "
            "GROUP BY kind, office_code, topic, hamlet",
            (commune_code, _ts(since), _ts(until)),
        )
        return [
            (RecordKind(r["kind"]), r["office_code"], r["topic"], r["hamlet"], int(r["n"]))
            for r in rows
        ]

    async def digest_daily(
        self, commune_code: str, days: Sequence[tuple[datetime, datetime]]
    ) -> list[tuple[int, int]]:
        """(received, closed) for each [start, end) in `days`, in order."""
        result = []
        for start, end in days:
            row = await self._one(
                "SELECT (SELECT count(*) FROM records WHERE commune_code = :c "
                "AND created_at >= :s AND created_at < :e) AS received, "
                "(SELECT count(DISTINCT e.record_id) FROM events e "
                "JOIN records r ON r.id = e.record_id WHERE e.action = 'closed' "
                "AND e.at >= :s AND e.at < :e AND r.commune_code = :c) AS closed",
                {"c": commune_code, "s": _ts(start), "e": _ts(end)},
            )
            result.append((int(row["received"]), int(row["closed"])) if row else (0, 0))
        return result

    async def digest_actions(
        self, commune_code: str, since: datetime, until: datetime, actions: Sequence[str]
    ) -> list[tuple[str, str, int]]:
        """(action, office, distinct records) for events with one of `actions`."""
        if not actions:
            return []
        marks = ", ".join("?" for _ in actions)
        sql = (
            "SELECT e.action, r.office_code, count(DISTINCT e.record_id) AS n FROM events e "  # noqa: S608
            f"JOIN records r ON r.id = e.record_id WHERE e.action IN ({marks}) "
            "AND e.at >= ? AND e.at < ? AND r.commune_code = ? "
            "GROUP BY e.action, r.office_code"
        )
        rows = await self._all(
            sql,
            (*actions, _ts(since), _ts(until), commune_code),
        )
        return [(r["action"], r["office_code"], int(r["n"])) for r in rows]

    async def digest_resolved(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, int, int]]:
        """(office, resolved, resolved by the deadline) for records resolved in the range."""
        rows = await self._all(
            "SELECT office_code, count(*) AS n, sum(resolved_at <= due_at) AS on_time "
            "FROM records WHERE commune_code = ? AND resolved_at >= ? AND resolved_at < ? "
            "GROUP BY office_code",
            (commune_code, _ts(since), _ts(until)),
        )
        return [(r["office_code"], int(r["n"]), int(r["on_time"])) for r in rows]

    async def digest_overdue_counts(
        self, commune_code: str, at: datetime
    ) -> list[tuple[str, RecordKind, int]]:
        """(office, kind, count) of records open at `at` whose deadline had passed."""
        rows = await self._all(
            f"SELECT office_code, kind, count(*) AS n FROM ({_OVERDUE}) "  # noqa: S608
            "GROUP BY office_code, kind",
            {"c": commune_code, "at": _ts(at)},
        )
        return [(r["office_code"], RecordKind(r["kind"]), int(r["n"])) for r in rows]

    async def digest_overdue_records(
        self, commune_code: str, at: datetime, limit: int, exclude: Sequence[RecordKind]
    ) -> list[OverdueRecord]:
        """The records open at `at` and longest past their deadline, except `exclude` kinds."""
        params: dict[str, Any] = {"c": commune_code, "at": _ts(at), "limit": limit}
        params.update({f"x{i}": kind.value for i, kind in enumerate(exclude)})
        skip = ", ".join(f":x{i}" for i in range(len(exclude))) or "''"
        rows = await self._all(
            f"SELECT * FROM ({_OVERDUE}) WHERE kind NOT IN ({skip}) "  # noqa: S608
            "ORDER BY due_at, code LIMIT :limit",
            params,
        )
        return [
            OverdueRecord(
                r["code"], r["office_code"], RecordKind(r["kind"]), _dt_required(r["due_at"])
            )
            for r in rows
        ]

    async def digest_first_response(
        self, commune_code: str, since: datetime, until: datetime
    ) -> DurationStats:
        """From receipt to an official's first event, for first events in the range."""
        row = await self._one(
            _FIRST_RESPONSE,
            {"c": commune_code, "s": _ts(since), "u": _ts(until)},
        )
        return _durations(row)

    async def digest_time_to_close(
        self, commune_code: str, since: datetime, until: datetime
    ) -> DurationStats:
        """From receipt to closing, for records closed in the range."""
        row = await self._one(
            _TIME_TO_CLOSE,
            {"c": commune_code, "s": _ts(since), "u": _ts(until)},
        )
        return _durations(row)

    async def digest_ratings(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, str, int]]:
        """(office, level, count) of citizens' ratings given in the range.

        A rating is a `rated` event whose note is the level; a record rated twice counts
        its latest rating in the range.
        """
        rows = await self._all(
            "WITH latest AS (SELECT record_id, max(id) AS id FROM events WHERE action = 'rated' "
            "AND at >= ? AND at < ? GROUP BY record_id) "
            "SELECT r.office_code, e.note AS level, count(*) AS n FROM latest l "
            "JOIN events e ON e.id = l.id JOIN records r ON r.id = l.record_id "
            "WHERE r.commune_code = ? AND e.note IN (?, ?, ?) GROUP BY r.office_code, e.note",
            (_ts(since), _ts(until), commune_code, *RATING_LEVELS),
        )
        return [(r["office_code"], r["level"], int(r["n"])) for r in rows]

    # --- leases: one process runs each scheduled job -----------------------------------

    async def acquire_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take the lease `name` until `until`; False if it is done or another holds it."""
        changed = await self._exec(
            "INSERT INTO job_leases (name, holder, leased_until) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "leased_until = excluded.leased_until WHERE job_leases.done_at IS NULL "
            "AND (job_leases.leased_until <= ? OR job_leases.holder = excluded.holder)",
            (name, holder, _ts(until), _ts(now)),
        )
        return changed == 1

    async def finish_lease(self, name: str, holder: str, at: datetime) -> bool:
        """Mark the job done; False if `holder` no longer holds the lease."""
        changed = await self._exec(
            "UPDATE job_leases SET done_at = ? WHERE name = ? AND holder = ? AND done_at IS NULL",
            (_ts(at), name, holder),
        )
        return changed == 1

    async def lease_done(self, name: str) -> bool:
        row = await self._one("SELECT done_at FROM job_leases WHERE name = ?", (name,))
        return bool(row and row["done_at"])
