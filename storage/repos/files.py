"""Shared files: bytes one process stores for another to send (the digest's attachments)."""

from __future__ import annotations

from datetime import datetime

from storage.repos.rows import Repo, returned, ts


class FilesRepo(Repo):
    async def put(self, name: str, data: bytes, at: datetime) -> int:
        row = await self._one(
            "INSERT INTO shared_files (name, data, created_at) VALUES (?, ?, ?) RETURNING id",
            (name, data, ts(at)),
        )
        return int(returned(row)[0])

    async def get(self, file_id: int) -> tuple[str, bytes] | None:
        """(name, bytes) of the file, or None when it is gone."""
        row = await self._one("SELECT name, data FROM shared_files WHERE id = ?", (file_id,))
        return (str(row["name"]), bytes(row["data"])) if row else None

    async def purge(self, before: datetime) -> int:
        """Delete files stored before `before`, except copies of records' attachments (kept
        as long as their record); how many went."""
        return await self._exec(
            "DELETE FROM shared_files WHERE created_at < ? AND NOT EXISTS "
            "(SELECT 1 FROM attachment_files f WHERE f.file_id = shared_files.id)",
            (ts(before),),
        )
