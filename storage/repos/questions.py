"""The question log: redacted questions the bot was asked, feeding the weekly digest."""

from __future__ import annotations

from datetime import datetime

from storage.repos.rows import Repo, ts


class QuestionsRepo(Repo):
    async def log(
        self,
        commune_code: str,
        at: datetime,
        question: str,
        intent: str,
        answered: bool,
        confidence: float,
        best_faq_id: str | None,
    ) -> None:
        """Keep a redacted question for the digest (callers pass no personal data)."""
        await self._exec(
            "INSERT INTO question_log (commune_code, at, question, intent, answered, "
            "confidence, best_faq_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                commune_code,
                ts(at),
                question,
                intent,
                int(answered),
                max(0.0, min(1.0, confidence)),
                best_faq_id,
            ),
        )

    async def top_unanswered(
        self, commune_code: str, since: datetime, until: datetime, limit: int
    ) -> list[tuple[str, int]]:
        """The most frequent unanswered questions in [since, until), with their counts."""
        rows = await self._all(
            "SELECT question, count(*) AS n FROM question_log WHERE commune_code = ? "
            "AND at >= ? AND at < ? AND answered = 0 GROUP BY question "
            "ORDER BY n DESC, question LIMIT ?",
            (commune_code, ts(since), ts(until), limit),
        )
        return [(r["question"], int(r["n"])) for r in rows]
