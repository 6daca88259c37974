"""The dispatcher around every flow (handlers/dispatcher.py, handlers/guards.py): an update
is handled once, a restart resumes, stale buttons, typed labels, the input guards, a crash
rolls the turn back, the outbox, groups and floods."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.config import Settings
from domain.messages import plain_text
from tests.conftest import Chat, Clock
from tests.support.labels import label
from tests.support.records import CODE, db


def count(settings: Settings, table: str) -> int:
    with db(settings) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


async def test_same_update_twice_files_one_record(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await chat.draft_anonymous_report("Cống thoát nước bị tắc")
    submit = next(b for r in chat.replies for b in r.buttons if b.label == label("btn.submit"))
    inbound = chat.inbound(button=submit.data)
    first = await chat.deliver(inbound)
    again = await chat.app.dispatcher.handle(inbound)
    assert CODE.search(plain_text(first[0].text))
    assert again == []
    assert count(settings, "records") == 1
    assert count(settings, "events") == 1


async def test_restart_in_the_middle_resumes_at_the_same_step(
    settings: Settings, clock: Clock
) -> None:
    first = await App.open(settings)
    first.dispatcher.clock = clock
    chat = Chat(first)
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Đường bê tông bị sụt lún")
    hamlet_button = next(b for r in chat.replies for b in r.buttons if b.label == "Thôn 2")
    await first.close()

    second = await App.open(settings)
    second.dispatcher.clock = clock
    try:
        chat.app = second
        await chat.deliver(chat.inbound(button=hamlet_button.data))  # the button still works
        assert chat.says("filing_media", max_photos=5, has_media=False)
        await chat.press(label("btn.skip"))
        await chat.press(label("btn.anonymous"))
        await chat.press(label("btn.publish_no"))
        assert "Đường bê tông bị sụt lún" in chat.text
    finally:
        await second.close()


async def test_stale_button_gets_a_calm_answer(chat: Chat) -> None:
    await chat.agree()
    await chat.send("/gopy")
    old_kind_buttons = list(chat.replies)
    await chat.press(label("kind.phan_anh"))
    chat.replies = old_kind_buttons
    await chat.press(label("kind.to_cao"))
    assert chat.says("stale_button")
    assert chat.says("filing_description", kind="phan_anh", limit=2000)  # asked again


async def test_typed_label_without_diacritics_counts_as_the_button(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("dong y")
    assert chat.says("consent_given")
    await chat.send("/gopy")
    await chat.send("phan anh")
    assert chat.says("filing_description", kind="phan_anh", limit=2000)


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("", "input_empty"),
        ("   \u200b\u200d  ", "input_empty"),
        ("😀😀🙏", "input_no_words"),
    ],
)
async def test_bad_description_input_is_refused_calmly(
    chat: Chat, settings: Settings, text: str, template: str
) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send(text)
    assert chat.says(template)
    assert count(settings, "records") == 0


async def test_overlong_text_is_refused_with_the_limit(chat: Chat) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("a" * 10_000)
    assert chat.says("input_too_long", length=10_000, limit=2000)
    assert chat.says("filing_description", kind="phan_anh", limit=2000)  # the same step


async def test_a_crash_mid_turn_apologises_and_changes_nothing(
    chat: Chat, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Nước sinh hoạt có mùi lạ")
    from handlers.flows import filing
    from handlers.turn import Step

    async def broken(turn: object) -> None:
        raise RuntimeError("disk on fire")

    steps = dict(chat.app.dispatcher.steps)
    steps[filing.Filing.HAMLET] = Step(filing.prompt_hamlet, broken)
    monkeypatch.setattr(chat.app.dispatcher, "steps", steps)
    hamlet_prompt = chat.replies
    await chat.press("Thôn 1")
    assert chat.says("unexpected_error", hotline=settings.communes[0].hotline)
    monkeypatch.undo()
    chat.replies = hamlet_prompt
    await chat.press("Thôn 1")  # the same button works again: state was not changed
    assert chat.says("filing_media", max_photos=5, has_media=False)


async def test_outbox_holds_every_reply_in_order(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    with db(settings) as conn:
        rows = conn.execute("SELECT chat_id, priority, status FROM outbox ORDER BY id").fetchall()
    assert len(rows) >= 3
    assert all(tuple(r) == ("u1", 0, "pending") for r in rows)


async def test_groups_are_ignored_by_the_citizen_core(chat: Chat, settings: Settings) -> None:
    replies = await chat.deliver(chat.inbound(text="hello", is_group=True))
    assert replies == []
    assert count(settings, "citizens") == 0


async def test_a_flood_is_answered_once_then_ignored_until_the_next_minute(
    chat: Chat, settings: Settings, clock: Clock
) -> None:
    await chat.agree()  # 2 messages in this minute
    for _ in range(18):
        await chat.send("alo")
    assert not chat.says("flood", limit=20)
    await chat.send("alo")
    assert chat.says("flood", limit=20)
    assert len(chat.replies) == 1
    for _ in range(5):
        assert await chat.send("alo") == []
    clock.advance(minutes=1)
    await chat.send("/trogiup")
    assert "Hướng dẫn sử dụng" in chat.text


async def test_an_emergency_is_answered_even_in_a_flood(chat: Chat) -> None:
    await chat.agree()
    for _ in range(25):
        await chat.send("alo")
    await chat.send("cháy nhà rồi cứu với")
    assert "114" in chat.text
