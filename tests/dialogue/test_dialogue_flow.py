"""A dialogue from end to end through the real dispatcher: a leader makes it in chat,
citizens register and send questions in advance (named and anonymous), the reminder goes
the day before on a fake clock, the leader reads the questions by topic and answers, and
each answer reaches the person who asked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.daily import DailyJobs
from domain.messages import plain_text
from tests.conftest import Chat, Clock, make_official, receive
from tests.support.labels import label

ROAD = "Bao giờ đường liên thôn 2 được trải nhựa, mưa là lầy lội?"
LIGHT = "Đèn đường ngõ 7 thôn 3 hỏng cả tháng nay"


@pytest.fixture
def app(backend_app: App) -> App:
    """Backend-neutral: SQLite, and PostgreSQL where a DSN is set."""
    return backend_app


async def test_register_ask_remind_and_answer(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    leader = await make_official(app, "ct", "VP", "leader", "Chủ tịch Hùng")
    await leader.send("/doithoai 06/12/2026 08:00 | Hội trường UBND xã | Giao thông, điện")
    assert "Đã tạo buổi đối thoại số 1" in leader.text
    assert "ít nhất 7 ngày" not in leader.text  # ten days ahead: notice enough
    member = await make_official(app, "lan", "VP", "member")
    await member.send("/doithoai")
    assert "dành cho lãnh đạo" in member.text

    an = chat_factory("an")
    await an.agree()
    assert label("btn.menu_dialogue") in an.labels  # upcoming: in the menu
    await an.press(label("btn.menu_dialogue"))
    assert "Chủ đề: Giao thông, điện" in an.text
    assert "08:00 ngày 06/12/2026" in an.text
    await an.press(label("btn.dialogue_register"))
    assert "Đã đăng ký tham dự" in an.text
    assert label("btn.dialogue_unregister") in an.labels
    await an.press(label("btn.dialogue_ask"))
    await an.send("   ")  # nothing written: asked again, calmly
    assert an.says("input_empty")
    await an.send(ROAD)
    await an.press(label("btn.dialogue_named"))
    assert an.says("filing_name")  # no name saved yet: asked once
    await an.send("Nguyễn Văn An")
    assert an.says("dialogue_question_kept", number=1, named=True)

    binh = chat_factory("binh")
    await binh.agree()
    await binh.press(label("btn.menu_dialogue"))
    await binh.press(label("btn.dialogue_ask"))
    await binh.send(LIGHT)
    await binh.press(label("btn.anonymous"))
    assert binh.says("dialogue_question_kept", number=2, named=False)

    await leader.send("/doithoai 1")
    shown = leader.text
    assert "Đăng ký tham dự: 1 người" in shown
    assert f"1. {ROAD} — Nguyễn Văn An" in shown
    assert f"2. {LIGHT} — ẩn danh" in shown
    assert "Giao thông" in shown.split(ROAD)[0]  # grouped under its topic's name

    # The day before, at the daily jobs' time: the registrant is reminded, once.
    clock.now = datetime(2026, 12, 5, 1, 5, tzinfo=UTC)  # Saturday 08:05 in Việt Nam
    await receive(app, "an")
    await receive(app, "binh")
    jobs = DailyJobs(app, holder="a", clock=clock)
    assert "dialogue-reminders:2026-12-05" in await jobs.run_due()
    (reminder,) = await receive(app, "an")
    assert "Nhắc lịch đối thoại" in plain_text(reminder.text)
    assert "08:00 ngày 06/12/2026" in plain_text(reminder.text)
    assert await receive(app, "binh") == []  # asked, but did not register
    clock.advance(hours=2)
    assert await jobs.run_due() == []
    assert await receive(app, "an") == []

    # After the session the answers go to those who asked, the anonymous one too.
    clock.now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    await an.send("/start")
    assert label("btn.menu_dialogue") not in an.labels  # started: no longer in the menu
    await leader.send("/traloidt 1 1 Quý I năm 2027 sẽ trải nhựa toàn tuyến.")
    assert "Câu trả lời đã được xếp hàng gửi tới người hỏi" in leader.text
    await leader.send("/traloidt 1 2 Đã thay bóng ngày 07/12.")
    await leader.send("/traloidt 1 9 Không có câu này.")
    assert "không có câu hỏi số 9" in leader.text
    await leader.send("/traloidt 1 2")
    assert "Cách trả lời" in leader.text
    (to_an,) = await receive(app, "an")
    assert ROAD in plain_text(to_an.text)
    assert "Quý I năm 2027 sẽ trải nhựa toàn tuyến." in plain_text(to_an.text)
    (to_binh,) = await receive(app, "binh")
    assert LIGHT in plain_text(to_binh.text)
    assert "Đã thay bóng ngày 07/12." in plain_text(to_binh.text)
    await leader.send("/doithoai 1")
    assert leader.text.count("✅ đã trả lời") == 2


async def test_no_dialogue_consent_first_and_a_bad_date(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    citizen = chat_factory("an")
    await citizen.send("/start")
    await citizen.press(label("btn.consent_no"))
    await citizen.deliver(citizen.inbound(button="m:dialogue"))  # an old menu's button
    assert citizen.says("consent_notice")  # a registration keeps their chat: consent first
    await citizen.press(label("btn.consent_yes"))
    assert label("btn.menu_dialogue") not in citizen.labels  # nothing upcoming
    await citizen.deliver(citizen.inbound(button="m:dialogue"))
    assert citizen.says("dialogue_none")

    leader = await make_official(app, "ct", "VP", "leader")
    await leader.send("/doithoai 01/11/2026 08:00 | Hội trường | Đất đai")
    assert "Thời gian đã qua" in leader.text
    await leader.send("/doithoai mai 8 giờ | Hội trường | Đất đai")
    assert "Cách tạo buổi đối thoại" in leader.text
    await leader.send("/doithoai 28/11/2026 14:00 | Nhà văn hóa thôn 1 | Đất đai")
    assert "ít nhất 7 ngày" in leader.text  # allowed, with the law's notice period said
    await leader.send("/doithoai 7")
    assert "Không có buổi đối thoại số 7" in leader.text


async def test_the_leaders_guided_flow(app: App, chat_factory: Callable[..., Chat]) -> None:
    leader = await make_official(app, "ct", "VP", "leader")
    await leader.send("/doithoai moi")
    assert leader.says("staff_dialogue_step", step="when", again=False)
    await leader.send("thứ bảy tuần sau")  # not a day and time: asked again, calmly
    assert leader.says("staff_dialogue_step", step="when", again=True)
    await leader.send("20/12/2026 8h30")
    assert leader.says("staff_dialogue_step", step="place", again=False)
    await leader.send("Nhà văn hóa thôn 3")
    assert leader.says("staff_dialogue_step", step="topic", again=False)
    await leader.send("!!!")  # no words: the topic is asked again, the rest is kept
    assert leader.says("staff_dialogue_step", step="topic", again=True)
    await leader.send("Chuyển đổi số, dịch vụ công trực tuyến")
    assert "Đã tạo buổi đối thoại số 1: 08:30 ngày 20/12/2026, Nhà văn hóa thôn 3" in leader.text
    await leader.send("Xin chào")  # at rest again: the officials' menu
    assert "/huongdan" in leader.text

    await leader.send("/doithoai moi")
    await leader.send("/huy")
    assert leader.says("staff_cancelled")
    citizen = chat_factory("an")
    await citizen.agree()
    await citizen.press(label("btn.menu_dialogue"))
    assert "Chủ đề: <b>Chuyển đổi số, dịch vụ công trực tuyến</b>" in citizen.replies[0].text
