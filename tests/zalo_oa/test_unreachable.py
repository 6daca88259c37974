"""Issue 10: when Zalo's window keeps a message from the citizen, the office that got the card
is told once per record and reason (through the outbox), with the phone if the citizen gave
one; a second refused message for the same record and reason tells nobody again."""

from __future__ import annotations

from tests.conftest import make_official, receive
from tests.support.labels import label
from tests.support.records import texts
from tests.zalo_oa.citizen import ZaloCitizen
from tests.zalo_oa.conftest import Oa
from tests.zalo_oa.test_citizen_path import file_on_zalo

TOLD = "không gửi được thông báo cho người gửi qua Zalo"


async def test_the_office_is_told_once_with_the_phone(oa: Oa) -> None:
    lan = await make_official(oa.app, "lan", "KT", "member", "chị Lan")
    citizen = ZaloCitizen(oa)
    code = await file_on_zalo(citizen, anonymous=False)
    lan.replies = await receive(oa.app, "lan")  # the new-record card
    oa.clock.advance(days=8)  # the citizen has been silent past Zalo's 7 days
    await lan.press(label("btn.r_take"))
    await oa.outbox.drain()
    told = await receive(oa.app, "lan")
    assert len(told) == 1, texts(told)
    assert TOLD in told[0].text
    assert f"Hồ sơ <b>{code}</b>" in told[0].text
    assert "Xin gọi cho người gửi: 0912345678 (Nguyễn Văn An)" in told[0].text
    assert told[0].record_code == code

    await lan.press(label("btn.r_reply"))
    await lan.send("Đã báo điện lực, thay bóng trong ngày 27/11.")
    await oa.outbox.drain()  # refused again, for the same reason: no second message
    assert [r for r in await receive(oa.app, "lan") if TOLD in r.text] == []
    async with oa.app.storage.transaction() as uow:
        assert len(await uow.zalo_contacts.unreachable_for(code)) == 2


async def test_an_anonymous_citizen_is_said_to_have_left_no_phone(oa: Oa) -> None:
    lan = await make_official(oa.app, "lan", "KT", "member", "chị Lan")
    citizen = ZaloCitizen(oa)
    code = await file_on_zalo(citizen)
    lan.replies = await receive(oa.app, "lan")
    oa.clock.advance(days=8)
    await lan.press(label("btn.r_take"))
    await oa.outbox.drain()
    told = [r for r in await receive(oa.app, "lan") if TOLD in r.text]
    assert len(told) == 1
    assert (
        f"Người gửi không để lại số điện thoại; nội dung trả lời vẫn xem được bằng /tracuu {code}"
        in told[0].text
    )
