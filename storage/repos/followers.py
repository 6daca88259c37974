"""Citizens following a record someone else filed («theo dõi cùng»), and the open
records a new report may duplicate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.repos.rows import Repo, dt, ts

# Open: not yet closed or rejected (a duplicate of a finished record is a new matter).
_OPEN = "('received', 'accepted', 'in_progress', 'need_info', 'transferred', 'answered')"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open record a new report may be about: what matching needs, nothing personal."""

    code: str
    citizen_id: int | None
    kind: str
    topic: str | None
    hamlet: str | None
    latitude: float | None
    longitude: float | None
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Follower:
    citizen_id: int
    channel: str
    chat_id: str


class FollowersRepo(Repo):
    async def follow(self, record_id: int, citizen_id: int, at: datetime) -> bool:
        """Follow a record; False if the citizen already did."""
        return (
            await self._exec(
                "INSERT INTO record_followers (record_id, citizen_id, created_at) "
                "VALUES (?, ?, ?) ON CONFLICT (record_id, citizen_id) DO NOTHING",
                (record_id, citizen_id, ts(at)),
            )
            == 1
        )

    async def list_for(self, record_id: int) -> list[Follower]:
        """Who follows the record, with the chat to tell them in."""
        rows = await self._all(
            "SELECT f.citizen_id, c.channel, c.external_id FROM record_followers f "
            "JOIN citizens c ON c.id = f.citizen_id WHERE f.record_id = ? "
            "ORDER BY f.created_at, f.citizen_id",
            (record_id,),
        )
        return [Follower(r["citizen_id"], r["channel"], r["external_id"]) for r in rows]

    async def codes_followed(self, citizen_id: int) -> list[str]:
        rows = await self._all(
            "SELECT r.code FROM record_followers f JOIN records r ON r.id = f.record_id "
            "WHERE f.citizen_id = ? ORDER BY f.created_at DESC",
            (citizen_id,),
        )
        return [r["code"] for r in rows]

    async def open_candidates(
        self,
        commune_code: str,
        kinds: tuple[str, ...],
        since: datetime,
        *,
        topic: str | None = None,
        hamlet: str | None = None,
        box: tuple[float, float, float, float] | None = None,
        not_citizen: int | None = None,
        limit: int = 20,
    ) -> list[Candidate]:
        """Open records of these kinds filed since `since`, newest first, that have this
        `topic` and `hamlet` or lie in `box` (south, north, west, east), and are not
        `not_citizen`'s: the filtering is the database's, so a commune with hundreds of
        open records hands back only the few that may match."""
        marks = ", ".join("?" for _ in kinds)
        south, north, west, east = box or (1.0, 0.0, 1.0, 0.0)  # (an empty box)
        sql = (
            "SELECT code, citizen_id, kind, topic, hamlet, latitude, longitude, status, "  # noqa: S608
            f"created_at FROM records WHERE commune_code = ? AND kind IN ({marks}) "
            f"AND status IN {_OPEN} AND created_at >= ? "
            "AND (citizen_id IS NULL OR citizen_id <> ?) "
            "AND ((topic = ? AND hamlet = ?) OR (latitude BETWEEN ? AND ? "
            "AND longitude BETWEEN ? AND ?)) ORDER BY created_at DESC LIMIT ?"
        )  # (only placeholders and a constant are formatted in)
        params = (commune_code, *kinds, ts(since), not_citizen if not_citizen is not None else -1)
        params += (topic, hamlet, south, north, west, east, limit)
        rows = await self._all(sql, params)
        return [
            Candidate(
                r["code"],
                r["citizen_id"],
                r["kind"],
                r["topic"],
                r["hamlet"],
                r["latitude"],
                r["longitude"],
                r["status"],
                dt(r["created_at"]) or since,
            )
            for r in rows
        ]
