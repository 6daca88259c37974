"""Records: insertion under a fresh tracking code, look-ups and the officials' queues.

A record's lifecycle columns change only through `storage.uow.UnitOfWork.transition`,
which calls `compare_and_set` here and appends the step's event in the same call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.records import NewRecord, Record, RecordStatus
from storage.base import Db
from storage.repos.rows import Repo, load, placeholders, ts

# Columns a lifecycle step may change.
LIFECYCLE_COLUMNS = frozenset(
    {
        "status",
        "office_code",
        "handler_id",
        "due_at",
        "stage",
        "extensions",
        "accepted_at",
        "answered_at",
        "resolved_at",
        "followup_at",
        "rated_at",
    }
)


async def compare_and_set(
    db: Db, record_id: int, expected_version: int, changes: dict[str, Any]
) -> Record | None:
    """Apply lifecycle `changes` if the record is still at `expected_version`, bumping the
    version; None when another step got there first."""
    unknown = set(changes) - LIFECYCLE_COLUMNS
    if unknown:
        raise ValueError(f"not a lifecycle column: {sorted(unknown)}")
    names = sorted(changes)
    values = [
        ts(v) if isinstance(v, datetime) else (v.value if isinstance(v, StrEnum) else v)
        for v in (changes[n] for n in names)
    ]
    assignments = "".join(f"{n} = ?, " for n in names)
    row = await db.one(
        f"UPDATE records SET {assignments}version = version + 1 "  # noqa: S608 - whitelisted
        "WHERE id = ? AND version = ? RETURNING *",
        (*values, record_id, expected_version),
    )
    return load(Record, row) if row else None


class RecordsRepo(Repo):
    async def insert(self, code: str, record: NewRecord) -> Record | None:
        """Insert a record under `code`; None if the code is taken (the caller retries)."""
        row = await self._one(
            "INSERT INTO records (code, commune_code, citizen_id, channel, kind, topic, "
            "office_code, status, description, hamlet, place, latitude, longitude, anonymous, "
            "contact_name, contact_phone, created_at, due_at, publishable) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
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
                ts(record.created_at),
                ts(record.due_at),
                int(record.publishable),
            ),
        )
        return load(Record, row) if row else None

    async def get_by_code(self, code: str) -> Record | None:
        row = await self._one("SELECT * FROM records WHERE code = ?", (code,))
        return load(Record, row) if row else None

    async def get_by_id(self, record_id: int) -> Record | None:
        row = await self._one("SELECT * FROM records WHERE id = ?", (record_id,))
        return load(Record, row) if row else None

    async def list_for_citizen(self, citizen_id: int, limit: int) -> list[Record]:
        rows = await self._all(
            "SELECT * FROM records WHERE citizen_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (citizen_id, limit),
        )
        return [load(Record, r) for r in rows]

    async def count_for_citizen(self, citizen_id: int) -> int:
        row = await self._one("SELECT count(*) FROM records WHERE citizen_id = ?", (citizen_id,))
        return int(row[0]) if row else 0

    async def list_handled_by(
        self, official_id: int, statuses: Sequence[RecordStatus]
    ) -> list[Record]:
        """Records in `statuses` whose handler is `official_id` (to reassign after a revoke)."""
        rows = await self._all(
            f"SELECT * FROM records WHERE handler_id = ? AND status IN ({placeholders(statuses)}) "  # noqa: S608
            "ORDER BY due_at, id",
            (official_id, *(s.value for s in statuses)),
        )
        return [load(Record, r) for r in rows]

    async def list_open(
        self,
        commune_code: str,
        office_code: str | None,
        statuses: Sequence[RecordStatus],
        limit: int,
        offset: int = 0,
        due_before: datetime | None = None,
    ) -> list[Record]:
        """Records in `statuses` (of one office, or the whole commune), oldest due first."""
        sql, params = _in_statuses("SELECT *", commune_code, office_code, statuses)
        if due_before is not None:
            sql += " AND due_at <= ?"
            params.append(ts(due_before))
        rows = await self._all(
            sql + " ORDER BY due_at, id LIMIT ? OFFSET ?", (*params, limit, offset)
        )
        return [load(Record, r) for r in rows]

    async def count_open(
        self, commune_code: str, office_code: str | None, statuses: Sequence[RecordStatus]
    ) -> int:
        sql, params = _in_statuses("SELECT count(*)", commune_code, office_code, statuses)
        row = await self._one(sql, params)
        return int(row[0]) if row else 0

    async def list_filed(
        self,
        commune_code: str,
        kinds: Sequence[str],
        since: datetime,
        until: datetime,
        *,
        statuses: Sequence[RecordStatus] = (),
        topic: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Record]:
        """Records of `kinds` filed in [since, until), newest first (Open311's GET)."""
        sql = (
            f"SELECT * FROM records WHERE commune_code = ? AND kind IN ({placeholders(kinds)}) "  # noqa: S608 - placeholders only
            "AND created_at >= ? AND created_at < ?"
        )
        params: list[Any] = [commune_code, *kinds, ts(since), ts(until)]
        if statuses:
            sql += f" AND status IN ({placeholders(statuses)})"
            params.extend(str(s) for s in statuses)
        if topic is not None:
            sql += " AND topic = ?"
            params.append(topic)
        rows = await self._all(
            sql + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?", (*params, limit, offset)
        )
        return [load(Record, r) for r in rows]

    async def list_followup_due(self, answered_before: datetime, limit: int) -> list[Record]:
        """Answered or closed records, never rated nor followed up, quiet since the answer."""
        rows = await self._all(
            "SELECT * FROM records WHERE status IN ('answered', 'closed') "
            "AND followup_at IS NULL AND rated_at IS NULL AND answered_at IS NOT NULL "
            "AND answered_at <= ? ORDER BY answered_at, id LIMIT ?",
            (ts(answered_before), limit),
        )
        return [load(Record, r) for r in rows]

    async def mark_followup_sent(self, record_id: int, at: datetime) -> None:
        """Note the one follow-up question (not a lifecycle step: no version bump)."""
        await self._exec("UPDATE records SET followup_at = ? WHERE id = ?", (ts(at), record_id))

    async def add_deadline_notice(
        self, record_id: int, kind: str, local_day: str, at: datetime
    ) -> bool:
        """Note a reminder/escalation for a day; False if one was already sent that day."""
        changed = await self._exec(
            "INSERT INTO deadline_notices (record_id, kind, local_day, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (record_id, kind, local_day, ts(at)),
        )
        return changed == 1


def _in_statuses(
    select: str, commune_code: str, office_code: str | None, statuses: Sequence[RecordStatus]
) -> tuple[str, list[Any]]:
    """`select` over the commune's (or one office's) records in `statuses`."""
    sql = select + " FROM records WHERE commune_code = ?"  # noqa: S608 - constant
    params: list[Any] = [commune_code]
    if office_code is not None:
        sql += " AND office_code = ?"
        params.append(office_code)
    sql += f" AND status IN ({placeholders(statuses)})"
    params.extend(s.value for s in statuses)
    return sql, params
