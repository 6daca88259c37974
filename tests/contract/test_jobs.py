"""What scheduled jobs keep: leases, the question log and the digest's aggregates."""

from __future__ import annotations

from datetime import timedelta

from domain.records import RecordKind, RecordStatus
from storage import Storage
from tests.contract.support import NOW, new_record, step


async def test_leases_are_exclusive_until_expiry_and_final_when_done(
    storage: Storage,
) -> None:
    name, later = "digest:CG:2026-W47", NOW + timedelta(minutes=10)
    async with storage.transaction() as uow:
        assert await uow.leases.acquire(name, "a", NOW, later)
        assert not await uow.leases.acquire(name, "b", NOW + timedelta(minutes=5), later)
        assert await uow.leases.acquire(name, "a", NOW + timedelta(minutes=5), later)  # renew
        assert await uow.leases.acquire(name, "b", later, later + timedelta(minutes=10))
        assert not await uow.leases.finish(name, "a", later)  # "a" lost it
        assert not await uow.leases.is_done(name)
        assert await uow.leases.finish(name, "b", later)
        assert await uow.leases.is_done(name)
        assert not await uow.leases.acquire(name, "c", NOW + timedelta(days=1), later)
        assert not await uow.leases.finish(name, "b", later)  # done once


async def test_a_lease_is_taken_over_only_from_the_named_holder(storage: Storage) -> None:
    name, later = "outbox-sender:telegram", NOW + timedelta(minutes=10)
    async with storage.transaction() as uow:
        assert await uow.leases.holder(name) is None
        assert await uow.leases.acquire(name, "a", NOW, later)
        assert await uow.leases.holder(name) == "a"
        assert not await uow.leases.take_over(name, "x", "b", later)  # "x" does not hold it
        assert await uow.leases.holder(name) == "a"
        assert await uow.leases.take_over(name, "a", "b", later)
        assert await uow.leases.holder(name) == "b"
        assert not await uow.leases.acquire(name, "a", NOW, later)  # "b" holds it now
        assert await uow.leases.finish(name, "b", later)
        assert not await uow.leases.take_over(name, "b", "c", later)  # done is final
        assert await uow.leases.holder(name) is None


async def test_a_released_lease_is_free_at_once(storage: Storage) -> None:
    name, later = "sender:telegram", NOW + timedelta(minutes=10)
    async with storage.transaction() as uow:
        assert await uow.leases.acquire(name, "a", NOW, later)
        await uow.leases.release(name, "a", NOW)
        assert await uow.leases.acquire(name, "b", NOW, later)


async def test_the_most_asked_unanswered_questions(storage: Storage) -> None:
    since, until = NOW - timedelta(days=7), NOW + timedelta(seconds=1)
    async with storage.transaction() as uow:
        for question, answered in [("giờ làm việc", False), ("sổ đỏ", False), ("sổ đỏ", False)]:
            await uow.questions.log("CG", NOW, question, "faq", answered, 1.5, None)
        await uow.questions.log("CG", NOW, "căn cước", "faq", True, 0.9, "can_cuoc")
        assert await uow.questions.top_unanswered("CG", since, until, 5) == [
            ("sổ đỏ", 2),
            ("giờ làm việc", 1),
        ]
        assert await uow.questions.top_unanswered("CG", since, until, 1) == [("sổ đỏ", 2)]
        assert await uow.questions.top_unanswered("CG", since, NOW, 5) == []


async def test_digest_aggregates_of_an_empty_commune(storage: Storage) -> None:
    since, until = NOW - timedelta(days=7), NOW
    async with storage.transaction() as uow:
        assert await uow.digest.received("CG", since, until) == []
        assert await uow.digest.daily("CG", [(since, until)]) == [(0, 0)]
        assert await uow.digest.actions("CG", since, until, ("closed",)) == []
        assert await uow.digest.actions("CG", since, until, ()) == []
        assert await uow.digest.resolved("CG", since, until) == []
        assert await uow.digest.overdue_counts("CG", until) == []
        assert await uow.digest.overdue_records("CG", until, 5, ()) == []
        assert (await uow.digest.first_response("CG", since, until)).count == 0
        assert (await uow.digest.time_to_close("CG", since, until)).median_hours is None
        assert await uow.digest.ratings("CG", since, until) == []


async def test_digest_counts_a_received_and_overdue_record(storage: Storage) -> None:
    since, until = NOW - timedelta(days=1), NOW + timedelta(days=1)
    late = NOW + timedelta(days=20)
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record(topic="den_duong"))
        assert record is not None
        await uow.transition(
            record,
            0,
            {"status": RecordStatus.ACCEPTED},
            step(RecordStatus.RECEIVED, RecordStatus.ACCEPTED),
        )
        received = await uow.digest.received("CG", since, until)
        actions = await uow.digest.actions("CG", since, until, ("take",))
        overdue = await uow.digest.overdue_counts("CG", late)
        (listed,) = await uow.digest.overdue_records("CG", late, 5, ())
        excluded = await uow.digest.overdue_records("CG", late, 5, (RecordKind.PHAN_ANH,))
        first = await uow.digest.first_response("CG", since, until)
    assert received == [(RecordKind.PHAN_ANH, "VP", "den_duong", "Thôn 1", 1)]
    assert actions == [("take", "VP", 1)]
    assert overdue == [("VP", RecordKind.PHAN_ANH, 1)]
    assert (listed.code, listed.kind, listed.due_at) == (
        "CG-2611-AAAAAA",
        RecordKind.PHAN_ANH,
        NOW + timedelta(days=10),
    )
    assert excluded == []
    assert (first.count, first.median_hours) == (1, 0.0)
