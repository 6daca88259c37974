"""An official on the Zalo Bot: joins with /thamgia, gets a record card with its steps
numbered, takes the record by typing a number; and what Zalo Bot cannot carry (a sticker,
a location) gets a calm answer and changes nothing."""

from __future__ import annotations

from bot.app import App
from bot.config import Settings
from tests.botapi import FakeClock
from tests.conftest import Chat
from tests.support.labels import label
from tests.support.officials import status
from tests.support.records import file_report
from tests.support.zalo_bot import ZALO_OFFICIAL, ZaloCitizen, kt_invite, running_zalo
from tests.zalobot import ZaloBotStandIn


async def test_an_official_on_zalo_bot_takes_a_record_by_number(
    app: App, zalo: ZaloBotStandIn, settings: Settings, sender_clock: FakeClock
) -> None:
    code = await kt_invite(app)
    async with running_zalo(app, zalo, "polling", sender_clock):
        lan = ZaloCitizen(zalo, app, user=ZALO_OFFICIAL)
        await lan.send(f"/thamgia {code} Chị Lan")
        assert "Chị Lan" in lan.text
        citizen = Chat(app, "dan")
        await citizen.agree()
        code = await file_report(citizen)
        await lan.settled()
        card = next(m for m in lan.take() if code in m.text)
        assert label("btn.r_take") in card.menu
        assert "<b>" not in card.text
        await lan.choose(label("btn.r_take"))
        assert (await status(app, code)) == "accepted"


async def test_what_zalo_bot_cannot_carry_gets_a_calm_answer(
    app: App, zalo: ZaloBotStandIn, settings: Settings, sender_clock: FakeClock
) -> None:
    async with running_zalo(app, zalo, "polling", sender_clock):
        citizen = ZaloCitizen(zalo, app)
        await citizen.send("/start")
        await citizen.do(zalo.sticker_update(citizen.user))
        assert "Xin anh/chị gõ chữ" in citizen.text
        await citizen.do(zalo.unsupported_update(citizen.user))
        assert "Xin anh/chị gõ chữ" in citizen.text
        await citizen.choose(label("btn.consent_yes"))  # the notice's numbers still hold
        assert "Anh/chị cần giúp gì" in citizen.text
