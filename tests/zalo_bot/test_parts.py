"""The Zalo Bot channel's parts: the client against the stand-in over HTTP (408 idle, 401,
404 without a webhook, a leftover webhook removed before polling), text split by
characters, numbered menus, updates read tolerantly, send errors sorted for the outbox."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import App
from bot.channels.menus import ChatMenus, NumberedMenu
from bot.channels.zalo_bot import (
    BadUpdate,
    ZaloBotClient,
    ZaloBotError,
    ZaloBotSender,
    inbound_from_update,
    split_characters,
)
from bot.config import Secret
from bot.outbox import PermanentError, RetryLater, TransientError
from domain.messages import RESUME, Button, Priority, Reply
from tests.botapi import FakeClock
from tests.botapi_http import serve_app
from tests.support.zalo_bot import ZALO_CITIZEN, ZaloCitizen, running_zalo
from tests.zalobot import ZALO_TOKEN, ZaloBotStandIn, zalo_standin_app

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SENTENCE = "Đường liên thôn qua xóm Đồng Chằm bị sụt lún, nước ngập sâu sau mưa lớn. "


async def test_the_client_reads_idle_polls_refusals_and_no_webhook(zalo: ZaloBotStandIn) -> None:
    async with serve_app(zalo_standin_app(zalo)) as port:
        client = ZaloBotClient(Secret(ZALO_TOKEN), f"http://127.0.0.1:{port}")
        try:
            assert (await client.get_me())["account_type"] == "BASIC"
            assert await client.get_update(1) is None  # 408: idle, not an error
            assert await client.get_webhook_info() is None  # 404: none set
            await zalo.push(zalo.text_update(ZALO_CITIZEN, "chào"))
            update = await client.get_update(1)
            assert update is not None
            assert update["message"]["text"] == "chào"
            assert zalo.methods("getUpdates")[-1] == {"timeout": "1"}
            with pytest.raises(ZaloBotError) as refused:
                await client.send_message("someone-unknown", "x")
            assert refused.value.code == 400
            with pytest.raises(ZaloBotError):
                await client.set_webhook("http://not-https.example", Secret("long-enough"))
        finally:
            await client.aclose()
        wrong = ZaloBotClient(Secret("1:wrong"), f"http://127.0.0.1:{port}")
        try:
            with pytest.raises(ZaloBotError) as unauthorized:
                await wrong.get_me()
            assert unauthorized.value.code == 401
            assert "1:wrong" not in str(unauthorized.value)
        finally:
            await wrong.aclose()


async def test_polling_removes_a_leftover_webhook_first(
    app: App, zalo: ZaloBotStandIn, sender_clock: FakeClock
) -> None:
    zalo.webhook_url, zalo.webhook_secret = "https://old.example.vn/hook", "old-secret"
    async with running_zalo(app, zalo, "polling", sender_clock):
        citizen = ZaloCitizen(zalo, app)
        await citizen.send("/start")
        assert citizen.last
    assert zalo.methods("deleteWebhook") == [{}]


def test_a_long_vietnamese_message_splits_by_characters_at_spaces() -> None:
    text = unicodedata.normalize("NFD", SENTENCE * 80)  # decomposed: NFC makes it shorter
    parts = split_characters(text)
    assert len(parts) > 1
    assert all(len(p) <= 2000 for p in parts)
    assert all(unicodedata.is_normalized("NFC", p) for p in parts)
    assert " ".join(parts) == unicodedata.normalize("NFC", text).strip()
    words = set(unicodedata.normalize("NFC", SENTENCE).split())
    assert {w for p in parts for w in p.split()} == words  # never cut inside a word


@given(st.text(alphabet="ăâđêôơưáàảãạ ạb\n", min_size=0, max_size=6000))
def test_splitting_loses_no_character_but_the_whitespace_at_a_cut(text: str) -> None:
    parts = split_characters(text)
    assert all(1 <= len(p) <= 2000 for p in parts)
    squeezed = "".join(unicodedata.normalize("NFC", text).split())
    assert "".join("".join(parts).split()) == squeezed


def test_numbers_continue_within_one_answer_and_restart_after_a_message() -> None:
    menu = NumberedMenu()
    yes, no, more = Button("Đồng ý", "a:y"), Button("Không", "a:n"), Button("Bổ sung", "m:b")
    assert menu.number([more]) == ["  [1] Bổ sung"]
    assert menu.number([yes, no]) == ["  [2] Đồng ý", "  [3] Không"]
    assert menu.pick("3") == no
    assert menu.pick("4") is None
    menu.start()
    assert menu.preview([yes]) == ["  [1] Đồng ý"]
    assert menu.pick("1") == more  # until something new is shown
    menu.number([yes])
    assert menu.pick("1") == yes


def update(event: str, **message: object) -> dict[str, object]:
    base = {"message_id": "16f6366b3f02645a3d15", "date": 1766619597466}
    base |= {"chat": {"id": "c1", "chat_type": "PRIVATE"}, "from": {"id": "c1"}}
    return {"event_name": event, "message": base | message}


def test_updates_are_read_tolerantly_and_refused_when_they_are_not_updates() -> None:
    menu = NumberedMenu()
    text = inbound_from_update(update("message.text.received", text="0912345678"), NOW, menu)
    assert text is not None
    assert text.text == "0912345678"
    assert text.update_id == "message.text.received:16f6366b3f02645a3d15"
    choice = inbound_from_update(update("message.text.received", text=" 2 "), NOW, menu)
    assert choice is not None
    assert choice.button == RESUME  # a number nobody was shown (a restart): the step again
    photo = inbound_from_update(
        update("message.image.received", photo="https://p.zalo.me/a.jpg", caption="ổ gà"),
        NOW,
        menu,
    )
    assert photo is not None
    assert [a.ref for a in photo.attachments] == ["https://p.zalo.me/a.jpg"]
    assert photo.text == "ổ gà"
    sticker = inbound_from_update(update("message.sticker.received", sticker="x"), NOW, menu)
    assert sticker is not None
    assert (sticker.text, sticker.attachments, sticker.button) == (None, (), None)
    bot = update("message.text.received", text="hi")
    bot["message"]["from"] = {"id": "b", "is_bot": True}  # type: ignore[index]
    assert inbound_from_update(bot, NOW, menu) is None
    for bad in ({"message": {}}, {"event_name": "x"}, update("x", message_id=7)):
        with pytest.raises(BadUpdate):
            inbound_from_update(bad, NOW, menu)


def failing(status: int, code: int | None = None) -> httpx.MockTransport:
    def answer(_request: httpx.Request) -> httpx.Response:
        body = {"ok": False, "error_code": code or status, "description": "nope"}
        return httpx.Response(status, json=body)

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, RetryLater),
        (500, TransientError),
        (502, TransientError),
        (401, TransientError),
        (400, PermanentError),
        (403, PermanentError),
    ],
)
async def test_send_errors_are_sorted_for_the_outbox(
    app: App, status: int, error: type[Exception]
) -> None:
    client = ZaloBotClient(Secret(ZALO_TOKEN), "http://127.0.0.1:9", transport=failing(status))
    sender = ZaloBotSender(client, app.renderer, ChatMenus())
    with pytest.raises(error):
        await sender.send(Reply("zalo_bot", "c1", "Xin chào"))
    await client.aclose()


def test_a_reply_with_buttons_ends_with_its_numbered_menu(app: App) -> None:
    client = ZaloBotClient(Secret(ZALO_TOKEN), "http://127.0.0.1:9")
    sender = ZaloBotSender(client, app.renderer, ChatMenus())
    rows = ((Button("Rất hài lòng", "v:1"), Button("Hài lòng", "v:2")),)
    long = Reply("zalo_bot", "c1", "<b>Trả lời</b> &amp; " + SENTENCE * 40, rows=rows)
    parts = sender.split(long)
    assert len(parts) == 2
    assert parts[0].text.startswith("Trả lời & Đường")
    assert parts[-1].rows == rows
    assert not parts[0].rows
    notice = Reply(
        "zalo_bot", "c1", "Hồ sơ đã có trả lời", rows=rows, priority=Priority.NOTIFICATION
    )
    assert sender._menu_tail(notice).startswith("  [1] Rất hài lòng\n  [2] Hài lòng\n")


async def test_an_image_goes_out_by_url_and_a_local_file_is_left_out(
    app: App, zalo: ZaloBotStandIn
) -> None:
    zalo.known_chats.add("c1")
    async with serve_app(zalo_standin_app(zalo)) as port:
        client = ZaloBotClient(Secret(ZALO_TOKEN), f"http://127.0.0.1:{port}")
        sender = ZaloBotSender(client, app.renderer, ChatMenus())
        try:
            chart = Reply("zalo_bot", "c1", "Biểu đồ tuần", extra={"photo": "https://x.vn/c.png"})
            for part in sender.split(chart):
                await sender.send(part)
            local = Reply("zalo_bot", "c1", "Báo cáo", extra={"photo": "/srv/data/chart.png"})
            assert [p.text for p in sender.split(local)] == ["Báo cáo"]
        finally:
            await client.aclose()
    assert [(m.method, m.text, m.photo) for m in zalo.sent] == [
        ("sendMessage", "Biểu đồ tuần", None),
        ("sendPhoto", "", "https://x.vn/c.png"),
    ]
