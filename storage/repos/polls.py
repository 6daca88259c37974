"""Consultations and household votes: `polls`, `poll_codes`, `poll_answers` (migration 015).

A person has at most one answer per poll (`UNIQUE (poll_id, citizen_id)`); in a household
poll the answer also spends one code (`poll_codes.used_at`, set by a conditional update, so
two people racing with one code cannot both vote). Codes are kept as SHA-256 hashes only.
What leaves this repository about many answers is counts, never who answered what.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.polls import Answer, Poll
from storage.base import Row
from storage.repos.rows import Repo, load, returned, ts


@dataclass(frozen=True, slots=True)
class PollCode:
    id: int
    hamlet: str
    used: bool


@dataclass(frozen=True, slots=True)
class Participant:
    channel: str
    chat_id: str


def _poll(row: Row) -> Poll:
    return replace(load(Poll, row), options=tuple(json.loads(row["options"])))


class PollsRepo(Repo):
    async def add(
        self,
        commune_code: str,
        question: str,
        options: Sequence[str],
        *,
        hamlet: str | None,
        household: bool,
        closes_at: datetime | None,
        created_by: int | None,
        at: datetime,
    ) -> Poll:
        row = await self._one(
            "INSERT INTO polls (commune_code, question, options, hamlet, household, "
            "created_by, created_at, closes_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (
                commune_code,
                question,
                json.dumps(list(options), ensure_ascii=False),
                hamlet,
                int(household),
                created_by,
                ts(at),
                ts(closes_at) if closes_at else None,
            ),
        )
        return _poll(returned(row))

    async def get_by_id(self, poll_id: int) -> Poll | None:
        row = await self._one("SELECT * FROM polls WHERE id = ?", (poll_id,))
        return _poll(row) if row else None

    async def list_for(
        self, commune_code: str, *, open_at: datetime | None = None, limit: int = 50
    ) -> list[Poll]:
        """The commune's polls, newest first; with `open_at`, only those open then."""
        sql = "SELECT * FROM polls WHERE commune_code = ?"
        params: list[Any] = [commune_code]
        if open_at is not None:
            sql += " AND closed_at IS NULL AND (closes_at IS NULL OR closes_at > ?)"
            params.append(ts(open_at))
        rows = await self._all(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        return [_poll(r) for r in rows]

    async def list_active_between(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[Poll]:
        """Polls created, or closed, in [since, until): the week's consultations."""
        rows = await self._all(
            "SELECT * FROM polls WHERE commune_code = ? AND ((created_at >= ? AND "
            "created_at < ?) OR (closed_at >= ? AND closed_at < ?)) ORDER BY id",
            (commune_code, ts(since), ts(until), ts(since), ts(until)),
        )
        return [_poll(r) for r in rows]

    async def list_due(self, commune_code: str, now: datetime) -> list[Poll]:
        """Polls past their closing time not closed yet, and closed ones not yet told."""
        rows = await self._all(
            "SELECT * FROM polls WHERE commune_code = ? AND ((closed_at IS NULL AND "
            "closes_at <= ?) OR (closed_at IS NOT NULL AND results_sent_at IS NULL)) "
            "ORDER BY id",
            (commune_code, ts(now)),
        )
        return [_poll(r) for r in rows]

    async def close(self, poll_id: int, at: datetime) -> bool:
        """Close it now; False if it was closed already."""
        return (
            await self._exec(
                "UPDATE polls SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (ts(at), poll_id),
            )
            == 1
        )

    async def mark_results_sent(self, poll_id: int, at: datetime) -> bool:
        """Once: False if the results went out already (another process, a second run)."""
        return (
            await self._exec(
                "UPDATE polls SET results_sent_at = ? WHERE id = ? AND results_sent_at IS NULL",
                (ts(at), poll_id),
            )
            == 1
        )

    # --- household codes ---------------------------------------------------------------

    async def add_codes(
        self, poll_id: int, hamlet: str, hashes: Sequence[str], at: datetime
    ) -> None:
        for code_hash in hashes:
            await self._exec(
                "INSERT INTO poll_codes (poll_id, hamlet, code_hash, created_at) "
                "VALUES (?, ?, ?, ?)",
                (poll_id, hamlet, code_hash, ts(at)),
            )

    async def find_code(self, poll_id: int, code_hash: str) -> PollCode | None:
        row = await self._one(
            "SELECT id, hamlet, used_at FROM poll_codes WHERE poll_id = ? AND code_hash = ?",
            (poll_id, code_hash),
        )
        return PollCode(row["id"], row["hamlet"], row["used_at"] is not None) if row else None

    async def count_codes(self, poll_id: int) -> dict[str, int]:
        """Codes handed out per thôn."""
        rows = await self._all(
            "SELECT hamlet, COUNT(*) AS n FROM poll_codes WHERE poll_id = ? GROUP BY hamlet",
            (poll_id,),
        )
        return {r["hamlet"]: int(r["n"]) for r in rows}

    # --- answers -------------------------------------------------------------------------

    async def answer_of(self, poll_id: int, citizen_id: int) -> Answer | None:
        row = await self._one(
            "SELECT poll_id, choice, comment, hamlet FROM poll_answers "
            "WHERE poll_id = ? AND citizen_id = ?",
            (poll_id, citizen_id),
        )
        return load(Answer, row) if row else None

    async def change_answer(self, poll_id: int, citizen_id: int, choice: int, at: datetime) -> bool:
        """Change the person's answer; False if they have none yet."""
        return (
            await self._exec(
                "UPDATE poll_answers SET choice = ?, updated_at = ? "
                "WHERE poll_id = ? AND citizen_id = ?",
                (choice, ts(at), poll_id, citizen_id),
            )
            == 1
        )

    async def add_answer(
        self,
        poll_id: int,
        citizen_id: int,
        choice: int,
        hamlet: str | None,
        at: datetime,
        code_id: int | None = None,
    ) -> bool:
        """A first answer; with `code_id` it spends that code first. False, with nothing
        written, if the code was spent meanwhile or the person answered already."""
        if code_id is not None:
            spent = await self._exec(
                "UPDATE poll_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
                (ts(at), code_id),
            )
            if spent != 1:
                return False
        row = await self._one(
            "INSERT INTO poll_answers (poll_id, citizen_id, code_id, hamlet, choice, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (poll_id, citizen_id) DO NOTHING RETURNING id",
            (poll_id, citizen_id, code_id, hamlet, choice, ts(at), ts(at)),
        )
        if row is None and code_id is not None:
            await self._exec("UPDATE poll_codes SET used_at = NULL WHERE id = ?", (code_id,))
        return row is not None

    async def set_comment(self, poll_id: int, citizen_id: int, comment: str) -> bool:
        return (
            await self._exec(
                "UPDATE poll_answers SET comment = ? WHERE poll_id = ? AND citizen_id = ?",
                (comment, poll_id, citizen_id),
            )
            == 1
        )

    async def counts(self, poll_id: int) -> dict[tuple[str | None, int], int]:
        """(thôn, option) → number of answers."""
        rows = await self._all(
            "SELECT hamlet, choice, COUNT(*) AS n FROM poll_answers WHERE poll_id = ? "
            "GROUP BY hamlet, choice",
            (poll_id,),
        )
        return {(r["hamlet"], int(r["choice"])): int(r["n"]) for r in rows}

    async def comments(self, poll_id: int) -> list[str]:
        """The comments, oldest first, with nothing of who wrote them."""
        rows = await self._all(
            "SELECT comment FROM poll_answers WHERE poll_id = ? AND comment IS NOT NULL "
            "ORDER BY created_at, id",
            (poll_id,),
        )
        return [str(r["comment"]) for r in rows]

    async def participants(self, poll_id: int) -> list[Participant]:
        """Where to tell the result: the chats of those who answered (and were not erased)."""
        rows = await self._all(
            "SELECT c.channel, c.external_id FROM poll_answers a "
            "JOIN citizens c ON c.id = a.citizen_id WHERE a.poll_id = ? ORDER BY a.id",
            (poll_id,),
        )
        return [Participant(r["channel"], r["external_id"]) for r in rows]
