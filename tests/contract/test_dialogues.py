"""Dialogues: sessions, registrations, questions numbered per dialogue, answers."""

from __future__ import annotations

from datetime import timedelta

from storage import Storage
from tests.contract.support import NOW


async def test_a_dialogue_its_registrants_questions_and_answers(storage: Storage) -> None:
    async with storage.transaction() as uow:
        named = await uow.citizens.create("test", "lan", NOW)
        await uow.citizens.set_consent(named.id, NOW, "v1")
        await uow.citizens.set_contact(named.id, "Nguyễn Thị Lan", "0912345678")
        quiet = await uow.citizens.create("test", "an", NOW)
        later = await uow.dialogues.add("CG", NOW + timedelta(days=9), "Hội trường", "Đất", NOW)
        soon = await uow.dialogues.add("CG", NOW + timedelta(days=8), "Nhà văn hóa", "Đường", NOW)
        await uow.dialogues.add("CG", NOW - timedelta(days=1), "Hội trường", "Cũ", NOW)
        assert [d.id for d in await uow.dialogues.list_upcoming("CG", NOW)] == [soon.id, later.id]
        window = await uow.dialogues.list_starting(
            "CG", NOW + timedelta(days=8), NOW + timedelta(days=9)
        )
        assert [d.topic for d in window] == ["Đường"]
        assert soon.starts_at == NOW + timedelta(days=8)

        assert await uow.dialogues.register(soon.id, named.id, NOW)
        assert not await uow.dialogues.register(soon.id, named.id, NOW)  # once
        assert await uow.dialogues.register(soon.id, quiet.id, NOW)
        assert await uow.dialogues.count_registered(soon.id) == 2
        assert await uow.dialogues.is_registered(soon.id, quiet.id)
        assert await uow.dialogues.unregister(soon.id, quiet.id)
        assert not await uow.dialogues.is_registered(soon.id, quiet.id)
        (registrant,) = await uow.dialogues.to_remind(soon.id)
        assert (registrant.citizen_id, registrant.chat_id) == (named.id, "lan")
        assert await uow.dialogues.mark_reminded(soon.id, named.id, NOW)
        assert not await uow.dialogues.mark_reminded(soon.id, named.id, NOW)
        assert await uow.dialogues.to_remind(soon.id) == []

        first = await uow.dialogues.add_question(
            soon.id, named.id, named=True, topic="giao_thong", text="Bao giờ làm đường?", at=NOW
        )
        second = await uow.dialogues.add_question(
            soon.id, quiet.id, named=False, topic=None, text="Đèn đường?", at=NOW
        )
        other = await uow.dialogues.add_question(
            later.id, quiet.id, named=False, topic=None, text="Sổ đỏ?", at=NOW
        )
        assert (first.number, second.number, other.number) == (1, 2, 1)
        assert (first.asker_name, second.asker_name) == ("Nguyễn Thị Lan", None)
        assert (first.channel, first.chat_id, second.chat_id) == ("test", "lan", "an")
        await uow.dialogues.set_answer(second.id, "Tháng sau lắp.", NOW)
        answered = await uow.dialogues.question(soon.id, 2)
        assert answered is not None
        assert (answered.answer, answered.answered_at) == ("Tháng sau lắp.", NOW)
        assert await uow.dialogues.question(soon.id, 3) is None
        assert [q.number for q in await uow.dialogues.questions(soon.id)] == [1, 2]
        assert [q.text for q in await uow.dialogues.questions_of(soon.id, quiet.id)] == [
            "Đèn đường?"
        ]
        assert [d.topic for d in await uow.dialogues.list_for("CG")] == ["Đất", "Đường", "Cũ"]

        # Erasing the asker keeps the question, anonymous and with nowhere to answer.
        await uow.citizens.erase(named.id, NOW)
        kept = await uow.dialogues.question(soon.id, 1)
        assert kept is not None
        assert (kept.citizen_id, kept.asker_name, kept.chat_id) == (None, None, None)
        assert await uow.dialogues.count_registered(soon.id) == 0
