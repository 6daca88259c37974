"""Data care (`uow.datacare`): export reads, retention's de-identification and pruning."""

from __future__ import annotations

from datetime import timedelta

from domain.records import ActorKind, Conversation, RecordStatus
from storage import Storage, UnitOfWork
from storage.repos.datacare import EVENT_COLUMNS, RECORD_COLUMNS
from tests.contract.support import NOW, new_record, step

S = RecordStatus
DAY = timedelta(days=1)


async def _citizen(uow: UnitOfWork, external_id: str) -> int:
    citizen = await uow.citizens.create("test", external_id, NOW)
    await uow.citizens.set_consent(citizen.id, NOW, "v1")
    await uow.citizens.set_contact(citizen.id, "Nguyễn Văn An", "0912345678")
    return citizen.id


async def _filed(uow: UnitOfWork, code: str, citizen_id: int, closed: bool) -> int:
    record = await uow.records.insert(
        code,
        new_record(
            citizen_id, anonymous=False, contact_name="Nguyễn Văn An", contact_phone="0912345678"
        ),
    )
    assert record is not None
    await uow.events.add(
        record.id, at=NOW, actor_kind=ActorKind.CITIZEN, action="created", visible_to_citizen=True
    )
    if closed:
        after = await uow.transition(
            record, record.version, {"status": S.CLOSED}, step(S.RECEIVED, S.CLOSED, "done")
        )
        assert after is not None
    return record.id


async def test_closed_records_past_the_period_are_deidentified(storage: Storage) -> None:
    async with storage.transaction() as uow:
        citizen = await _citizen(uow, "u1")
        closed = await _filed(uow, "CG-2611-AAAAA0", citizen, closed=True)
        still_open = await _filed(uow, "CG-2611-BBBBB0", citizen, closed=False)
    async with storage.transaction() as uow:
        assert await uow.datacare.deidentify_closed(NOW) == 0  # closed at NOW: not before
        assert await uow.datacare.deidentify_closed(NOW + DAY) == 1
        assert await uow.datacare.deidentify_closed(NOW + DAY) == 0  # done once
        gone = await uow.records.get_by_id(closed)
        kept = await uow.records.get_by_id(still_open)
        events = await uow.events.list_for(closed, visible_only=False)
    assert gone is not None
    assert (gone.citizen_id, gone.contact_name, gone.contact_phone) == (None, None, None)
    assert gone.description == "Đèn hỏng"  # the commune's file stays
    assert len(events) == 2  # the audit log is untouched
    assert kept is not None
    assert (kept.citizen_id, kept.contact_phone) == (citizen, "0912345678")


async def test_old_processed_marks_go_but_each_channels_newest_stays(storage: Storage) -> None:
    async with storage.transaction() as uow:
        for n in range(3):
            assert await uow.updates.mark_processed("telegram", str(n), NOW + n * DAY)
        assert await uow.updates.mark_processed("zalo", "z1", NOW)
    async with storage.transaction() as uow:
        assert await uow.datacare.prune_processed_updates(NOW + 10 * DAY) == 2
    async with storage.transaction() as uow:
        assert not await uow.updates.mark_processed("telegram", "2", NOW)  # still seen
        assert not await uow.updates.mark_processed("zalo", "z1", NOW)
        assert await uow.updates.mark_processed("telegram", "0", NOW)  # forgotten


async def test_conversations_untouched_for_long_are_pruned(storage: Storage) -> None:
    async with storage.transaction() as uow:
        old = await uow.citizens.create("test", "old", NOW)
        fresh = await uow.citizens.create("test", "fresh", NOW)
        for citizen, at in ((old, NOW), (fresh, NOW + 5 * DAY)):
            await uow.conversations.save(
                Conversation(citizen.id, "filing", "filing.hamlet", {"draft": {}}, 1, at)
            )
    async with storage.transaction() as uow:
        assert await uow.datacare.prune_conversations(NOW + DAY) == 1
        assert await uow.conversations.get(old.id) is None
        assert await uow.conversations.get(fresh.id) is not None


async def test_export_reads_the_period_with_events(storage: Storage) -> None:
    async with storage.transaction() as uow:
        citizen = await _citizen(uow, "u1")
        first = await _filed(uow, "CG-2611-AAAAA0", citizen, closed=True)
        await _filed(uow, "CG-2611-BBBBB0", citizen, closed=False)
    async with storage.transaction() as uow:
        records = await uow.datacare.export_records(NOW, NOW + DAY)
        events = await uow.datacare.export_events(NOW, NOW + DAY)
        none = await uow.datacare.export_records(NOW + DAY, NOW + 2 * DAY)
        assert await uow.datacare.count_records() == 2
        names = [str(r["name"]) for r in await uow.datacare.migrations()]
    assert names[0] == "001_initial.sql"
    assert none == []
    assert [r["code"] for r in records] == ["CG-2611-AAAAA0", "CG-2611-BBBBB0"]
    assert len(records[0]) == len(RECORD_COLUMNS)
    assert len(events[0]) == len(EVENT_COLUMNS) + 1
    assert [(e["record_code"], e["action"]) for e in events] == [
        ("CG-2611-AAAAA0", "created"),
        ("CG-2611-AAAAA0", "done"),
        ("CG-2611-BBBBB0", "created"),
    ]
    assert events[0]["record_id"] == first
