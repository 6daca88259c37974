"""A record's photos (an album) and location pin through the real Telegram sender, PTB and
the Bot API stand-in: each further part recorded by the outbox (issue 16, finding 1)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.app import App
from bot.channels.telegram import TelegramSender
from bot.channels.telegram.sender import media_parts
from bot.config import OutboxSettings
from bot.outbox import OutboxSender
from domain.messages import Button, Priority, Reply
from tests.botapi import TOKEN, BotApiStandIn, FakeClock
from tests.botapi_http import StandInRequest
from tests.conftest import T0

PACE = OutboxSettings(
    messages_per_second=30, private_chat_per_minute=60, group_per_minute=20, retry_max_seconds=300
)


@pytest.fixture
async def sender(
    app: App, standin: BotApiStandIn, sender_clock: FakeClock
) -> AsyncIterator[OutboxSender]:
    bot = Bot(TOKEN, request=StandInRequest(standin))
    async with bot:
        yield OutboxSender(
            app.storage,
            TelegramSender(bot, app.renderer),
            PACE,
            clock=sender_clock,
            sleep=sender_clock.sleep,
        )


async def _enqueue(app: App, chat_id: str, text: str, extra: dict[str, str]) -> None:
    reply = Reply("telegram", chat_id, text, priority=Priority.NOTIFICATION, extra=extra)
    async with app.storage.transaction() as uow:
        await uow.outbox.enqueue(reply, T0)


def test_media_parts_cut_albums_of_ten_and_end_with_the_pin() -> None:
    photos = "\n".join(f"p{i}" for i in range(12))
    reply = Reply("telegram", "5", "thẻ", extra={"photos": photos, "location": "20.86,106.68"})
    parts = media_parts(reply)
    assert [p.extra for p in parts] == [
        {"photos": "\n".join(f"p{i}" for i in range(10))},
        {"photos": "p10\np11"},
        {"location": "20.86,106.68"},
    ]
    assert all(p.text == "" and p.rows == () for p in parts)


async def test_the_card_then_the_album_then_the_pin(
    app: App, sender: OutboxSender, standin: BotApiStandIn
) -> None:
    standin.files.update({"o-ga-1": b"\xff\xd8 1", "o-ga-2": b"\xff\xd8 2", "ket-qua": b"\xff\xd8"})
    extra = {"photos": "o-ga-1\no-ga-2", "location": "20.86,106.68"}
    await _enqueue(app, "-1009", "Hồ sơ mới CG-2611-7KQ3XD", extra)
    await _enqueue(app, "77", "Kết quả", {"photos": "ket-qua"})
    await sender.drain()
    assert [m.text for m in standin.to("-1009")] == [
        "Hồ sơ mới CG-2611-7KQ3XD",
        "[photo o-ga-1]",
        "[photo o-ga-2]",
        "[location 20.86,106.68]",
    ]
    assert [m.text for m in standin.to("77")] == ["Kết quả", "[photo ket-qua]"]
    assert len(standin.methods("sendMediaGroup")) == 1
    async with app.storage.transaction() as uow:
        rows = await uow._all("SELECT outbox_id, part FROM outbox_deliveries")
    assert len(rows) == 5  # every part recorded


async def test_an_unknown_photo_fails_its_row_calmly(
    app: App, sender: OutboxSender, standin: BotApiStandIn
) -> None:
    await _enqueue(app, "77", "Kết quả", {"photos": "gone-1\ngone-2"})
    await sender.drain()
    assert [m.text for m in standin.to("77")] == ["Kết quả"]  # the text went; no retry loop
    async with app.storage.transaction() as uow:
        rows = await uow._all("SELECT status FROM outbox")
    assert [r["status"] for r in rows] == ["failed"]


async def test_a_removal_clears_the_cards_buttons_once(
    app: App, sender: OutboxSender, standin: BotApiStandIn
) -> None:
    card = Reply(
        "telegram", "77", "Hồ sơ CG-2611-7KQ3XD", rows=((Button("Tiếp nhận", "r:x:take:1"),),)
    )
    async with app.storage.transaction() as uow:
        await uow.outbox.enqueue(card, T0)
    await sender.drain()
    sent = standin.to("77")[0]
    assert sent.inline_buttons == {"Tiếp nhận": "r:x:take:1"}
    for _ in range(2):  # the second finds it already without buttons: no error
        await _enqueue(app, "77", "", {"remove_buttons_of": str(sent.message_id)})
    await _enqueue(app, "77", "", {"remove_buttons_of": "12345"})  # gone: fails calmly
    await sender.drain()
    assert standin.to("77")[0].inline_buttons == {}
    assert len(standin.to("77")) == 1  # no new message
    async with app.storage.transaction() as uow:
        rows = await uow._all("SELECT status FROM outbox ORDER BY id")
    assert [r["status"] for r in rows] == ["sent", "sent", "sent", "failed"]
