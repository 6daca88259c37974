"""Records, their lifecycle step (`uow.transition`), audit events, attachments, ratings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.records import ActorKind, OfficialRole, Rating, RecordKind, RecordStatus, Stage
from storage import Storage
from tests.contract.support import NOW, new_record, step

S = RecordStatus
MEMBER = OfficialRole.MEMBER


async def test_code_collision_returns_none(storage: Storage) -> None:
    async with storage.transaction() as uow:
        first = await uow.records.insert("CG-2611-AAAAA0", new_record())
        again = await uow.records.insert("CG-2611-AAAAA0", new_record())
    assert first is not None
    assert first.status is RecordStatus.RECEIVED
    assert again is None


async def test_a_record_reads_back_as_it_was_filed(storage: Storage) -> None:
    filed = new_record(
        kind=RecordKind.KIEN_NGHI,
        topic="den_duong",
        place="Ngõ 7",
        latitude=21.02,
        longitude=105.8,
        anonymous=False,
        contact_name="An",
        contact_phone="0912345678",
    )
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAA0", filed)
        assert record is not None
        assert await uow.records.get_by_code("CG-2611-AAAAA0") == record
        assert await uow.records.get_by_id(record.id) == record
        assert await uow.records.get_by_code("CG-2611-ZZZZZ0") is None
    assert (record.kind, record.stage, record.version) == (RecordKind.KIEN_NGHI, Stage.INTAKE, 0)
    assert (record.latitude, record.longitude, record.anonymous) == (21.02, 105.8, False)
    assert (record.created_at, record.due_at, record.resolved_at) == (
        NOW,
        NOW + timedelta(days=10),
        None,
    )


async def test_transition_changes_a_record_under_its_version_with_its_event(
    storage: Storage,
) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        moved = await uow.transition(
            record, 0, {"status": S.ACCEPTED, "accepted_at": NOW}, step(S.RECEIVED, S.ACCEPTED)
        )
        assert moved is not None
        assert moved.version == 1
        assert (moved.status, moved.accepted_at) == (S.ACCEPTED, NOW)
        # a stale version changes nothing and appends no event
        assert (
            await uow.transition(record, 0, {"status": S.CLOSED}, step(S.RECEIVED, S.CLOSED))
            is None
        )
        with pytest.raises(ValueError, match="not a lifecycle column"):
            await uow.transition(moved, 1, {"description": "x"}, step(S.ACCEPTED, S.ACCEPTED))
        events = await uow.events.list_for(record.id, visible_only=False)
        assert await uow.records.get_by_id(record.id) == moved
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("take", S.RECEIVED, S.ACCEPTED)
    ]
    assert (events[0].actor_kind, events[0].actor_ref, events[0].at) == (
        ActorKind.OFFICIAL,
        "1",
        NOW,
    )


async def test_events_are_listed_in_order_and_hidden_ones_only_to_officials(
    storage: Storage,
) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        await uow.events.add(
            record.id,
            at=NOW,
            actor_kind=ActorKind.CITIZEN,
            action="created",
            to_status=S.RECEIVED,
            visible_to_citizen=True,
        )
        hidden = replace(step(S.RECEIVED, S.RECEIVED, "assign"), visible_to_citizen=False)
        await uow.transition(record, 0, {"handler_id": None}, hidden)
        everything = await uow.events.list_for(record.id, visible_only=False)
        visible = await uow.events.list_for(record.id, visible_only=True)
    assert [e.action for e in everything] == ["created", "assign"]
    assert [e.action for e in visible] == ["created"]
    assert (visible[0].from_status, visible[0].actor_ref, visible[0].note) == (None, None, None)


async def test_queues_of_open_records(storage: Storage) -> None:
    async with storage.transaction() as uow:
        citizen = await uow.citizens.create("test", "u1", NOW)
        official = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", MEMBER, NOW)
        records = []
        for n, days in enumerate((3, 1, 2)):
            record = await uow.records.insert(
                f"CG-2611-AAAAA{n}", new_record(citizen.id, due_at=NOW + timedelta(days=days))
            )
            assert record is not None
            records.append(record)
        taken = await uow.transition(
            records[2],
            0,
            {"status": S.ACCEPTED, "handler_id": official.id},
            step(S.RECEIVED, S.ACCEPTED),
        )
        assert taken is not None
        received = await uow.records.list_open("CG", "VP", [S.RECEIVED], 10)
        both = await uow.records.list_open("CG", None, [S.RECEIVED, S.ACCEPTED], 10)
        page = await uow.records.list_open("CG", None, [S.RECEIVED, S.ACCEPTED], 1, offset=1)
        soon = await uow.records.list_open(
            "CG", None, [S.RECEIVED], 10, due_before=NOW + timedelta(days=2)
        )
        assert await uow.records.count_open("CG", None, [S.RECEIVED, S.ACCEPTED]) == 3
        assert await uow.records.count_open("CG", "KT", [S.RECEIVED]) == 0
        assert await uow.records.list_handled_by(official.id, [S.ACCEPTED]) == [taken]
        mine = await uow.records.list_for_citizen(citizen.id, 2)
        assert await uow.records.count_for_citizen(citizen.id) == 3
    assert [r.code for r in received] == ["CG-2611-AAAAA1", "CG-2611-AAAAA0"]
    assert [r.code for r in both] == ["CG-2611-AAAAA1", "CG-2611-AAAAA2", "CG-2611-AAAAA0"]
    assert [r.code for r in page] == ["CG-2611-AAAAA2"]
    assert [r.code for r in soon] == ["CG-2611-AAAAA1"]
    assert [r.code for r in mine] == ["CG-2611-AAAAA2", "CG-2611-AAAAA1"]  # newest first


async def test_follow_ups_and_deadline_notices_are_noted_once(storage: Storage) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        answered = await uow.transition(
            record, 0, {"status": S.ANSWERED, "answered_at": NOW}, step(S.RECEIVED, S.ANSWERED)
        )
        assert answered is not None
        assert await uow.records.list_followup_due(NOW - timedelta(days=1), 10) == []
        assert await uow.records.list_followup_due(NOW, 10) == [answered]
        await uow.records.mark_followup_sent(record.id, NOW)
        assert await uow.records.list_followup_due(NOW, 10) == []
        assert (await uow.records.get_by_id(record.id)).version == 1  # type: ignore[union-attr]
        assert await uow.records.add_deadline_notice(record.id, "due_soon", "2026-11-26", NOW)
        assert not await uow.records.add_deadline_notice(record.id, "due_soon", "2026-11-26", NOW)
        assert await uow.records.add_deadline_notice(record.id, "due_soon", "2026-11-27", NOW)


async def test_attachments_and_their_local_copies(storage: Storage) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        await uow.attachments.add(record.id, "photo", "file-1", NOW)
        await uow.attachments.add(record.id, "photo", "file-2", NOW)
        first, second = await uow.attachments.list_for(record.id)
        assert (first.ref, first.kind, first.created_at) == ("file-1", "photo", NOW)
        assert await uow.attachments.list_to_fetch("test", 10) == [first, second]
        assert await uow.attachments.list_to_fetch("zalo", 10) == []
        assert await uow.attachments.get_file(first.id) == (None, None)
        await uow.attachments.save_file(first.id, NOW, path="/tmp/a.jpg", size=10)
        await uow.attachments.save_file(second.id, NOW, error="x" * 400)
        assert await uow.attachments.list_to_fetch("test", 10) == []
        assert await uow.attachments.get_file(first.id) == ("/tmp/a.jpg", None)
        assert await uow.attachments.get_file(second.id) == (None, "x" * 300)


async def test_the_latest_rating_and_its_reason(storage: Storage) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        assert await uow.ratings.latest(record.id) is None
        await uow.ratings.add(record.id, NOW, Rating.SATISFIED, None)
        later = await uow.ratings.add(record.id, NOW, Rating.UNSATISFIED, None)
        await uow.ratings.set_reason(later, "Chưa sửa")
        assert await uow.ratings.latest(record.id) == (Rating.UNSATISFIED, "Chưa sửa")
