"""Issue 10/16: an official on the Zalo Bot sees a record's photos as images (Zalo Bot sends
an image only by a public URL, which a Zalo citizen's photo has); a photo without one (a
Telegram file reference) becomes one clear line instead of being dropped silently."""

from __future__ import annotations

from bot.app import App
from bot.channels.menus import ChatMenus
from bot.channels.zalo_bot import ZaloBotSender
from bot.channels.zalo_bot.client import ZaloBotClient
from bot.config import Secret, Settings
from domain.messages import Priority, Reply
from handlers.notify import MEDIA_PHOTOS
from tests.botapi import FakeClock
from tests.support.labels import label
from tests.support.records import CODE
from tests.support.zalo_bot import ZALO_OFFICIAL, ZaloCitizen, kt_invite, running_zalo
from tests.zalobot import ZALO_TOKEN, ZaloBotStandIn

PHOTO = "https://photo-stc.zalo.me/den-ngo-7.jpg"


async def test_a_zalo_bot_official_gets_the_citizens_photo_as_an_image(
    app: App, zalo: ZaloBotStandIn, settings: Settings, sender_clock: FakeClock
) -> None:
    code = await kt_invite(app)
    async with running_zalo(app, zalo, "polling", sender_clock):
        lan = ZaloCitizen(zalo, app, user=ZALO_OFFICIAL)
        await lan.send(f"/thamgia {code} Chị Lan")
        citizen = ZaloCitizen(zalo, app)
        await citizen.send("/start")
        await citizen.choose(label("btn.consent_yes"))
        await citizen.choose(label("btn.menu_file"))
        await citizen.choose(label("kind.phan_anh"))
        await citizen.send("Đèn đường ngõ 7 hỏng hai tuần nay")
        await citizen.choose("Thôn 3")
        await citizen.photo(PHOTO)
        await citizen.choose(label("btn.continue"))
        await citizen.choose(label("btn.anonymous"))
        await citizen.choose(label("btn.publish_no"))
        await citizen.choose(label("btn.submit"))
        found = CODE.search(citizen.text)
        assert found, citizen.text
        code = found.group(0)
        await lan.settled()
        got = lan.take()
        card = next(i for i, m in enumerate(got) if code in m.text)
        assert [(m.method, m.photo) for m in got[card + 1 :]] == [("sendPhoto", PHOTO)]

        await lan.send(f"/anh {code}")
        assert [(m.method, m.photo) for m in lan.last][-1] == ("sendPhoto", PHOTO)
        assert "1 ảnh (gửi ngay sau tin này)" in lan.text


async def test_a_photo_without_a_public_url_becomes_one_clear_line(app: App) -> None:
    client = ZaloBotClient(Secret(ZALO_TOKEN), "http://127.0.0.1:9")  # never called
    sender = ZaloBotSender(client, app.renderer, ChatMenus())
    reply = Reply(
        channel="zalo_bot",
        chat_id="c1",
        text="Hồ sơ <b>CG-2611-AAAAAA</b>",
        priority=Priority.NOTIFICATION,
        record_code="CG-2611-AAAAAA",
        extra={MEDIA_PHOTOS: f"{PHOTO}\nAgACAgUAAxkBAAIB"},
    )
    parts = sender.split(reply)
    assert [p.extra for p in parts] == [{}, {"photo": PHOTO}, {}]
    assert parts[-1].text == (
        "📷 1 ảnh của hồ sơ CG-2611-AAAAAA không gửi được qua Zalo Bot (Zalo Bot chỉ gửi ảnh "
        "có địa chỉ công khai). Xin xem ảnh trên kênh người dân đã gửi (dùng /anh "
        "CG-2611-AAAAAA ở đó) hoặc hỏi Văn phòng HĐND và UBND xã."
    )
    await client.aclose()
