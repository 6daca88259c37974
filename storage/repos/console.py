"""The console's queue (`/console/`): records by any mix of filters, sorted, paged, and
the counts per status of the same selection. The scope (the commune, and the office for
a member or head) is the caller's decision (`handlers.officials.queues.scope_of`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.records import Record, RecordKind, RecordStatus
from storage.repos.rows import Repo, load, placeholders, ts

# Sort keys the console offers → ORDER BY (constants only: never the request's text).
SORTS = {
    "due": "due_at, id",
    "-due": "due_at DESC, id DESC",
    "created": "created_at, id",
    "-created": "created_at DESC, id DESC",
    "code": "code, id",
}
# LIKE's own characters, escaped in a searched text.
_LIKE_ESCAPE = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFilter:
    commune_code: str
    office_code: str | None = None  # None: every office
    statuses: Sequence[RecordStatus] = ()  # empty: any
    kind: RecordKind | None = None
    hamlet: str | None = None
    due_before: datetime | None = None  # overdue / due soon: due before this time
    due_after: datetime | None = None  # due soon: not yet overdue
    open_statuses: Sequence[RecordStatus] = ()  # with a due time: only these count
    filed_from: datetime | None = None
    filed_until: datetime | None = None
    text: str | None = None  # in the code or the description


class ConsoleRepo(Repo):
    async def search(self, wanted: QueueFilter, sort: str, limit: int, offset: int) -> list[Record]:
        where, params = _where(wanted, with_statuses=True)
        order = SORTS.get(sort, SORTS["due"])
        rows = await self._all(
            f"SELECT * FROM records WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608 - constants and placeholders
            (*params, limit, offset),
        )
        return [load(Record, r) for r in rows]

    async def count(self, wanted: QueueFilter) -> int:
        where, params = _where(wanted, with_statuses=True)
        row = await self._one(f"SELECT count(*) FROM records WHERE {where}", params)  # noqa: S608 - as above
        return int(row[0]) if row else 0

    async def count_by_status(self, wanted: QueueFilter) -> dict[RecordStatus, int]:
        """The selection's counts per status, whatever status the filter asks for."""
        where, params = _where(wanted, with_statuses=False)
        rows = await self._all(
            f"SELECT status, count(*) AS n FROM records WHERE {where} GROUP BY status",  # noqa: S608 - as above
            params,
        )
        return {RecordStatus(r["status"]): int(r["n"]) for r in rows}


def _where(wanted: QueueFilter, *, with_statuses: bool) -> tuple[str, list[Any]]:
    clauses = ["commune_code = ?"]
    params: list[Any] = [wanted.commune_code]
    if wanted.office_code is not None:
        clauses.append("office_code = ?")
        params.append(wanted.office_code)
    if with_statuses and wanted.statuses:
        clauses.append(f"status IN ({placeholders(wanted.statuses)})")
        params.extend(s.value for s in wanted.statuses)
    if wanted.kind is not None:
        clauses.append("kind = ?")
        params.append(wanted.kind.value)
    if wanted.hamlet:
        clauses.append("hamlet = ?")
        params.append(wanted.hamlet)
    if wanted.due_after is not None:
        clauses.append("due_at >= ?")
        params.append(ts(wanted.due_after))
    if wanted.due_before is not None:
        clauses.append("due_at < ?")
        params.append(ts(wanted.due_before))
    if (wanted.due_before is not None or wanted.due_after is not None) and wanted.open_statuses:
        clauses.append(f"status IN ({placeholders(wanted.open_statuses)})")
        params.extend(s.value for s in wanted.open_statuses)
    if wanted.filed_from is not None:
        clauses.append("created_at >= ?")
        params.append(ts(wanted.filed_from))
    if wanted.filed_until is not None:
        clauses.append("created_at < ?")
        params.append(ts(wanted.filed_until))
    if wanted.text:
        # lower() folds ASCII only on SQLite ("Đ" stays "Đ"): the text is matched as
        # typed and in its usual casings too, so "đèn đường" finds "Đèn đường".
        typed = wanted.text.translate(_LIKE_ESCAPE)
        folded = f"%{typed.lower()}%"
        casings = dict.fromkeys(f"%{t}%" for t in (typed, typed.capitalize(), typed.upper()))
        matches = ["lower(code) LIKE ? ESCAPE '\\'", "lower(description) LIKE ? ESCAPE '\\'"]
        matches += ["description LIKE ? ESCAPE '\\'"] * len(casings)
        clauses.append("(" + " OR ".join(matches) + ")")
        params.extend([folded, folded, *casings])
    return " AND ".join(clauses), params
