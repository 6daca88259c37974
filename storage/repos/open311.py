"""Open311 (issue 13): the partners' API keys, the requests they posted (token → record),
and the public updates of the records Open311 lists (the servicerequestupdates extension).

A key is kept only as the SHA-256 of its secret (`bot.open311.keys` makes both); a revoked
key stays, with its time, since the requests it posted refer to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.records import ActorKind, RecordStatus
from storage.repos.rows import Repo, load, placeholders, returned, ts


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A partner's key, without its secret or hash."""

    id: int
    name: str
    commune_code: str | None  # None: any commune of this deployment
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class PublicUpdate:
    """One citizen-visible step of a listed record: what a portal may see of it."""

    id: int
    record_code: str
    at: datetime
    actor_kind: ActorKind
    status: RecordStatus  # the record's status after this step
    note: str | None  # an official's words; never a citizen's
    # the record's contact name, only so that the words can be masked of it; never served
    contact_name: str | None


_KEY_COLUMNS = "id, name, commune_code, created_at, last_used_at, revoked_at"
_USE_KEY = (
    "UPDATE open311_keys SET last_used_at = ? WHERE key_hash = ? AND revoked_at IS NULL "
    "RETURNING id, name, commune_code, created_at, last_used_at, revoked_at"
)


class Open311Repo(Repo):
    # --- keys ------------------------------------------------------------------------------

    async def add_key(
        self, name: str, commune_code: str | None, key_hash: str, at: datetime
    ) -> ApiKey:
        row = await self._one(
            "INSERT INTO open311_keys (name, commune_code, key_hash, created_at) "
            "VALUES (?, ?, ?, ?) RETURNING " + _KEY_COLUMNS,
            (name, commune_code, key_hash, ts(at)),
        )
        return load(ApiKey, returned(row))

    async def list_keys(self) -> list[ApiKey]:
        rows = await self._all(f"SELECT {_KEY_COLUMNS} FROM open311_keys ORDER BY id")  # noqa: S608 - fixed columns
        return [load(ApiKey, r) for r in rows]

    async def revoke_key(self, key_id: int, at: datetime) -> bool:
        """Revoke a key; False when there is no such key or it was revoked before."""
        changed = await self._exec(
            "UPDATE open311_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (ts(at), key_id),
        )
        return changed == 1

    async def use_key(self, key_hash: str, at: datetime) -> ApiKey | None:
        """The active key with this hash, its use recorded; None for an unknown or revoked
        one (nothing changes then)."""
        row = await self._one(
            _USE_KEY,
            (ts(at), key_hash),
        )
        return load(ApiKey, row) if row is not None else None

    # --- requests posted -------------------------------------------------------------------

    async def add_request(
        self, token: str, record_id: int, key_id: int, media_url: str | None, at: datetime
    ) -> None:
        await self._exec(
            "INSERT INTO open311_requests (token, record_id, key_id, media_url, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (token, record_id, key_id, media_url, ts(at)),
        )

    async def code_for_token(self, token: str) -> str | None:
        """The tracking code of the record posted under `token`."""
        row = await self._one(
            "SELECT r.code FROM open311_requests q JOIN records r ON r.id = q.record_id "
            "WHERE q.token = ?",
            (token,),
        )
        return str(row["code"]) if row is not None else None

    async def count_requests(self) -> int:
        row = await self._one("SELECT COUNT(*) AS n FROM open311_requests")
        return int(row["n"]) if row is not None else 0

    # --- public updates --------------------------------------------------------------------

    async def updates(
        self,
        commune_code: str,
        kinds: Sequence[str],
        since: datetime,
        until: datetime,
        *,
        limit: int = 100,
        offset: int = 0,
    ) -> list[PublicUpdate]:
        """Citizen-visible events in [since, until) of the commune's records of `kinds`
        that change the status or carry an official's words, oldest first."""
        sql = (
            "SELECT e.id, r.code AS record_code, e.at, e.actor_kind, "  # noqa: S608 - placeholders only
            "COALESCE(e.to_status, (SELECT p.to_status FROM events p WHERE p.record_id = "
            "e.record_id AND p.id < e.id AND p.to_status IS NOT NULL ORDER BY p.id DESC "
            "LIMIT 1), r.status) AS status, r.contact_name, "
            "CASE WHEN e.actor_kind = 'official' THEN e.note END AS note "
            "FROM events e JOIN records r ON r.id = e.record_id "
            f"WHERE r.commune_code = ? AND r.kind IN ({placeholders(kinds)}) "
            "AND e.visible_to_citizen = 1 AND e.at >= ? AND e.at < ? "
            "AND (e.to_status IS NOT NULL OR (e.actor_kind = 'official' AND e.note IS NOT NULL)) "
            "ORDER BY e.at, e.id LIMIT ? OFFSET ?"
        )
        params: list[Any] = [commune_code, *kinds, ts(since), ts(until), limit, offset]
        return [load(PublicUpdate, r) for r in await self._all(sql, params)]
