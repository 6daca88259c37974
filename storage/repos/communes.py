"""Communes and their offices, as the configuration last said (synced at start-up)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from storage.base import CommuneRow, OfficeRow
from storage.repos.rows import Repo, ts


class CommunesRepo(Repo):
    async def sync(self, communes: Iterable[CommuneRow], at: datetime) -> None:
        """Make the communes and offices tables match the configuration."""
        for commune in communes:
            await self._exec(
                "INSERT INTO communes (code, name, synced_at) VALUES (?, ?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                "synced_at = excluded.synced_at",
                (commune.code, commune.name, ts(at)),
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
