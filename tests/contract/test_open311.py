"""The Open311 repository on both backends: keys (hashed, used, revoked), the requests
partners posted (token → code) and the public updates of listed records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.lifecycle import PlannedEvent
from domain.records import ActorKind, RecordKind, RecordStatus
from storage import Storage
from tests.contract.support import NOW, new_record, step

HASH_A, HASH_B = "a" * 64, "b" * 64
LISTED = ("phan_anh", "kien_nghi")


async def test_a_key_is_found_by_its_hash_until_it_is_revoked(storage: Storage) -> None:
    async with storage.transaction() as uow:
        portal = await uow.open311.add_key("Cổng tỉnh", None, HASH_A, NOW)
        other = await uow.open311.add_key("Đối tác", "CG", HASH_B, NOW)
    assert (portal.name, portal.commune_code, portal.last_used_at) == ("Cổng tỉnh", None, None)
    assert other.commune_code == "CG"
    later = NOW + timedelta(hours=1)
    async with storage.transaction() as uow:
        used = await uow.open311.use_key(HASH_A, later)
        assert used is not None
        assert used.id == portal.id
        assert used.last_used_at == later
        assert await uow.open311.use_key("c" * 64, later) is None
        assert await uow.open311.revoke_key(portal.id, later)
        assert not await uow.open311.revoke_key(portal.id, later)  # once
        assert not await uow.open311.revoke_key(9999, later)
        assert await uow.open311.use_key(HASH_A, later + timedelta(hours=1)) is None
    async with storage.transaction() as uow:
        keys = await uow.open311.list_keys()
    assert [(k.id, k.revoked_at, k.last_used_at) for k in keys] == [
        (portal.id, later, later),  # a refused use changed nothing
        (other.id, None, None),
    ]


async def test_the_same_hash_is_refused_twice(storage: Storage) -> None:
    async with storage.transaction() as uow:
        await uow.open311.add_key("Cổng tỉnh", None, HASH_A, NOW)
    with pytest.raises(Exception, match=r"(?i)unique"):
        async with storage.transaction() as uow:
            await uow.open311.add_key("Khác", None, HASH_A, NOW)


async def test_a_token_finds_the_record_it_posted(storage: Storage) -> None:
    async with storage.transaction() as uow:
        key = await uow.open311.add_key("Cổng tỉnh", None, HASH_A, NOW)
        record = await uow.records.insert("CG-2611-AAAAAA", new_record(channel="open311"))
        assert record is not None
        await uow.open311.add_request("t" * 32, record.id, key.id, "https://x.vn/a.jpg", NOW)
        assert await uow.open311.code_for_token("t" * 32) == "CG-2611-AAAAAA"
        assert await uow.open311.code_for_token("u" * 32) is None
        assert await uow.open311.count_requests() == 1


async def test_updates_are_visible_status_steps_and_official_words_of_listed_kinds(
    storage: Storage,
) -> None:
    async with storage.transaction() as uow:
        lamp = await uow.records.insert("CG-2611-AAAAAA", new_record())
        complaint = await uow.records.insert(
            "CG-2611-BBBBBB", new_record(kind=RecordKind.KHIEU_NAI)
        )
        assert lamp is not None
        assert complaint is not None
        for record in (lamp, complaint):
            await uow.events.append(
                record.id, step(RecordStatus.RECEIVED, RecordStatus.ACCEPTED, "accept")
            )
        await uow.events.add(
            lamp.id,
            at=NOW,
            actor_kind=ActorKind.OFFICIAL,
            action="note",
            note="nội bộ",
            visible_to_citizen=False,
        )
        await uow.events.add(
            lamp.id,
            at=NOW + timedelta(minutes=2),
            actor_kind=ActorKind.OFFICIAL,
            action="note",
            note="Đang kiểm tra",
            visible_to_citizen=True,
        )
        answer = PlannedEvent(
            NOW + timedelta(minutes=5),
            ActorKind.OFFICIAL,
            "1",
            "answer",
            RecordStatus.ACCEPTED,
            RecordStatus.CLOSED,
            "Đã thay bóng đèn",
            True,
        )
        await uow.events.append(lamp.id, answer)
        await uow.events.add(
            lamp.id,
            at=NOW + timedelta(minutes=6),
            actor_kind=ActorKind.CITIZEN,
            action="rate",
            note="ý kiến",
            visible_to_citizen=True,
        )
        updates = await uow.open311.updates(
            "CG", LISTED, NOW - timedelta(days=1), NOW + timedelta(days=1)
        )
        assert [(u.record_code, u.status, u.note) for u in updates] == [
            ("CG-2611-AAAAAA", RecordStatus.ACCEPTED, None),
            ("CG-2611-AAAAAA", RecordStatus.ACCEPTED, "Đang kiểm tra"),  # the status before
            ("CG-2611-AAAAAA", RecordStatus.CLOSED, "Đã thay bóng đèn"),
        ]
        assert updates[0].id < updates[1].id < updates[2].id
        assert updates[2].actor_kind is ActorKind.OFFICIAL
        window = await uow.open311.updates(
            "CG", LISTED, NOW + timedelta(minutes=1), NOW + timedelta(days=1)
        )
        assert [u.status for u in window] == [RecordStatus.ACCEPTED, RecordStatus.CLOSED]
        paged = await uow.open311.updates(
            "CG", LISTED, NOW - timedelta(days=1), NOW + timedelta(days=1), limit=1, offset=2
        )
        assert [u.id for u in paged] == [updates[2].id]
        assert await uow.open311.updates("XX", LISTED, NOW - timedelta(days=1), NOW) == []
