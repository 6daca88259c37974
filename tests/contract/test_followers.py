"""Following a record someone else filed, and the open records a report may duplicate."""

from __future__ import annotations

from datetime import timedelta

from domain.records import RecordKind, RecordStatus
from storage import Storage
from tests.contract.support import NOW, new_record, step


async def test_following_a_record_and_who_follows_it(storage: Storage) -> None:
    async with storage.transaction() as uow:
        owner = await uow.citizens.create("test", "owner", NOW)
        neighbour = await uow.citizens.create("test", "neighbour", NOW)
        record = await uow.records.insert("CG-2611-AAAAAA", new_record(owner.id))
        assert record is not None
        assert await uow.followers.follow(record.id, neighbour.id, NOW)
        assert not await uow.followers.follow(record.id, neighbour.id, NOW)  # once
        (follower,) = await uow.followers.list_for(record.id)
        assert (follower.citizen_id, follower.channel, follower.chat_id) == (
            neighbour.id,
            "test",
            "neighbour",
        )
        assert await uow.followers.codes_followed(neighbour.id) == ["CG-2611-AAAAAA"]
        await uow.citizens.erase(neighbour.id, NOW)  # erasing removes what they follow
        assert await uow.followers.list_for(record.id) == []


async def test_open_candidates_are_recent_open_and_of_the_kinds_asked(storage: Storage) -> None:
    async with storage.transaction() as uow:
        filer = await uow.citizens.create("test", "filer", NOW)
        near = await uow.records.insert(
            "CG-2611-AAAAAA",
            new_record(filer.id, topic="chieu_sang", latitude=20.86, longitude=106.68),
        )
        old = await uow.records.insert(
            "CG-2611-BBBBBB", new_record(created_at=NOW - timedelta(days=60))
        )
        done = await uow.records.insert("CG-2611-CCCCCC", new_record())
        other = await uow.records.insert("CG-2611-DDDDDD", new_record(kind=RecordKind.KHIEU_NAI))
        assert near
        assert old
        assert done
        assert other
        closed = {"status": RecordStatus.CLOSED}
        await uow.transition(done, 0, closed, step(RecordStatus.RECEIVED, RecordStatus.CLOSED))
        kinds, since = ("phan_anh", "kien_nghi"), NOW - timedelta(days=30)
        by_place = await uow.followers.open_candidates(
            "CG", kinds, since, topic="chieu_sang", hamlet="Thôn 1"
        )
        by_box = await uow.followers.open_candidates(
            "CG", kinds, since, box=(20.859, 20.861, 106.679, 106.681)
        )
        elsewhere = await uow.followers.open_candidates(
            "CG", kinds, since, topic="chieu_sang", hamlet="Thôn 2", box=(21.0, 21.1, 106.0, 106.1)
        )
        nothing_asked = await uow.followers.open_candidates("CG", kinds, since)
        own = await uow.followers.open_candidates(
            "CG", kinds, since, topic="chieu_sang", hamlet="Thôn 1", not_citizen=filer.id
        )
    for found in (by_place, by_box):
        assert [(c.code, c.topic, c.hamlet, c.latitude) for c in found] == [
            ("CG-2611-AAAAAA", "chieu_sang", "Thôn 1", 20.86)
        ]
    assert elsewhere == nothing_asked == []
    assert own == []  # never one's own record
