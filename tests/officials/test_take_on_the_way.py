"""/traloi on a new record takes it on the way, or says how (issue 16, review finding 6),
and the officials' words for a rejection match the button's."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.config import Settings
from tests.conftest import Chat, make_official, receive
from tests.support.labels import label
from tests.support.officials import events, file_to_cao, status
from tests.support.records import file_report, texts


async def test_traloi_on_a_new_record_takes_it_first(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    assert (await status(app, code)) == "received"
    await lan.send(f"/traloi {code} Đã báo điện lực, thay bóng trong ngày mai.")
    assert f"✅ {code} — chị Lan đã tiếp nhận" in lan.text
    assert "Đã gửi trả lời cho người gửi." in lan.text
    assert (await status(app, code)) == "answered"
    assert [e["action"] for e in (await events(app, code))][-2:] == ["accepted", "answered"]
    told = texts(await receive(app, "dan"))
    assert "tiếp nhận xử lý" in told
    assert "«Đã báo điện lực, thay bóng trong ngày mai.»" in told


async def test_one_who_may_not_take_is_told_how(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    await make_official(app, "hoa", "VP", "head", "anh Hòa")
    citizen = chat_factory("dan")
    await citizen.agree()
    denounced = await file_to_cao(citizen)  # a member does not take a tố cáo
    await lan.send(f"/traloi {denounced} Đã xác minh.")
    assert (await status(app, denounced)) == "received"
    assert "Hồ sơ cần được tiếp nhận trước: trưởng bộ phận hoặc lãnh đạo UBND" in lan.text


async def test_a_rejection_is_called_as_its_button(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await hoa.send(f"/tuchoi {code} Không thuộc thẩm quyền của xã")
    await hoa.send(f"/xem {code}")
    assert "Tình trạng: Đã từ chối / không thụ lý" in hoa.text
    assert label("btn.r_reject") == "Từ chối"
