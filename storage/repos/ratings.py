"""Citizens' ratings of an answered record, with the reason an unsatisfied one gave."""

from __future__ import annotations

from datetime import datetime

from domain.records import Rating
from storage.repos.rows import Repo, returned, ts


class RatingsRepo(Repo):
    async def add(self, record_id: int, at: datetime, value: Rating, reason: str | None) -> int:
        row = await self._one(
            "INSERT INTO ratings (record_id, at, value, reason) VALUES (?, ?, ?, ?) RETURNING id",
            (record_id, ts(at), value.value, reason),
        )
        return int(returned(row)[0])

    async def set_reason(self, rating_id: int, reason: str) -> None:
        await self._exec("UPDATE ratings SET reason = ? WHERE id = ?", (reason, rating_id))

    async def latest(self, record_id: int) -> tuple[Rating, str | None] | None:
        row = await self._one(
            "SELECT value, reason FROM ratings WHERE record_id = ? ORDER BY id DESC LIMIT 1",
            (record_id,),
        )
        return (Rating(row["value"]), row["reason"]) if row else None
