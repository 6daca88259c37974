"""A household vote (biểu quyết theo hộ): a code of the thôn needed, a used code, a code of
another thôn, no code, a change with the same household's vote, and the "more than half of
the households" rule on both sides of the line (Luật THDCOCS 2022; domain/polls.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.app import App
from domain.messages import plain_text
from domain.polls import HamletTally, Poll, Tally, majority
from tests.conftest import T0, Chat, receive
from tests.polls.conftest import broadcast_to, close, make_codes, make_poll, result_text, subscribe
from tests.support.labels import label

ROAD = "Có đồng ý mỗi hộ góp 200.000 đồng làm đường bê tông Thôn 3 không?"


@pytest.fixture
def app(backend_app: App) -> App:
    """These transcripts run on SQLite and, with a DSN, on PostgreSQL."""
    return backend_app


async def vote(citizen: Chat, poll: Poll, option: str, code: str | None) -> None:
    await citizen.deliver(citizen.inbound(button=f"m:laykien:{poll.id}"))
    await citizen.press(option)
    if code is not None:
        await citizen.send(code)


async def test_a_household_vote_needs_an_unused_code_of_the_thon(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    voters = [chat_factory(f"h{i}") for i in range(4)]
    for voter in voters:
        await subscribe(voter, "Thôn 3")
    poll, queued = await make_poll(
        app, ROAD, ("Đồng ý", "Không đồng ý"), hamlet="Thôn 3", household=True
    )
    assert queued == 4
    codes = await make_codes(app, poll, "Thôn 3", 4)
    assert len(set(codes)) == 4
    assert all(len(c) == 9 and c[4] == "-" for c in codes)
    other_poll, _ = await make_poll(app, "Đổi tên thôn?", ("Có", "Không"), household=True)
    (other_thon,) = await make_codes(app, other_poll, "Thôn 1", 1)

    first = voters[0]
    await broadcast_to(first)
    await first.press("Đồng ý")
    assert first.says("poll_code_ask", poll=poll, option="Đồng ý")
    # No code: a photo or an empty message is asked again; a wrong format is said so.
    await first.send("tôi không có mã")
    assert first.says("poll_code_problem", reason="format")
    await first.send("ZZZZ-ZZZZ")  # well-formed, but no such code
    assert first.says("poll_code_problem", reason="unknown")
    await first.send(other_thon)  # a code of Thôn 1 (another vote's): not for this one
    assert first.says("poll_code_problem", reason="unknown")
    await first.send(codes[0].lower().replace("-", " "))  # typed loosely: still the code
    assert first.says("poll_recorded", option="Đồng ý", changed=False, household=True)

    second = voters[1]
    await vote(second, poll, "Không đồng ý", codes[0])  # the same code again
    assert second.says("poll_code_problem", reason="used")
    await second.press(label("btn.cancel"))
    async with app.storage.transaction() as uow:
        assert await uow.polls.counts(poll.id) == {("Thôn 3", 0): 1}

    # The household changes its choice: same person, no code needed, still one vote.
    await vote(first, poll, "Không đồng ý", None)
    assert first.says("poll_recorded", option="Không đồng ý", changed=True, household=True)
    async with app.storage.transaction() as uow:
        assert await uow.polls.counts(poll.id) == {("Thôn 3", 1): 1}


async def test_codes_are_of_the_polls_thon_and_count_for_their_thon(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    poll, _ = await make_poll(
        app, ROAD, ("Đồng ý", "Không đồng ý"), hamlet="Thôn 3", household=True
    )
    with pytest.raises(ValueError, match="hamlet"):
        await make_codes(app, poll, "Thôn 1", 2)  # codes only for the poll's own thôn
    commune_wide, _ = await make_poll(app, "Sửa hương ước?", ("Đồng ý", "Không"), household=True)
    (code_1,) = await make_codes(app, commune_wide, "Thôn 1", 1)
    voter = chat_factory("v")
    await voter.agree()
    await vote(voter, commune_wide, "Đồng ý", code_1)
    assert voter.says("poll_recorded", option="Đồng ý", changed=False, household=True)
    async with app.storage.transaction() as uow:  # counted for the code's thôn
        assert await uow.polls.counts(commune_wide.id) == {("Thôn 1", 0): 1}


async def _households_vote(
    app: App, chat_factory: Callable[..., Chat], yes: int, no: int
) -> tuple[Poll, str]:
    """Thôn 3 has 4 households (conftest); `yes` + `no` of them vote."""
    poll, _ = await make_poll(
        app, ROAD, ("Đồng ý", "Không đồng ý"), hamlet="Thôn 3", household=True
    )
    codes = await make_codes(app, poll, "Thôn 3", 4)
    for i, option in enumerate(["Đồng ý"] * yes + ["Không đồng ý"] * no):
        voter = chat_factory(f"p{poll.id}-{i}")
        await voter.agree()
        await vote(voter, poll, option, codes[i])
        assert voter.says("poll_recorded", option=option, changed=False, household=True)
    return poll, plain_text(await result_text(app, poll.id))


async def test_more_than_half_of_the_households_approves(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    poll, text = await _households_vote(app, chat_factory, yes=3, no=0)
    assert "«Đồng ý» được 3/4 hộ đồng ý, hơn một nửa số hộ gia đình" in text
    assert "nội dung được thông qua" in text
    assert "đã biểu quyết 3/4 hộ (75%)" in text  # turnout against the configured households
    assert await close(app, poll) == 3
    for i in range(3):
        (result,) = await receive(app, f"p{poll.id}-{i}")
        assert "được thông qua theo phương án này" in plain_text(result.text)


async def test_exactly_half_of_the_households_is_not_enough(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    _poll, text = await _households_vote(app, chat_factory, yes=2, no=1)
    assert "Chưa phương án nào được hơn một nửa số hộ gia đình đồng ý" in text
    assert "cần ít nhất 3/4 hộ" in text
    assert "chưa được thông qua" in text
    assert "1. Đồng ý: 2 (67%)" in text  # a majority of those who voted is not the rule


def test_the_line_is_more_than_half_of_all_households() -> None:
    assert not majority(50, 100)
    assert majority(51, 100)
    assert not majority(2, 5)
    assert majority(3, 5)
    assert not majority(0, 0)
    poll = Poll(1, "CG", "?", ("A", "B"), None, True, T0, None, None, None)
    no_config = Tally(poll, (HamletTally("Thôn 4", (2, 0), None, 3),))
    assert no_config.electorate == 3  # no households in config: the codes handed out
    assert no_config.approved == 0
    mixed = Tally(
        poll, (HamletTally("Thôn 1", (2, 0), 4, 4), HamletTally("Thôn 4", (1, 0), None, 4))
    )
    assert mixed.electorate == 8  # one thôn without a count: the codes for all
    assert mixed.approved is None
