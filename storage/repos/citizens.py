"""Citizens: one row per channel identity, with consent and (if consented) contact details."""

from __future__ import annotations

from datetime import datetime

from domain.records import Citizen
from storage.repos.rows import Repo, load, ts


class CitizensRepo(Repo):
    async def get(self, channel: str, external_id: str) -> Citizen | None:
        """The citizen, locked until the end of the unit of work where the backend can."""
        row = await self._one(
            "SELECT * FROM citizens WHERE channel = ? AND external_id = ?"  # noqa: S608 - constant
            + self._db.dialect.for_update,
            (channel, external_id),
        )
        return load(Citizen, row) if row else None

    async def get_by_id(self, citizen_id: int) -> Citizen | None:
        row = await self._one("SELECT * FROM citizens WHERE id = ?", (citizen_id,))
        return load(Citizen, row) if row else None

    async def create(self, channel: str, external_id: str, at: datetime) -> Citizen:
        """A new citizen (or the one a concurrent unit of work just created)."""
        row = await self._one(
            "INSERT INTO citizens (channel, external_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (channel, external_id) DO NOTHING RETURNING *",
            (channel, external_id, ts(at)),
        )
        if row is None:
            existing = await self.get(channel, external_id)
            if existing is None:
                raise RuntimeError("citizen vanished between insert and select")
            return existing
        return load(Citizen, row)

    async def set_commune(self, citizen_id: int, commune_code: str) -> None:
        await self._exec(
            "UPDATE citizens SET commune_code = ? WHERE id = ?", (commune_code, citizen_id)
        )

    async def set_consent(self, citizen_id: int, at: datetime | None, version: str | None) -> None:
        """Give (at set) or withdraw (at None) consent; withdrawing also clears name/phone."""
        if at is None:
            await self._exec(
                "UPDATE citizens SET consent_at = NULL, consent_version = NULL, name = NULL, "
                "phone = NULL WHERE id = ?",
                (citizen_id,),
            )
        else:
            await self._exec(
                "UPDATE citizens SET consent_at = ?, consent_version = ? WHERE id = ?",
                (ts(at), version, citizen_id),
            )

    async def set_contact(self, citizen_id: int, name: str | None, phone: str | None) -> None:
        """Save the name and phone a consenting citizen gave (the CHECK refuses it otherwise)."""
        await self._exec(
            "UPDATE citizens SET name = ?, phone = ? WHERE id = ?", (name, phone, citizen_id)
        )

    async def erase(self, citizen_id: int, at: datetime) -> int:
        """Erase a citizen's personal data. Records stay, de-identified; returns their count.

        Their conversation goes, and so does every message to or about their chat: sent
        texts hold what they wrote. Withdrawing consent withdraws the consent to publish
        too: their records leave the public page.
        """
        self._db.erased()  # the backend clears its old page images after the commit
        records = await self._exec(
            "UPDATE records SET citizen_id = NULL, contact_name = NULL, contact_phone = NULL, "
            "publishable = 0 WHERE citizen_id = ?",
            (citizen_id,),
        )
        await self._exec("DELETE FROM conversations WHERE citizen_id = ?", (citizen_id,))
        chat = (
            "SELECT id FROM outbox WHERE channel = (SELECT channel FROM citizens WHERE id = ?) "
            "AND chat_id = (SELECT external_id FROM citizens WHERE id = ?)"
        )
        await self._exec(
            f"DELETE FROM outbox_deliveries WHERE outbox_id IN ({chat})",  # noqa: S608
            (citizen_id, citizen_id),
        )
        await self._exec(f"DELETE FROM outbox WHERE id IN ({chat})", (citizen_id, citizen_id))  # noqa: S608
        await self._exec("DELETE FROM citizens WHERE id = ?", (citizen_id,))
        return records
