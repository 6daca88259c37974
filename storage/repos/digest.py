"""The weekly digest's figures: aggregates over [since, until), never personal data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.records import DurationStats, OverdueRecord, RecordKind, RecordStatus
from storage.base import Row
from storage.repos.rows import Repo, load, placeholders, ts

# A record enters `closed` (whichever action closed it: done, a rating, the quiet period).
_ENTERS_CLOSED = "e.to_status = 'closed' AND (e.from_status IS NULL OR e.from_status <> 'closed')"


class DigestRepo(Repo):
    async def received(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[RecordKind, str, str | None, str | None, int]]:
        """Records received, counted per (kind, office, topic, hamlet)."""
        rows = await self._all(
            "SELECT kind, office_code, topic, hamlet, count(*) AS n FROM records "
            "WHERE commune_code = ? AND created_at >= ? AND created_at < ? "
            "GROUP BY kind, office_code, topic, hamlet",
            (commune_code, ts(since), ts(until)),
        )
        return [
            (RecordKind(r["kind"]), r["office_code"], r["topic"], r["hamlet"], int(r["n"]))
            for r in rows
        ]

    async def daily(
        self, commune_code: str, days: Sequence[tuple[datetime, datetime]]
    ) -> list[tuple[int, int]]:
        """(received, closed) for each [start, end) in `days`, in order."""
        result = []
        for start, end in days:
            row = await self._one(
                "SELECT (SELECT count(*) FROM records WHERE commune_code = ? "  # noqa: S608
                "AND created_at >= ? AND created_at < ?) AS received, "
                "(SELECT count(DISTINCT e.record_id) FROM events e "
                f"JOIN records r ON r.id = e.record_id WHERE {_ENTERS_CLOSED} "
                "AND e.at >= ? AND e.at < ? AND r.commune_code = ?) AS closed",
                (commune_code, ts(start), ts(end), ts(start), ts(end), commune_code),
            )
            result.append((int(row["received"]), int(row["closed"])) if row else (0, 0))
        return result

    async def actions(
        self, commune_code: str, since: datetime, until: datetime, actions: Sequence[str]
    ) -> list[tuple[str, str, int]]:
        """(action, office, distinct records) for events with one of `actions`."""
        if not actions:
            return []
        sql = (
            "SELECT e.action, r.office_code, count(DISTINCT e.record_id) AS n FROM events e "  # noqa: S608
            f"JOIN records r ON r.id = e.record_id WHERE e.action IN ({placeholders(actions)}) "
            "AND e.at >= ? AND e.at < ? AND r.commune_code = ? "
            "GROUP BY e.action, r.office_code"
        )
        rows = await self._all(sql, (*actions, ts(since), ts(until), commune_code))
        return [(r["action"], r["office_code"], int(r["n"])) for r in rows]

    async def closed(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, int]]:
        """(office, distinct records) that entered `closed` in the range, whichever action
        closed them (done, a rating, the quiet-period close)."""
        rows = await self._all(
            "SELECT r.office_code, count(DISTINCT e.record_id) AS n FROM events e "  # noqa: S608
            f"JOIN records r ON r.id = e.record_id WHERE {_ENTERS_CLOSED} "
            "AND e.at >= ? AND e.at < ? AND r.commune_code = ? GROUP BY r.office_code",
            (ts(since), ts(until), commune_code),
        )
        return [(r["office_code"], int(r["n"])) for r in rows]

    async def resolved(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, int, int]]:
        """(office, resolved, resolved by the deadline) for records resolved in the range.

        A rejection (từ chối / không thụ lý) is not a resolution: it is counted apart
        (the `rejected` action), never as resolved on time."""
        rows = await self._all(
            "SELECT office_code, count(*) AS n, "
            "sum(CASE WHEN resolved_at <= due_at THEN 1 ELSE 0 END) AS on_time "
            "FROM records WHERE commune_code = ? AND resolved_at >= ? AND resolved_at < ? "
            "AND status <> ? GROUP BY office_code",
            (commune_code, ts(since), ts(until), RecordStatus.REJECTED.value),
        )
        return [(r["office_code"], int(r["n"]), int(r["on_time"])) for r in rows]

    async def overdue_counts(
        self, commune_code: str, at: datetime
    ) -> list[tuple[str, RecordKind, int]]:
        """(office, kind, count) of records open at `at` whose deadline had passed."""
        rows = await self._all(
            f"SELECT office_code, kind, count(*) AS n FROM ({_OVERDUE}) o "  # noqa: S608
            "GROUP BY office_code, kind",
            _overdue_params(commune_code, at),
        )
        return [(r["office_code"], RecordKind(r["kind"]), int(r["n"])) for r in rows]

    async def overdue_records(
        self, commune_code: str, at: datetime, limit: int, exclude: Sequence[RecordKind]
    ) -> list[OverdueRecord]:
        """The records open at `at` and longest past their deadline, except `exclude` kinds."""
        skip = placeholders(exclude) or "''"
        rows = await self._all(
            f"SELECT * FROM ({_OVERDUE}) o WHERE kind NOT IN ({skip}) "  # noqa: S608
            "ORDER BY due_at, code LIMIT ?",
            (*_overdue_params(commune_code, at), *(k.value for k in exclude), limit),
        )
        return [load(OverdueRecord, r) for r in rows]

    async def first_response(
        self, commune_code: str, since: datetime, until: datetime
    ) -> DurationStats:
        """From receipt to an official's first event, for first events in the range."""
        hours = self._db.dialect.hours_between.format(a="f.first_at", b="r.created_at")
        row = await self._one(
            "WITH firsts AS (SELECT record_id, min(at) AS first_at FROM events "  # noqa: S608
            "WHERE actor_kind = 'official' AND at >= ? AND at < ? GROUP BY record_id), "
            f"d AS (SELECT {hours} AS h FROM firsts f JOIN records r ON r.id = f.record_id "
            "WHERE r.commune_code = ? AND NOT EXISTS (SELECT 1 FROM events p "
            "WHERE p.record_id = f.record_id AND p.actor_kind = 'official' AND p.at < ?))"
            + _PERCENTILES,
            (ts(since), ts(until), commune_code, ts(since)),
        )
        return _durations(row)

    async def time_to_close(
        self, commune_code: str, since: datetime, until: datetime
    ) -> DurationStats:
        """From receipt to closing, for records closed in the range."""
        hours = self._db.dialect.hours_between.format(a="x.closed_at", b="r.created_at")
        row = await self._one(
            "WITH closes AS (SELECT e.record_id, min(e.at) AS closed_at FROM events e "  # noqa: S608
            f"WHERE {_ENTERS_CLOSED} AND e.at >= ? AND e.at < ? "
            "GROUP BY e.record_id), "
            f"d AS (SELECT {hours} AS h FROM closes x JOIN records r ON r.id = x.record_id "
            "WHERE r.commune_code = ?)" + _PERCENTILES,
            (ts(since), ts(until), commune_code),
        )
        return _durations(row)

    async def ratings(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, str, int]]:
        """(office, level, count) of citizens' ratings given in the range; a record rated
        twice counts its latest rating in the range."""
        rows = await self._all(
            "WITH latest AS (SELECT record_id, max(id) AS id FROM ratings "
            "WHERE at >= ? AND at < ? GROUP BY record_id) "
            "SELECT r.office_code, g.value AS level, count(*) AS n FROM latest l "
            "JOIN ratings g ON g.id = l.id JOIN records r ON r.id = l.record_id "
            "WHERE r.commune_code = ? GROUP BY r.office_code, g.value",
            (ts(since), ts(until), commune_code),
        )
        return [(r["office_code"], r["level"], int(r["n"])) for r in rows]


# Nearest-rank median and 90th percentile (the k-th smallest, k = ceil(n·p)) of the hours
# `h` of a CTE named `d`, appended to a WITH clause.
_PERCENTILES = (
    ", ranked AS (SELECT h, row_number() OVER (ORDER BY h) AS rn, count(*) OVER () AS n "
    "FROM d) SELECT max(n) AS n, max(CASE WHEN rn = (n * 50 + 99) / 100 THEN h END) AS p50, "
    "max(CASE WHEN rn = (n * 90 + 99) / 100 THEN h END) AS p90 FROM ranked"
)

# Records open at a moment (not resolved, or resolved later) and past their deadline; both
# halves are ranges of records_commune_resolved. (A deadline comes after the receipt, so
# due_at < at also means the record existed at `at`; saying created_at < at as well lets
# SQLite's planner pick the created_at index and walk every older record.)
_OVERDUE = (
    "SELECT code, office_code, kind, due_at FROM records "
    "WHERE commune_code = ? AND resolved_at IS NULL AND due_at < ? "
    "UNION ALL SELECT code, office_code, kind, due_at FROM records "
    "WHERE commune_code = ? AND resolved_at > ? AND due_at < ?"
)


def _overdue_params(commune_code: str, at: datetime) -> list[Any]:
    return [commune_code, ts(at), commune_code, ts(at), ts(at)]


def _durations(row: Row | None) -> DurationStats:
    if row is None or not row["n"]:
        return DurationStats(0, None, None)
    return DurationStats(int(row["n"]), float(row["p50"]), float(row["p90"]))
