"""Dialogues with the commune's leaders: the sessions, who registered, the questions sent
in advance and the answers entered after (domain/dialogues.py)."""

from __future__ import annotations

from datetime import datetime

from domain.dialogues import Dialogue, DialogueQuestion, Registrant
from storage.repos.rows import Repo, load, returned, ts

_QUESTIONS = (
    "SELECT q.*, CASE WHEN q.named THEN c.name END AS asker_name, "
    "c.channel, c.external_id AS chat_id "
    "FROM dialogue_questions q LEFT JOIN citizens c ON c.id = q.citizen_id"
)


class DialoguesRepo(Repo):
    async def add(
        self, commune_code: str, starts_at: datetime, place: str, topic: str, at: datetime
    ) -> Dialogue:
        row = await self._one(
            "INSERT INTO dialogues (commune_code, starts_at, place, topic, created_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING *",
            (commune_code, ts(starts_at), place, topic, ts(at)),
        )
        return load(Dialogue, returned(row))

    async def get_by_id(self, dialogue_id: int) -> Dialogue | None:
        row = await self._one("SELECT * FROM dialogues WHERE id = ?", (dialogue_id,))
        return load(Dialogue, row) if row else None

    async def list_upcoming(self, commune_code: str, now: datetime) -> list[Dialogue]:
        """The commune's dialogues not yet started, soonest first."""
        rows = await self._all(
            "SELECT * FROM dialogues WHERE commune_code = ? AND starts_at >= ? "
            "ORDER BY starts_at, id",
            (commune_code, ts(now)),
        )
        return [load(Dialogue, r) for r in rows]

    async def list_starting(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[Dialogue]:
        """The commune's dialogues starting in [since, until)."""
        rows = await self._all(
            "SELECT * FROM dialogues WHERE commune_code = ? AND starts_at >= ? "
            "AND starts_at < ? ORDER BY starts_at, id",
            (commune_code, ts(since), ts(until)),
        )
        return [load(Dialogue, r) for r in rows]

    async def list_for(self, commune_code: str, limit: int = 50) -> list[Dialogue]:
        """The commune's dialogues, the latest first."""
        rows = await self._all(
            "SELECT * FROM dialogues WHERE commune_code = ? ORDER BY starts_at DESC, id DESC "
            "LIMIT ?",
            (commune_code, limit),
        )
        return [load(Dialogue, r) for r in rows]

    # --- registrations ------------------------------------------------------------------

    async def register(self, dialogue_id: int, citizen_id: int, at: datetime) -> bool:
        """Register a citizen; False if they already were."""
        added = await self._exec(
            "INSERT INTO dialogue_registrations (dialogue_id, citizen_id, created_at) "
            "VALUES (?, ?, ?) ON CONFLICT (dialogue_id, citizen_id) DO NOTHING",
            (dialogue_id, citizen_id, ts(at)),
        )
        return added == 1

    async def unregister(self, dialogue_id: int, citizen_id: int) -> bool:
        removed = await self._exec(
            "DELETE FROM dialogue_registrations WHERE dialogue_id = ? AND citizen_id = ?",
            (dialogue_id, citizen_id),
        )
        return removed == 1

    async def is_registered(self, dialogue_id: int, citizen_id: int) -> bool:
        row = await self._one(
            "SELECT 1 FROM dialogue_registrations WHERE dialogue_id = ? AND citizen_id = ?",
            (dialogue_id, citizen_id),
        )
        return row is not None

    async def count_registered(self, dialogue_id: int) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM dialogue_registrations WHERE dialogue_id = ?", (dialogue_id,)
        )
        return int(returned(row)[0])

    async def to_remind(self, dialogue_id: int) -> list[Registrant]:
        """Registrants not yet reminded, with their chats."""
        rows = await self._all(
            "SELECT r.citizen_id, c.channel, c.external_id AS chat_id "
            "FROM dialogue_registrations r JOIN citizens c ON c.id = r.citizen_id "
            "WHERE r.dialogue_id = ? AND r.reminded_at IS NULL ORDER BY r.citizen_id",
            (dialogue_id,),
        )
        return [load(Registrant, r) for r in rows]

    async def mark_reminded(self, dialogue_id: int, citizen_id: int, at: datetime) -> bool:
        """Mark the reminder sent; False if it already was (another run got there)."""
        changed = await self._exec(
            "UPDATE dialogue_registrations SET reminded_at = ? "
            "WHERE dialogue_id = ? AND citizen_id = ? AND reminded_at IS NULL",
            (ts(at), dialogue_id, citizen_id),
        )
        return changed == 1

    # --- questions ----------------------------------------------------------------------

    async def add_question(
        self,
        dialogue_id: int,
        citizen_id: int,
        *,
        named: bool,
        topic: str | None,
        text: str,
        at: datetime,
    ) -> DialogueQuestion:
        """A question, numbered next in its dialogue (the dialogue's row is locked first,
        so two questions at once never take the same number)."""
        await self._one(
            "SELECT id FROM dialogues WHERE id = ?"  # noqa: S608 - constant
            + self._db.dialect.for_update,
            (dialogue_id,),
        )
        last = await self._one(
            "SELECT COALESCE(MAX(number), 0) FROM dialogue_questions WHERE dialogue_id = ?",
            (dialogue_id,),
        )
        row = await self._one(
            "INSERT INTO dialogue_questions "
            "(dialogue_id, number, citizen_id, named, topic, text, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (dialogue_id, int(returned(last)[0]) + 1, citizen_id, named, topic, text, ts(at)),
        )
        question = await self._question("q.id = ?", int(returned(row)[0]))
        if question is None:
            raise RuntimeError("a question vanished inside its own transaction")
        return question

    async def questions(self, dialogue_id: int) -> list[DialogueQuestion]:
        rows = await self._all(
            _QUESTIONS + " WHERE q.dialogue_id = ? ORDER BY q.number", (dialogue_id,)
        )
        return [load(DialogueQuestion, r) for r in rows]

    async def question(self, dialogue_id: int, number: int) -> DialogueQuestion | None:
        row = await self._one(
            _QUESTIONS + " WHERE q.dialogue_id = ? AND q.number = ?", (dialogue_id, number)
        )
        return load(DialogueQuestion, row) if row else None

    async def questions_of(self, dialogue_id: int, citizen_id: int) -> list[DialogueQuestion]:
        rows = await self._all(
            _QUESTIONS + " WHERE q.dialogue_id = ? AND q.citizen_id = ? ORDER BY q.number",
            (dialogue_id, citizen_id),
        )
        return [load(DialogueQuestion, r) for r in rows]

    async def set_answer(self, question_id: int, answer: str, at: datetime) -> None:
        await self._exec(
            "UPDATE dialogue_questions SET answer = ?, answered_at = ? WHERE id = ?",
            (answer, ts(at), question_id),
        )

    async def _question(self, where: str, value: int) -> DialogueQuestion | None:
        row = await self._one(_QUESTIONS + " WHERE " + where, (value,))
        return load(DialogueQuestion, row) if row else None
