"""Polls on every backend: a poll's round trip, open and due lists, one answer per person,
a household code spent once (also when two units of work race for it), counts without
persons, closing and telling once, and an erased citizen's vote kept tied to nobody."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage import Storage
from tests.contract.support import NOW


async def test_a_poll_round_trip_and_its_open_and_due_lists(storage: Storage) -> None:
    async with storage.transaction() as uow:
        poll = await uow.polls.add(
            "CG",
            "Có nên mở chợ phiên?",
            ["Nên", "Không nên"],
            hamlet="Thôn 3",
            household=True,
            closes_at=NOW + timedelta(days=2),
            created_by=None,
            at=NOW,
        )
        forever = await uow.polls.add(
            "CG",
            "Đặt tên đường?",
            ["A", "B"],
            hamlet=None,
            household=False,
            closes_at=None,
            created_by=None,
            at=NOW,
        )
        assert await uow.polls.get_by_id(poll.id) == poll
        assert poll.options == ("Nên", "Không nên")
        assert poll.household
        assert not forever.household
        assert poll.hamlet == "Thôn 3"
        assert poll.closes_at == NOW + timedelta(days=2)
        assert [p.id for p in await uow.polls.list_for("CG", open_at=NOW)] == [forever.id, poll.id]
        later = NOW + timedelta(days=3)
        assert [p.id for p in await uow.polls.list_for("CG", open_at=later)] == [forever.id]
        assert [p.id for p in await uow.polls.list_due("CG", later)] == [poll.id]
        assert await uow.polls.list_due("CG", NOW) == []
        week = await uow.polls.list_active_between("CG", NOW - timedelta(days=1), later)
        assert {p.id for p in week} == {poll.id, forever.id}

        assert await uow.polls.close(forever.id, NOW)
        assert not await uow.polls.close(forever.id, NOW)  # once
        assert [p.id for p in await uow.polls.list_due("CG", NOW)] == [forever.id]  # not told
        assert await uow.polls.mark_results_sent(forever.id, NOW)
        assert not await uow.polls.mark_results_sent(forever.id, NOW)
        assert await uow.polls.list_due("CG", NOW) == []


async def test_answers_codes_and_counts(storage: Storage) -> None:
    async with storage.transaction() as uow:
        poll = await uow.polls.add(
            "CG",
            "Góp tiền làm đường?",
            ["Đồng ý", "Không"],
            hamlet="Thôn 3",
            household=True,
            closes_at=None,
            created_by=None,
            at=NOW,
        )
        a = await uow.citizens.create("test", "a", NOW)
        b = await uow.citizens.create("test", "b", NOW)
        await uow.polls.add_codes(poll.id, "Thôn 3", ["h1", "h2"], NOW)
        assert await uow.polls.count_codes(poll.id) == {"Thôn 3": 2}
        code = await uow.polls.find_code(poll.id, "h1")
        assert code is not None
        assert (code.hamlet, code.used) == ("Thôn 3", False)
        assert await uow.polls.find_code(poll.id, "nope") is None
        assert await uow.polls.add_answer(poll.id, a.id, 0, "Thôn 3", NOW, code_id=code.id)
        spent = await uow.polls.find_code(poll.id, "h1")
        assert spent is not None
        assert spent.used
        # The same code again, by someone else: refused, nothing written.
        assert not await uow.polls.add_answer(poll.id, b.id, 1, "Thôn 3", NOW, code_id=code.id)
        # The same person again with another code: refused, and that code stays unspent.
        other = await uow.polls.find_code(poll.id, "h2")
        assert other is not None
        assert not await uow.polls.add_answer(poll.id, a.id, 1, "Thôn 3", NOW, code_id=other.id)
        unspent = await uow.polls.find_code(poll.id, "h2")
        assert unspent is not None
        assert not unspent.used
        assert await uow.polls.change_answer(poll.id, a.id, 1, NOW)
        assert not await uow.polls.change_answer(poll.id, b.id, 1, NOW)  # has none
        assert await uow.polls.set_comment(poll.id, a.id, "Nên làm trước mùa mưa")
        answer = await uow.polls.answer_of(poll.id, a.id)
        assert answer is not None
        assert (answer.choice, answer.comment, answer.hamlet) == (
            1,
            "Nên làm trước mùa mưa",
            "Thôn 3",
        )
        assert await uow.polls.counts(poll.id) == {("Thôn 3", 1): 1}
        assert await uow.polls.comments(poll.id) == ["Nên làm trước mùa mưa"]
        (participant,) = await uow.polls.participants(poll.id)
        assert (participant.channel, participant.chat_id) == ("test", "a")
        # Erased: the vote stays in the count, tied to nobody, and nobody is told.
        await uow.citizens.erase(a.id, NOW)
        assert await uow.polls.counts(poll.id) == {("Thôn 3", 1): 1}
        assert await uow.polls.participants(poll.id) == []


async def test_two_voters_racing_with_one_code_count_once(storage: Storage) -> None:
    async with storage.transaction() as uow:
        poll = await uow.polls.add(
            "CG",
            "Bầu trưởng thôn?",
            ["Ông A", "Bà B"],
            hamlet="Thôn 1",
            household=True,
            closes_at=None,
            created_by=None,
            at=NOW,
        )
        await uow.polls.add_codes(poll.id, "Thôn 1", ["race"], NOW)
        voters = [await uow.citizens.create("test", f"r{i}", NOW) for i in range(2)]
        code = await uow.polls.find_code(poll.id, "race")
        assert code is not None

    async def vote(citizen_id: int) -> bool:
        async with storage.transaction() as uow:
            return await uow.polls.add_answer(
                poll.id, citizen_id, 0, "Thôn 1", NOW, code_id=code.id
            )

    results = await asyncio.gather(*(vote(v.id) for v in voters))
    assert sorted(results) == [False, True]
    async with storage.transaction() as uow:
        assert await uow.polls.counts(poll.id) == {("Thôn 1", 0): 1}
