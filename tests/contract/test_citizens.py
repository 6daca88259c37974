"""Citizens, their consent and erasure; conversations; announcement subscriptions."""

from __future__ import annotations

from dataclasses import replace

from domain.messages import Reply
from domain.records import Conversation
from storage import Storage
from tests.contract.support import NOW, new_record


async def test_consent_gates_contact_details(storage: Storage) -> None:
    async with storage.transaction() as uow:
        citizen = await uow.citizens.create("test", "u1", NOW)
        await uow.citizens.set_consent(citizen.id, NOW, "v1")
        await uow.citizens.set_contact(citizen.id, "An", "0912345678")
        await uow.citizens.set_consent(citizen.id, None, None)  # withdrawing clears them
        reloaded = await uow.citizens.get_by_id(citizen.id)
    assert reloaded is not None
    assert (reloaded.name, reloaded.phone, reloaded.consent_at) == (None, None, None)


async def test_one_citizen_per_identity(storage: Storage) -> None:
    async with storage.transaction() as uow:
        citizen = await uow.citizens.create("test", "u1", NOW)
        assert await uow.citizens.create("test", "u1", NOW) == citizen
        assert await uow.citizens.get("test", "u1") == citizen
        assert await uow.citizens.get("zalo", "u1") is None
        await uow.citizens.set_commune(citizen.id, "CG")
        await uow.citizens.set_consent(citizen.id, NOW, "v1")
        consented = await uow.citizens.get_by_id(citizen.id)
    assert consented is not None
    assert (consented.commune_code, consented.consent_version) == ("CG", "v1")
    assert consented.has_consented
    assert (citizen.created_at, citizen.name, citizen.has_consented) == (NOW, None, False)


async def test_erasing_a_citizen_keeps_their_records_without_them(storage: Storage) -> None:
    async with storage.transaction() as uow:
        citizen = await uow.citizens.create("test", "u1", NOW)
        await uow.citizens.set_consent(citizen.id, NOW, "v1")
        record = await uow.records.insert(
            "CG-2611-AAAAAA",
            new_record(citizen.id, anonymous=False, contact_name="An", contact_phone="0912"),
        )
        assert record is not None
        await uow.conversations.save(Conversation(citizen.id, "idle", "start", {}, 1, NOW))
        await uow.outbox.enqueue(Reply(channel="test", chat_id="u1", text="Đã nhận"), NOW)
        await uow.outbox.enqueue(Reply(channel="test", chat_id="u2", text="Khác"), NOW)
        assert await uow.citizens.erase(citizen.id, NOW) == 1
        kept = await uow.records.get_by_id(record.id)
        assert await uow.citizens.get("test", "u1") is None
        assert await uow.conversations.get(citizen.id) is None
        assert await uow.outbox.counts() == {"pending": 1}
    assert kept is not None
    assert (kept.citizen_id, kept.contact_name, kept.contact_phone) == (None, None, None)


async def test_a_conversation_round_trips_with_its_data(storage: Storage) -> None:
    async with storage.transaction() as uow:
        citizen = await uow.citizens.create("test", "u1", NOW)
        assert await uow.conversations.get(citizen.id) is None
        saved = Conversation(
            citizen.id, "filing", "description", {"draft": {"mô tả": "Đèn"}}, 3, NOW
        )
        await uow.conversations.save(saved)
        assert await uow.conversations.get(citizen.id) == saved
        moved = replace(saved, state="confirm", data={}, nonce=4)
        await uow.conversations.save(moved)
        assert await uow.conversations.get(citizen.id) == moved


async def test_subscriptions_for_a_hamlet_include_the_whole_communes(storage: Storage) -> None:
    async with storage.transaction() as uow:
        whole = await uow.citizens.create("test", "u1", NOW)
        hamlet = await uow.citizens.create("test", "u2", NOW)
        other = await uow.citizens.create("test", "u3", NOW)
        await uow.subscriptions.save(whole.id, "CG", None, NOW)
        await uow.subscriptions.save(hamlet.id, "CG", "Thôn 1", NOW)
        await uow.subscriptions.save(other.id, "CG", "Thôn 1", NOW)
        await uow.subscriptions.save(other.id, "CG", "Thôn 2", NOW)  # changed their mind
        sub = await uow.subscriptions.get(hamlet.id)
        to_hamlet = await uow.subscriptions.list_for("CG", "Thôn 1")
        to_all = await uow.subscriptions.list_for("CG")
        assert await uow.subscriptions.remove(other.id)
        assert not await uow.subscriptions.remove(other.id)
        assert await uow.subscriptions.get(other.id) is None
    assert sub is not None
    assert (sub.channel, sub.chat_id, sub.commune_code, sub.hamlet) == (
        "test",
        "u2",
        "CG",
        "Thôn 1",
    )
    assert [s.chat_id for s in to_hamlet] == ["u1", "u2"]
    assert [s.chat_id for s in to_all] == ["u1", "u2", "u3"]
