"""Processed updates: each channel update is handled once, even when it is redelivered."""

from __future__ import annotations

from datetime import datetime

from storage.repos.rows import Repo, ts


class UpdatesRepo(Repo):
    async def mark_processed(self, channel: str, update_id: str, at: datetime) -> bool:
        """Record that an update was handled; False if it already was (a redelivery)."""
        changed = await self._exec(
            "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (channel, update_id, ts(at)),
        )
        return changed == 1
