"""Attachments of records (photos, files) and the local copies fetched of them."""

from __future__ import annotations

from datetime import datetime

from domain.records import StoredAttachment
from storage.repos.rows import Repo, load, ts


class AttachmentsRepo(Repo):
    async def add(
        self,
        record_id: int,
        kind: str,
        ref: str,
        at: datetime,
        *,
        role: str = "citizen",
        channel: str | None = None,
    ) -> None:
        """`role` 'result' for an official's photo of the result; `channel` where `ref` is
        not a reference of the record's own channel."""
        await self._exec(
            "INSERT INTO attachments (record_id, kind, ref, created_at, role, channel) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (record_id, kind, ref, ts(at), role, channel),
        )

    async def list_for(self, record_id: int) -> list[StoredAttachment]:
        rows = await self._all(
            "SELECT * FROM attachments WHERE record_id = ? ORDER BY id", (record_id,)
        )
        return [load(StoredAttachment, r) for r in rows]

    async def list_to_fetch(self, channel: str, limit: int) -> list[StoredAttachment]:
        """Attachments of records from `channel` with no local copy yet (nor a reason why)."""
        rows = await self._all(
            "SELECT a.* FROM attachments a JOIN records r ON r.id = a.record_id "
            "LEFT JOIN attachment_files f ON f.attachment_id = a.id "
            "WHERE COALESCE(a.channel, r.channel) = ? AND f.attachment_id IS NULL "
            "ORDER BY a.id LIMIT ?",
            (channel, limit),
        )
        return [load(StoredAttachment, r) for r in rows]

    async def save_file(
        self,
        attachment_id: int,
        at: datetime,
        *,
        path: str | None = None,
        size: int | None = None,
        error: str | None = None,
        file_id: int | None = None,
    ) -> None:
        """Record the copy of an attachment (`path`: a shared folder's path, or "db:<id>"
        with `file_id` for one kept in `shared_files`), or why there is none."""
        await self._exec(
            "INSERT INTO attachment_files (attachment_id, path, size, error, fetched_at, "
            "file_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (attachment_id) DO UPDATE SET "
            "path = excluded.path, size = excluded.size, error = excluded.error, "
            "fetched_at = excluded.fetched_at, file_id = excluded.file_id",
            (attachment_id, path, size, error[:300] if error else None, ts(at), file_id),
        )

    async def get_file(self, attachment_id: int) -> tuple[str | None, str | None]:
        """(path, error) of an attachment's local copy; (None, None) if not fetched yet."""
        row = await self._one(
            "SELECT path, error FROM attachment_files WHERE attachment_id = ?", (attachment_id,)
        )
        return (row["path"], row["error"]) if row else (None, None)
