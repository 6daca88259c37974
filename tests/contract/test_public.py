"""Migration 013 and the public page's reads (issue 12), on every backend: the consent to
publish is stored and refused for khiếu nại and tố cáo; only answered, publishable phản
ánh and kiến nghị are listed, with the official's visible answer; the statistics rows and
the announcements."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.lifecycle import PlannedEvent
from domain.records import ActorKind, Rating, RecordKind, RecordStatus
from storage import Storage, UnitOfWork
from tests.conftest import INTEGRITY_ERRORS
from tests.contract.support import NOW, new_record

S = RecordStatus


async def answer(uow: UnitOfWork, code: str, note: str, *, visible: bool = True) -> None:
    record = await uow.records.get_by_code(code)
    assert record is not None
    at = NOW + timedelta(days=2)
    event = PlannedEvent(
        at, ActorKind.OFFICIAL, "1", "answered", S.RECEIVED, S.ANSWERED, note, visible
    )
    changes = {"status": S.ANSWERED, "answered_at": at, "resolved_at": at}
    assert await uow.transition(record, record.version, changes, event) is not None


async def test_publishable_is_stored_and_refused_for_khieu_nai_and_to_cao(
    storage: Storage,
) -> None:
    async with storage.transaction() as uow:
        yes = await uow.records.insert("CG-2611-AAAAA1", new_record(publishable=True))
        no = await uow.records.insert("CG-2611-AAAAA2", new_record())
    assert yes is not None
    assert no is not None
    assert (yes.publishable, no.publishable) == (True, False)
    for kind in (RecordKind.KHIEU_NAI, RecordKind.TO_CAO):
        with pytest.raises(INTEGRITY_ERRORS):
            async with storage.transaction() as uow:
                await uow.records.insert(
                    f"CG-2611-{kind.value[:5].upper().replace('_', 'X')}",
                    new_record(kind=kind, publishable=True),
                )


async def test_only_answered_publishable_phan_anh_and_kien_nghi_are_listed(
    storage: Storage,
) -> None:
    async with storage.transaction() as uow:
        for code, changes in [
            ("CG-2611-PUB001", {"publishable": True}),
            ("CG-2611-PUB002", {"publishable": True, "kind": RecordKind.KIEN_NGHI}),
            ("CG-2611-PUB003", {"publishable": True}),  # not answered
            ("CG-2611-PUB004", {}),  # answered, never consented
            ("CG-2611-PUB005", {"kind": RecordKind.TO_CAO}),
        ]:
            assert await uow.records.insert(code, new_record(**changes)) is not None
        await answer(uow, "CG-2611-PUB001", "Đã thay bóng đèn.")
        await uow.events.add(
            (await uow.records.get_by_code("CG-2611-PUB001")).id,  # type: ignore[union-attr]
            at=NOW + timedelta(days=3),
            actor_kind=ActorKind.OFFICIAL,
            action="answered",
            note="Ghi chú nội bộ",
            visible_to_citizen=False,
        )
        await answer(uow, "CG-2611-PUB002", "Đã chuyển kiến nghị lên huyện.")
        await answer(uow, "CG-2611-PUB004", "Đã xử lý.")
        await answer(uow, "CG-2611-PUB005", "Đã thụ lý.")
        listed = await uow.public.published("CG", limit=10)
        other = await uow.public.published("XX", limit=10)
    assert sorted((p.record.code, p.answer) for p in listed) == [
        ("CG-2611-PUB001", "Đã thay bóng đèn."),  # the visible answer, not the internal note
        ("CG-2611-PUB002", "Đã chuyển kiến nghị lên huyện."),
    ]
    assert other == []


async def test_statistics_rows_and_announcements(storage: Storage) -> None:
    async with storage.transaction() as uow:
        first = await uow.records.insert("CG-2611-STA001", new_record())
        assert first is not None
        await answer(uow, "CG-2611-STA001", "Xong.")
        await uow.ratings.add(first.id, NOW + timedelta(days=3), Rating.UNSATISFIED, None)
        await uow.ratings.add(first.id, NOW + timedelta(days=4), Rating.SATISFIED, None)
        await uow.records.insert("CG-2611-STA002", new_record(kind=RecordKind.TO_CAO))
        rows = await uow.public.stat_rows("CG", NOW - timedelta(days=1))
        later = await uow.public.stat_rows("CG", NOW + timedelta(days=10))
        await uow.announcements.add("CG", None, "Lịch tiêm phòng", NOW)
        await uow.announcements.add("CG", "Thôn 1", "Cắt điện thôn 1", NOW + timedelta(hours=1))
        announced = await uow.announcements.list_recent("CG", 10)
    assert [(r.kind, r.status, r.rating) for r in rows] == [
        (RecordKind.PHAN_ANH, S.ANSWERED, "satisfied"),  # the latest rating counts
        (RecordKind.TO_CAO, S.RECEIVED, None),
    ]
    assert rows[0].resolved_at == NOW + timedelta(days=2)
    assert later == []
    assert [(a.hamlet, a.text) for a in announced] == [
        ("Thôn 1", "Cắt điện thôn 1"),
        (None, "Lịch tiêm phòng"),
    ]
