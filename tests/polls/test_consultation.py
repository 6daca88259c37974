"""A consultation (lấy ý kiến) on the real dispatcher and SQLite: sent to the subscribers,
answered from the broadcast's buttons and from the menu, an answer changed, a comment, the
poll closed and the result sent to everyone who answered, with no one's identity in it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from bot.app import App
from domain.messages import Priority, plain_text
from tests.conftest import Chat, Clock, receive
from tests.polls.conftest import broadcast_to, close, make_poll, result_text, subscribe
from tests.support.labels import label


@pytest.fixture
def app(backend_app: App) -> App:
    """These transcripts run on SQLite and, with a DSN, on PostgreSQL."""
    return backend_app


async def test_several_citizens_answer_one_changes_and_all_get_the_result(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    an, binh, cuc = chat_factory("an"), chat_factory("binh"), chat_factory("cuc")
    await subscribe(an, "Thôn 1")
    await subscribe(binh, "Thôn 2")
    await subscribe(cuc)  # the whole commune: no thôn known
    poll, queued = await make_poll(app, closes_on=date(2026, 11, 30))
    assert queued == 3

    await broadcast_to(an)
    assert "Có nên mở chợ phiên" in an.text
    assert [b.label for b in an.replies[0].buttons] == ["Nên mở", "Không nên", "Ý kiến khác"]
    await an.press("Nên mở")
    an.says_exactly(("poll_recorded", {"option": "Nên mở", "changed": False, "household": False}))
    await an.press(label("btn.poll_comment"))
    await an.send("Nên có chỗ gửi xe, tôi là Nguyễn Văn An, 0912345678")
    assert an.says("poll_comment_thanks")

    await broadcast_to(binh)
    announcement = binh.replies
    await binh.press("Không nên")
    binh.replies = announcement
    await binh.press("Nên mở")  # changed, from the same (older) message
    binh.says_exactly(("poll_recorded", {"option": "Nên mở", "changed": True, "household": False}))

    await broadcast_to(cuc)
    await cuc.press("Không nên")
    # The menu shows the poll while it is open, with the person's own answer marked.
    await cuc.send("/start")
    await cuc.press(label("btn.menu_polls"))
    await cuc.press(poll.question)
    assert "Anh/chị đã chọn «Không nên»" in cuc.text

    text = plain_text(await result_text(app, poll.id))
    assert "Tổng số: 3 người trả lời" in text
    assert "1. Nên mở: 2 (67%)" in text
    assert "2. Không nên: 1 (33%)" in text
    assert "• Thôn 1: 1 / 0 / 0" in text
    assert "• Thôn 2: 1 / 0 / 0" in text
    assert "• Chưa rõ thôn: 0 / 1 / 0" in text
    assert "Có 1 ý kiến góp thêm" in text
    assert "hơn một nửa" not in text  # a consultation decides nothing

    assert await close(app, poll) == 3
    assert await close(app, poll) == 0  # the result goes out once
    for citizen in (an, binh, cuc):
        (result,) = await receive(app, citizen.user)
        assert "Đã kết thúc." in plain_text(result.text)
        assert "1. Nên mở: 2 (67%)" in plain_text(result.text)
        # Counts only: not the comment, nor who answered (no name, phone or chat id).
        for secret in ("Nguyễn Văn An", "0912345678", "gửi xe", "binh", "cuc"):
            assert secret not in result.text

    # Closed: no more answers, and the menu no longer offers it.
    await cuc.deliver(cuc.inbound(button=f"m:laykien:{poll.id}:0"))
    assert cuc.says("poll_closed", poll=await _poll(app, poll.id))
    await cuc.send("/start")
    assert label("btn.menu_polls") not in cuc.labels
    assert "Không nên: 1" in plain_text(await result_text(app, poll.id))


async def test_the_closing_day_ends_answers_and_the_daily_job_sends_the_result(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    from bot.polls import run_poll_closing

    an = chat_factory("an")
    await subscribe(an, "Thôn 3")
    poll, _ = await make_poll(app, closes_on=date(2026, 11, 26), hamlet="Thôn 3")
    await broadcast_to(an)
    clock.advance(hours=14, minutes=59)  # 23:59 local on the last day: still open
    await an.press("Không nên")
    assert an.says("poll_recorded", option="Không nên", changed=False, household=False)
    clock.advance(minutes=2)  # the next day
    await an.deliver(an.inbound(button=f"m:laykien:{poll.id}:0"))
    assert an.says("poll_closed", poll=poll)
    assert await receive(app, "an", priority=Priority.NOTIFICATION) == []
    report = await run_poll_closing(app, clock())
    assert report.messages == 1
    (result,) = await receive(app, "an")
    assert "Thôn 3" in result.text
    assert "Không nên: <b>1</b>" in result.text
    assert (await run_poll_closing(app, clock())).messages == 0


async def test_answering_needs_consent_and_a_forged_button_is_calm(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    poll, queued = await make_poll(app)
    assert queued == 0  # nobody subscribed
    stranger = chat_factory("stranger")
    await stranger.deliver(stranger.inbound(button=f"m:laykien:{poll.id}:0"))
    assert label("btn.consent_yes") in stranger.labels  # the notice on personal data first
    await stranger.press(label("btn.consent_yes"))
    for forged in (f"m:laykien:{poll.id}:9", "m:laykien:x", "m:laykien:99999:0", "m:ykien:-1"):
        await stranger.deliver(stranger.inbound(button=forged))
        assert stranger.says("stale_button") or stranger.says("poll_gone"), forged
    async with app.storage.transaction() as uow:
        assert await uow.polls.counts(poll.id) == {}


async def _poll(app: App, poll_id: int):  # type: ignore[no-untyped-def]
    async with app.storage.transaction() as uow:
        return await uow.polls.get_by_id(poll_id)
