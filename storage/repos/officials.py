"""Officials: channel identities bound to an office and role, and the invites that bind
them. The step an official is about to type is their conversation
(`uow.official_conversations`, in state `OFFICIAL_TEXT`); revoking ends it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.records import OFFICIAL_IDLE, OFFICIAL_TEXT, Invite, Official, OfficialRole
from storage.repos.rows import Repo, load, returned, ts


class OfficialsRepo(Repo):
    async def upsert(
        self,
        commune_code: str,
        channel: str,
        external_id: str,
        display_name: str,
        office_code: str,
        role: OfficialRole,
        at: datetime,
    ) -> Official:
        """Bind a channel identity to an office and role (re-activating a revoked one)."""
        row = await self._one(
            "INSERT INTO officials (commune_code, channel, external_id, display_name, "
            "office_code, role, active, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) "
            "ON CONFLICT (channel, external_id) DO UPDATE SET "
            "commune_code = excluded.commune_code, display_name = excluded.display_name, "
            "office_code = excluded.office_code, role = excluded.role, active = 1, "
            "revoked_at = NULL, step_interrupted = 0 RETURNING *",
            (commune_code, channel, external_id, display_name, office_code, role.value, ts(at)),
        )
        return load(Official, returned(row))

    async def get(self, channel: str, external_id: str) -> Official | None:
        """The official bound to this identity, active or revoked."""
        row = await self._one(
            "SELECT * FROM officials WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        return load(Official, row) if row else None

    async def get_by_id(self, official_id: int) -> Official | None:
        row = await self._one("SELECT * FROM officials WHERE id = ?", (official_id,))
        return load(Official, row) if row else None

    async def list_active(
        self, commune_code: str | None = None, office_code: str | None = None
    ) -> list[Official]:
        """Active officials, optionally of one commune and office."""
        sql = "SELECT * FROM officials WHERE active = 1"
        params: list[Any] = []
        if commune_code is not None:
            sql += " AND commune_code = ?"
            params.append(commune_code)
        if office_code is not None:
            sql += " AND office_code = ?"
            params.append(office_code)
        rows = await self._all(sql + " ORDER BY commune_code, office_code, id", params)
        return [load(Official, r) for r in rows]

    async def revoke(self, official_id: int, at: datetime) -> bool:
        """Revoke, ending a waiting typed step (and remembering that one was ended)."""
        changed = await self._exec(
            "UPDATE officials SET active = 0, revoked_at = ?, step_interrupted = "
            "(CASE WHEN EXISTS (SELECT 1 FROM official_conversations "
            "WHERE official_id = ? AND state = ?) THEN 1 ELSE 0 END) WHERE id = ? AND active = 1",
            (ts(at), official_id, OFFICIAL_TEXT, official_id),
        )
        # Back at rest, with a new nonce, as `handlers.conversations` would move it.
        await self._exec(
            "UPDATE official_conversations SET flow = ?, state = ?, data = '{}', "
            "nonce = nonce + 1, updated_at = ? WHERE official_id = ? AND state = ?",
            ("officials", OFFICIAL_IDLE, ts(at), official_id, OFFICIAL_TEXT),
        )
        return changed == 1

    async def clear_step_interrupted(self, official_id: int) -> None:
        await self._exec("UPDATE officials SET step_interrupted = 0 WHERE id = ?", (official_id,))


class InvitesRepo(Repo):
    async def create(self, invite: Invite) -> bool:
        """Store a new invite; False if the code is taken (the caller retries)."""
        changed = await self._exec(
            "INSERT INTO invites (code, commune_code, office_code, role, display_name, "
            "created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (code) DO NOTHING",
            (
                invite.code,
                invite.commune_code,
                invite.office_code,
                invite.role.value,
                invite.display_name,
                invite.created_by,
                ts(invite.created_at),
                ts(invite.expires_at),
            ),
        )
        return changed == 1

    async def get(self, code: str) -> Invite | None:
        row = await self._one("SELECT * FROM invites WHERE code = ?", (code,))
        return load(Invite, row) if row else None

    async def use(self, code: str, official_id: int, at: datetime) -> bool:
        """Spend an invite once, before it expires; False if used, expired or unknown."""
        changed = await self._exec(
            "UPDATE invites SET used_at = ?, used_by = ? "
            "WHERE code = ? AND used_at IS NULL AND expires_at > ?",
            (ts(at), official_id, code, ts(at)),
        )
        return changed == 1
