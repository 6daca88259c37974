"""A citizen's whole path on the OA, over HTTP: follow, consent, a report with a photo and
a location, the code, a lookup, an official's answer arriving, the rating; and a message
Zalo's window keeps from the citizen reaching the office's card."""

from __future__ import annotations

import re

from tests.conftest import make_official, receive
from tests.support.labels import label
from tests.support.officials import status
from tests.support.records import CODE, texts
from tests.zalo_oa.citizen import ZaloCitizen
from tests.zalo_oa.conftest import Oa


async def file_on_zalo(citizen: ZaloCitizen, *, anonymous: bool = True) -> str:
    await citizen.follow()
    assert label("btn.consent_yes") in citizen.buttons
    await citizen.press(label("btn.consent_yes"))
    await citizen.press(label("btn.menu_file"))
    await citizen.press(label("kind.phan_anh"))
    await citizen.send("Đèn đường ngõ 7 hỏng hai tuần nay")
    await citizen.press("Thôn 3")
    await citizen.photo("https://photo.zdn.example/cot-den.jpg", "cột đèn")
    await citizen.location("20.86", "106.68")
    assert "Đã nhận vị trí" in citizen.text
    await citizen.press(label("btn.continue"))
    if anonymous:
        await citizen.press(label("btn.anonymous"))
        await citizen.press(label("btn.publish_no"))
    else:
        await citizen.press(label("btn.leave_contact"))
        await citizen.send("Nguyễn Văn An")
        await citizen.submit_info("Nguyen Van An", "0912345678")  # Zalo's own form
        await citizen.press(label("btn.publish_no"))
    await citizen.press(label("btn.submit"))
    match = CODE.search(citizen.text)
    assert match, citizen.text
    return match.group(0)


async def test_a_citizen_files_follows_and_rates_on_zalo(oa: Oa) -> None:
    lan = await make_official(oa.app, "lan", "KT", "member", "chị Lan")
    citizen = ZaloCitizen(oa)
    code = await file_on_zalo(citizen)
    async with oa.app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
        assert record is not None
        photos = await uow.attachments.list_for(record.id)
    assert (record.latitude, record.longitude) == (20.86, 106.68)
    assert [p.ref for p in photos] == ["https://photo.zdn.example/cot-den.jpg"]

    await citizen.send(f"/tracuu {code}")
    assert code in citizen.text

    lan.replies = await receive(oa.app, "lan")
    await lan.press(label("btn.r_take"))
    await lan.press(label("btn.r_reply"))
    await lan.send("Đã báo điện lực, thay bóng trong ngày 27/11.")
    seen = len(oa.standin.sent)
    await oa.outbox.drain()
    arrived = [s["message"] for s in oa.standin.sent[seen:]]
    answer = [m for m in arrived if "Đã báo điện lực" in str(m)]
    assert answer, arrived
    citizen.seen = seen
    assert label("btn.rate_vs") in citizen.buttons or label("btn.rate_s") in citizen.buttons
    assert (await status(oa.app, code)) == "answered"
    await citizen.press(label("btn.rate_s"))
    assert (await status(oa.app, code)) == "closed"
    assert all(s["message"].get("quote_message_id") for s in oa.standin.sent[seen:])


async def test_a_closed_window_reaches_the_office_card(oa: Oa) -> None:
    lan = await make_official(oa.app, "lan", "KT", "member", "chị Lan")
    citizen = ZaloCitizen(oa)
    code = await file_on_zalo(citizen, anonymous=False)
    lan.replies = await receive(oa.app, "lan")
    oa.clock.advance(days=8)  # the citizen has been silent past Zalo's 7 days
    await lan.press(label("btn.r_take"))
    seen = len(oa.standin.sent)
    await oa.outbox.drain()
    assert oa.standin.sent[seen:] == []
    async with oa.app.storage.transaction() as uow:
        (unreachable,) = await uow.zalo_contacts.unreachable_for(code)
    assert unreachable.error_code == -232
    await lan.send(f"/xem {code}")
    card = texts(lan.replies)
    assert "Không báo được cho người gửi qua Zalo" in card
    assert "xin gọi số 0912345678" in card


async def test_a_choice_past_the_fifth_button_is_chosen_by_its_number(oa: Oa) -> None:
    citizen = ZaloCitizen(oa)
    await citizen.describe_a_report()
    numbered = re.search(r"^(\d+)\. Thôn Đoài$", citizen.text, re.M)
    assert numbered, citizen.text  # six hamlets and more: past Zalo's five buttons
    assert "Thôn Đoài" not in citizen.buttons
    await citizen.send(numbered.group(1))
    await citizen.press(label("btn.skip"))  # no photo
    await citizen.press(label("btn.anonymous"))
    await citizen.press(label("btn.publish_no"))
    await citizen.press(label("btn.submit"))
    match = CODE.search(citizen.text)
    assert match, citizen.text
    async with oa.app.storage.transaction() as uow:
        record = await uow.records.get_by_code(match.group(0))
    assert record is not None
    assert record.hamlet == "Thôn Đoài"
