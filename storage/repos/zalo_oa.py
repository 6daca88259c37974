"""The Zalo Official Account's own tables: its token pair, the inbox of verified webhook
events, the citizens' last messages (for quoting within Zalo's 48 h window), and the
messages Zalo's window kept from a citizen."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.base import Row
from storage.repos.rows import Repo, dt, returned, ts


@dataclass(frozen=True, slots=True)
class TokenPair:
    oa_id: str
    access_token: str
    refresh_token: str
    expires_at: datetime
    refreshed_at: datetime
    version: int
    failed_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class InboxEvent:
    id: int
    body: str
    received_at: datetime
    attempts: int


@dataclass(frozen=True, slots=True)
class Unreachable:
    outbox_id: int
    user_id: str
    record_code: str | None
    error_code: int
    at: datetime


def _at(value: Any) -> datetime:
    at = dt(value)
    if at is None:
        raise ValueError("a required time is missing")
    return at


def _pair(r: Row) -> TokenPair:
    return TokenPair(
        oa_id=r["oa_id"],
        access_token=r["access_token"],
        refresh_token=r["refresh_token"],
        expires_at=_at(r["expires_at"]),
        refreshed_at=_at(r["refreshed_at"]),
        version=int(r["version"]),
        failed_at=dt(r["failed_at"]),
        last_error=r["last_error"],
    )


class ZaloTokensRepo(Repo):
    async def get(self, oa_id: str) -> TokenPair | None:
        row = await self._one("SELECT * FROM zalo_oa_tokens WHERE oa_id = ?", (oa_id,))
        return _pair(row) if row else None

    async def put(
        self, oa_id: str, access: str, refresh: str, expires_at: datetime, at: datetime
    ) -> None:
        """Store a pair from an authorisation (replaces whatever was there)."""
        await self._exec(
            "INSERT INTO zalo_oa_tokens (oa_id, access_token, refresh_token, expires_at, "
            "refreshed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (oa_id) DO UPDATE SET "
            "access_token = excluded.access_token, refresh_token = excluded.refresh_token, "
            "expires_at = excluded.expires_at, refreshed_at = excluded.refreshed_at, "
            "version = zalo_oa_tokens.version + 1, failed_at = NULL, last_error = NULL",
            (oa_id, access, refresh, ts(expires_at), ts(at)),
        )

    async def rotate(
        self,
        oa_id: str,
        version: int,
        access: str,
        refresh: str,
        expires_at: datetime,
        at: datetime,
    ) -> bool:
        """Replace the pair read at `version`; False if another refresh came first."""
        changed = await self._exec(
            "UPDATE zalo_oa_tokens SET access_token = ?, refresh_token = ?, expires_at = ?, "
            "refreshed_at = ?, version = version + 1, failed_at = NULL, last_error = NULL "
            "WHERE oa_id = ? AND version = ?",
            (access, refresh, ts(expires_at), ts(at), oa_id, version),
        )
        return changed == 1

    async def record_failure(self, oa_id: str, error: str, at: datetime) -> None:
        await self._exec(
            "UPDATE zalo_oa_tokens SET failed_at = ?, last_error = ? WHERE oa_id = ?",
            (ts(at), error[:300], oa_id),
        )


class ZaloInboxRepo(Repo):
    """Events kept before they are handled; the Zalo OA's webhook events here, the Zalo Bot's
    polled updates in `ZaloBotInboxRepo` (one shape, two tables)."""

    # a class constant, never input: the f-strings below build no SQL from data (S608)
    TABLE = "zalo_oa_inbox"

    async def add(self, event_key: str, body: str, at: datetime) -> bool:
        """Keep a verified event; False if it was already kept (Zalo sent it again)."""
        row = await self._one(
            f"INSERT INTO {self.TABLE} (event_key, body, received_at) VALUES (?, ?, ?) "  # noqa: S608
            "ON CONFLICT (event_key) DO NOTHING RETURNING id",
            (event_key, body, ts(at)),
        )
        return row is not None

    async def pending(self, limit: int) -> list[InboxEvent]:
        rows = await self._all(
            f"SELECT id, body, received_at, attempts FROM {self.TABLE} "  # noqa: S608
            "WHERE processed_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            InboxEvent(int(r["id"]), r["body"], _at(r["received_at"]), int(r["attempts"]))
            for r in rows
        ]

    async def mark_done(self, event_id: int, at: datetime, error: str | None = None) -> None:
        """The turn is committed: the body goes (it may hold a name, a phone, a text sent
        before consent); the key stays, so a retry of the event is still refused."""
        await self._exec(
            f"UPDATE {self.TABLE} SET processed_at = ?, body = '', attempts = attempts + 1, "  # noqa: S608
            "last_error = ? WHERE id = ?",
            (ts(at), error, event_id),
        )

    async def mark_attempt(self, event_id: int, error: str) -> None:
        await self._exec(
            f"UPDATE {self.TABLE} SET attempts = attempts + 1, last_error = ? WHERE id = ?",  # noqa: S608
            (error[:300], event_id),
        )

    async def count_pending(self) -> int:
        row = await self._one(f"SELECT count(*) FROM {self.TABLE} WHERE processed_at IS NULL")  # noqa: S608
        return int(returned(row)[0])


class ZaloBotInboxRepo(ZaloInboxRepo):
    TABLE = "zalo_bot_inbox"


class ZaloContactsRepo(Repo):
    async def saw(self, user_id: str, msg_id: str | None, at: datetime) -> None:
        """The citizen wrote (or followed): their last message, for quoting within 48 h."""
        await self._exec(
            "INSERT INTO zalo_oa_contacts (user_id, last_msg_id, last_at, following) "
            "VALUES (?, ?, ?, 1) ON CONFLICT (user_id) DO UPDATE SET "
            "last_msg_id = excluded.last_msg_id, last_at = excluded.last_at, following = 1 "
            "WHERE zalo_oa_contacts.last_at <= excluded.last_at",
            (user_id, msg_id, ts(at)),
        )

    async def unfollowed(self, user_id: str, at: datetime) -> None:
        await self._exec(
            "INSERT INTO zalo_oa_contacts (user_id, last_msg_id, last_at, following) "
            "VALUES (?, NULL, ?, 0) ON CONFLICT (user_id) DO UPDATE SET following = 0",
            (user_id, ts(at)),
        )

    async def last_message(self, user_id: str) -> tuple[str | None, datetime, bool] | None:
        row = await self._one(
            "SELECT last_msg_id, last_at, following FROM zalo_oa_contacts WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return row["last_msg_id"], _at(row["last_at"]), bool(row["following"])

    async def mark_unreachable(
        self, outbox_id: int, user_id: str, record_code: str | None, code: int, at: datetime
    ) -> None:
        await self._exec(
            "INSERT INTO zalo_oa_unreachable (outbox_id, user_id, record_code, error_code, at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (outbox_id) DO NOTHING",
            (outbox_id, user_id, record_code, code, ts(at)),
        )

    async def unreachable_for(self, record_code: str) -> list[Unreachable]:
        rows = await self._all(
            "SELECT * FROM zalo_oa_unreachable WHERE record_code = ? ORDER BY at",
            (record_code,),
        )
        return [
            Unreachable(
                int(r["outbox_id"]),
                r["user_id"],
                r["record_code"],
                int(r["error_code"]),
                _at(r["at"]),
            )
            for r in rows
        ]

    async def set_choices(self, user_id: str, choices: dict[str, str], at: datetime) -> None:
        """The numbered choices last shown beyond Zalo's five buttons (number → data)."""
        await self._exec(
            "INSERT INTO zalo_oa_contacts (user_id, last_msg_id, last_at, choices) "
            "VALUES (?, NULL, ?, ?) ON CONFLICT (user_id) DO UPDATE SET choices = excluded.choices",
            (user_id, ts(at), json.dumps(choices)),
        )

    async def choices(self, user_id: str) -> dict[str, str]:
        row = await self._one("SELECT choices FROM zalo_oa_contacts WHERE user_id = ?", (user_id,))
        found = json.loads(row[0]) if row else {}
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
