"""The one-stop desk's satisfaction survey: anonymous responses, and the marks that allow
one response per person, desk and day (domain/surveys.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from domain.surveys import QUESTIONS, DeskResult
from storage.repos.rows import Repo


class SurveysRepo(Repo):
    async def answered(self, citizen_id: int, commune_code: str, desk: str, day: date) -> bool:
        """Whether this person already answered for this desk on this (local) day."""
        row = await self._one(
            "SELECT 1 FROM survey_marks WHERE commune_code = ? AND desk = ? AND day = ? "
            "AND citizen_id = ?",
            (commune_code, desk, day.isoformat(), citizen_id),
        )
        return row is not None

    async def add(
        self,
        citizen_id: int,
        commune_code: str,
        desk: str,
        day: date,
        scores: Mapping[str, int],
        comment: str | None,
    ) -> bool:
        """Keep a response and its mark; False, with nothing kept, if this person already
        answered for this desk today. Past days' marks are dropped on the way."""
        await self._exec("DELETE FROM survey_marks WHERE day < ?", (day.isoformat(),))
        marked = await self._exec(
            "INSERT INTO survey_marks (citizen_id, commune_code, desk, day) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (citizen_id, commune_code, desk, day.isoformat()),
        )
        if marked != 1:
            return False
        await self._exec(
            "INSERT INTO survey_responses (commune_code, desk, day, attitude, waiting, "
            "guidance, overall, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (commune_code, desk, day.isoformat(), *(scores[q] for q in QUESTIONS), comment),
        )
        return True

    async def results(self, commune_code: str, first: date, last: date) -> list[DeskResult]:
        """Each desk's responses from `first` to `last` (local days, both included)."""
        rows = await self._all(
            "SELECT desk, COUNT(*), AVG(attitude * 1.0), AVG(waiting * 1.0), "
            "AVG(guidance * 1.0), AVG(overall * 1.0), "
            "SUM(CASE WHEN overall >= 4 THEN 1 ELSE 0 END), COUNT(comment) "
            "FROM survey_responses WHERE commune_code = ? AND day >= ? AND day <= ? "
            "GROUP BY desk ORDER BY desk",
            (commune_code, first.isoformat(), last.isoformat()),
        )
        return [
            DeskResult(
                desk=str(r[0]),
                responses=int(r[1]),
                attitude=float(r[2]),
                waiting=float(r[3]),
                guidance=float(r[4]),
                overall=float(r[5]),
                satisfied=int(r[6]),
                comments=int(r[7]),
            )
            for r in rows
        ]

    async def comments(self, commune_code: str, first: date, last: date) -> list[tuple[str, str]]:
        """(desk, comment) of the period's responses that left one, by desk."""
        rows = await self._all(
            "SELECT desk, comment FROM survey_responses WHERE commune_code = ? AND day >= ? "
            "AND day <= ? AND comment IS NOT NULL ORDER BY desk, id",
            (commune_code, first.isoformat(), last.isoformat()),
        )
        return [(str(r[0]), str(r[1])) for r in rows]
