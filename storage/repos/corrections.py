"""Corrections of the bot's understanding (migration 017), for `danvan faq train`.

A row holds de-identified text only (the caller redacts it as the question log is): an
official's transfer (`kind = routing`, `label` the new office, accepted at once) or a
citizen's intent label (`kind = intent`, `label` question or report, pending until an
administrator accepts it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repos.rows import Repo, load, ts

KINDS = ("routing", "intent")
STATUSES = ("pending", "accepted", "rejected")


@dataclass(frozen=True, slots=True)
class CorrectionRow:
    id: int
    commune_code: str
    at: datetime
    text: str
    kind: str
    label: str
    previous: str | None
    source: str
    status: str


class CorrectionsRepo(Repo):
    async def add(
        self,
        commune_code: str,
        at: datetime,
        text: str,
        kind: str,
        label: str,
        *,
        previous: str | None,
        source: str,
        accepted: bool,
    ) -> None:
        """Keep one correction (nothing is kept for an empty text)."""
        if kind not in KINDS:
            raise ValueError(f"unknown correction kind {kind!r}")
        if not text.strip():
            return
        await self._exec(
            "INSERT INTO corrections (commune_code, at, text, kind, label, previous, source, "
            "status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                commune_code,
                ts(at),
                text,
                kind,
                label,
                previous,
                source,
                "accepted" if accepted else "pending",
            ),
        )

    async def list_for(
        self, commune_code: str | None = None, status: str | None = None, limit: int = 1000
    ) -> list[CorrectionRow]:
        """Corrections, oldest first; of one commune and one status when given."""
        where, params = ["1 = 1"], []
        if commune_code is not None:
            where.append("commune_code = ?")
            params.append(commune_code)
        if status is not None:
            where.append("status = ?")
            params.append(status)
        rows = await self._all(
            f"SELECT * FROM corrections WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",  # noqa: S608 - fixed fragments
            (*params, limit),
        )
        return [load(CorrectionRow, row) for row in rows]

    async def set_status(self, ids: list[int], status: str) -> int:
        """Accept or reject corrections by id; how many changed."""
        if status not in STATUSES:
            raise ValueError(f"unknown correction status {status!r}")
        changed = 0
        for correction_id in ids:
            changed += await self._exec(
                "UPDATE corrections SET status = ? WHERE id = ? AND status <> ?",
                (status, correction_id, status),
            )
        return changed
