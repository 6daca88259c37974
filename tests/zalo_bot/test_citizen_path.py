"""The citizen's whole path on the Zalo Bot Platform, through the stand-in over HTTP:
consent, filing with a photo, the tracking code, lookup, an official's answer arriving,
and the rating — every choice a numbered menu answered by typing its number."""

from __future__ import annotations

import re

import pytest

from bot.app import App
from bot.config import Settings
from domain.messages import plain_text
from tests.botapi import FakeClock
from tests.conftest import Clock, make_official, receive
from tests.support.labels import label
from tests.support.officials import status
from tests.support.telegram import db_rows
from tests.support.zalo_bot import ZaloCitizen, running_zalo
from tests.zalobot import ZaloBotStandIn

CODE = re.compile(r"\b[A-Z]{2,6}-\d{4}-[0-9A-Z]{6}\b")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_citizen_files_follows_and_rates_a_case_on_zalo_bot(
    app: App,
    zalo: ZaloBotStandIn,
    settings: Settings,
    clock: Clock,
    sender_clock: FakeClock,
    mode: str,
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    async with running_zalo(app, zalo, mode, sender_clock):
        citizen = ZaloCitizen(zalo, app, mode)
        await citizen.send("/start")
        notice = citizen.last[-1]
        assert "[1] " + label("btn.consent_yes") in notice.text
        assert "gõ số thứ tự để chọn" in notice.text
        assert [tuple(r) for r in db_rows(settings, "SELECT name, phone FROM citizens")] == [
            (None, None)
        ]

        await citizen.choose(label("btn.consent_yes"))
        assert "Anh/chị cần giúp gì" in citizen.text
        await citizen.choose(label("btn.menu_file"))
        await citizen.choose(label("kind.phan_anh"))
        await citizen.send("Đèn đường ngõ 7 hỏng hai tuần nay")
        await citizen.choose("Thôn 3")
        await citizen.photo("https://photo-stc.zalo.me/den-ngo-7.jpg")
        await citizen.choose(label("btn.continue"))
        await citizen.choose(label("btn.leave_contact"))
        await citizen.send("Nguyễn Văn An")
        await citizen.send("0912 345 678")
        await citizen.choose(label("btn.publish_no"))
        assert "Đèn đường ngõ 7 hỏng hai tuần nay" in citizen.text
        await citizen.choose(label("btn.submit"))
        found = CODE.search(citizen.text)
        assert found, citizen.text
        code = found.group(0)
        photos = db_rows(settings, "SELECT ref FROM attachments")
        assert [tuple(p) for p in photos] == [("https://photo-stc.zalo.me/den-ngo-7.jpg",)]

        await citizen.send(f"/tracuu {code}")
        assert code in citizen.text

        # the official works on another channel; the answer reaches the citizen on Zalo
        new = await receive(app, "lan")
        assert [r.record_code for r in new] == [code]
        lan.replies = new
        clock.advance(minutes=10)
        await lan.press(label("btn.r_take"))
        await lan.press(label("btn.r_reply"))
        await lan.send("Đã báo điện lực, thay bóng trong ngày 27/11.")
        assert (await status(app, code)) == "answered"
        await citizen.settled()
        arrived = citizen.take()
        answer = next(m for m in arrived if "«Đã báo điện lực" in m.text)
        assert answer.menu == {"Rất hài lòng": "1", "Hài lòng": "2", "Không hài lòng": "3"}

        await citizen.choose(label("btn.rate_vs"))
        assert (await status(app, code)) == "closed"
        assert "Cảm ơn" in citizen.text or "cảm ơn" in citizen.text
    for message in zalo.sent:
        assert 1 <= len(message.text) <= 2000
        assert "<b>" not in message.text
        assert "&amp;" not in message.text
    assert plain_text(citizen.text) == citizen.text
