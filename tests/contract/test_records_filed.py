"""`records.list_filed` (Open311's GET) on both backends: kinds, window, statuses, topic,
newest first, pages."""

from __future__ import annotations

from datetime import timedelta

from domain.records import RecordKind, RecordStatus
from storage import Storage
from tests.contract.support import NOW, new_record


async def test_filed_records_by_kind_window_status_topic_and_page(storage: Storage) -> None:
    async with storage.transaction() as uow:
        for n, (kind, topic, hours) in enumerate(
            [
                (RecordKind.PHAN_ANH, "chieu_sang", 1),
                (RecordKind.KIEN_NGHI, "thoat_nuoc", 2),
                (RecordKind.TO_CAO, "can_bo", 3),
                (RecordKind.PHAN_ANH, "chieu_sang", 4),
                (RecordKind.PHAN_ANH, "chieu_sang", 24 * 100),  # outside the window
            ]
        ):
            created = NOW - timedelta(hours=hours)
            record = new_record(kind=kind, topic=topic, created_at=created)
            assert await uow.records.insert(f"CG-2611-AAAAA{n}", record) is not None

    kinds = [str(RecordKind.PHAN_ANH), str(RecordKind.KIEN_NGHI)]
    since, until = NOW - timedelta(days=90), NOW
    async with storage.transaction() as uow:
        every = await uow.records.list_filed("CG", kinds, since, until)
        lights = await uow.records.list_filed("CG", kinds, since, until, topic="chieu_sang")
        page2 = await uow.records.list_filed("CG", kinds, since, until, limit=2, offset=2)
        closed = await uow.records.list_filed(
            "CG", kinds, since, until, statuses=[RecordStatus.CLOSED]
        )
        received = await uow.records.list_filed(
            "CG", kinds, since, until, statuses=[RecordStatus.RECEIVED]
        )
    assert [r.code for r in every] == ["CG-2611-AAAAA0", "CG-2611-AAAAA1", "CG-2611-AAAAA3"]
    assert [r.code for r in lights] == ["CG-2611-AAAAA0", "CG-2611-AAAAA3"]
    assert [r.code for r in page2] == ["CG-2611-AAAAA3"]
    assert closed == []
    assert len(received) == 3
