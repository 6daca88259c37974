"""The officials' web console (migration 012): one-time login links (kept as hashes),
the cookie-signing secret, internal notes on records and the console's audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repos.rows import Repo, dt, load, returned, ts


@dataclass(frozen=True, slots=True)
class RecordNote:
    """An internal note on a record: officials only, never shown to the citizen."""

    id: int
    record_id: int
    official_id: int
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    official_id: int
    at: datetime
    action: str
    detail: str | None


class WebLinksRepo(Repo):
    async def add(
        self, token_hash: str, official_id: int, at: datetime, expires_at: datetime
    ) -> None:
        await self._exec(
            "INSERT INTO web_links (token_hash, official_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            (token_hash, official_id, ts(at), ts(expires_at)),
        )

    async def use(self, token_hash: str, at: datetime) -> int | None:
        """Spend a link once, before it expires: its official's id; None if the link is
        unknown, used already or expired (nothing changes then)."""
        row = await self._one(
            "UPDATE web_links SET used_at = ? "
            "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING official_id",
            (ts(at), token_hash, ts(at)),
        )
        return int(row["official_id"]) if row else None

    async def used_at(self, token_hash: str) -> datetime | None:
        row = await self._one("SELECT used_at FROM web_links WHERE token_hash = ?", (token_hash,))
        return dt(row["used_at"]) if row else None

    async def secret(self, name: str, make: str, at: datetime) -> str:
        """The secret called `name`: `make` stored the first time, the stored one after."""
        await self._exec(
            "INSERT INTO web_secrets (name, secret, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO NOTHING",
            (name, make, ts(at)),
        )
        row = returned(await self._one("SELECT secret FROM web_secrets WHERE name = ?", (name,)))
        return str(row["secret"])


class NotesRepo(Repo):
    async def add(self, record_id: int, official_id: int, at: datetime, text: str) -> None:
        await self._exec(
            "INSERT INTO record_notes (record_id, official_id, at, text) VALUES (?, ?, ?, ?)",
            (record_id, official_id, ts(at), text),
        )

    async def list_for(self, record_id: int) -> list[RecordNote]:
        rows = await self._all(
            "SELECT * FROM record_notes WHERE record_id = ? ORDER BY id", (record_id,)
        )
        return [load(RecordNote, r) for r in rows]


class WebAuditRepo(Repo):
    async def add(self, official_id: int, at: datetime, action: str, detail: str = "") -> None:
        await self._exec(
            "INSERT INTO web_audit (official_id, at, action, detail) VALUES (?, ?, ?, ?)",
            (official_id, ts(at), action, detail[:300] or None),
        )

    async def list_for(self, official_id: int) -> list[AuditEntry]:
        rows = await self._all(
            "SELECT * FROM web_audit WHERE official_id = ? ORDER BY id", (official_id,)
        )
        return [load(AuditEntry, r) for r in rows]
