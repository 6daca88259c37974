"""Subscriptions to a commune's announcements (a hamlet's, or the whole commune's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.records import Subscription
from storage.repos.rows import Repo, load, ts

_JOINED = (
    "SELECT s.*, c.channel, c.external_id FROM subscriptions s "
    "JOIN citizens c ON c.id = s.citizen_id"
)


class SubscriptionsRepo(Repo):
    async def save(
        self, citizen_id: int, commune_code: str, hamlet: str | None, at: datetime
    ) -> None:
        """Subscribe a citizen, or change what they are subscribed to."""
        await self._exec(
            "INSERT INTO subscriptions (citizen_id, commune_code, hamlet, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE SET "
            "commune_code = excluded.commune_code, hamlet = excluded.hamlet",
            (citizen_id, commune_code, hamlet, ts(at)),
        )

    async def remove(self, citizen_id: int) -> bool:
        """Stop announcements; False if the citizen was not subscribed."""
        return (
            await self._exec("DELETE FROM subscriptions WHERE citizen_id = ?", (citizen_id,)) == 1
        )

    async def get(self, citizen_id: int) -> Subscription | None:
        row = await self._one(_JOINED + " WHERE s.citizen_id = ?", (citizen_id,))
        return load(Subscription, row, chat_id="external_id") if row else None

    async def list_for(self, commune_code: str, hamlet: str | None = None) -> list[Subscription]:
        """Who gets an announcement: for a hamlet, its subscribers and the whole commune's."""
        sql = _JOINED + " WHERE s.commune_code = ?"
        params: list[Any] = [commune_code]
        if hamlet is not None:
            sql += " AND (s.hamlet IS NULL OR s.hamlet = ?)"
            params.append(hamlet)
        rows = await self._all(sql + " ORDER BY s.citizen_id", params)
        return [load(Subscription, r, chat_id="external_id") for r in rows]
