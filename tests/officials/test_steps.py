"""Steps that wait for text, assigning, announcing, revoking, and requests for more."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.config import Settings
from domain.messages import Priority
from domain.records import OFFICIAL_TEXT
from tests.conftest import Chat, Clock, OfficialChat, make_official, receive
from tests.support.labels import label
from tests.support.officials import (
    app_with_vp_group,
    delivered,
    file_to_cao,
    status,
)
from tests.support.records import file_report, rows, texts


async def test_a_waiting_step_asks_again_for_text(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    lan.replies = await receive(app, "lan")
    await lan.press(label("btn.r_take"))
    await lan.press(label("btn.r_info"))  # (a photo for an answer is its result photo)
    await lan.photo("a-photo")
    assert lan.says("staff_prompt_again", code=code)
    await lan.send("/huy")
    assert lan.says("staff_cancelled")
    await lan.send("xin chào")  # nothing waits any more: the officials' own menu
    assert lan.says("staff_menu", name="Lan", office="Văn phòng HĐND và UBND xã")
    assert not lan.says("consent_notice")


async def test_a_leader_announces_to_subscribers_from_the_chat(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    whole, hamlet2, other = chat_factory("c1"), chat_factory("c2"), chat_factory("c3")
    for citizen in (whole, hamlet2, other):
        await citizen.agree()
    await whole.press(label("btn.menu_announce"))
    await whole.press(label("btn.announce_all"))
    await hamlet2.press(label("btn.menu_announce"))
    await hamlet2.press("Thôn 2")
    await other.press(label("btn.menu_announce"))
    await other.press("Thôn 3")

    member = await make_official(app, "lan", "VP", "member", "chị Lan")
    await member.send("/thongbao Lịch tiêm chủng")
    assert member.says("official_only", revoked=False, admin=True)

    leader = await make_official(app, "chutich", "VP", "leader", "anh Hùng")
    await leader.send("/thongbao")
    assert "Cách gửi thông báo" in leader.text
    await leader.send("/thongbao Thôn 9 | Họp dân")
    assert "Cách gửi thông báo" in leader.text  # no such hamlet
    await leader.send("/thongbao Thôn 2 | Họp dân thôn 2 lúc 19 giờ <tối nay>")
    assert "tới 2 người đăng ký ở Thôn 2" in leader.text
    announced = leader.replies
    await leader.press(label("btn.progress"))
    assert "đã gửi 0, đang chờ 2" in leader.text
    got = {
        user: [r.text for r in await receive(app, user, priority=Priority.BROADCAST)]
        for user in ("c1", "c2", "c3")
    }
    assert len(got["c1"]) == len(got["c2"]) == 1
    assert "Họp dân thôn 2 lúc 19 giờ &lt;tối nay&gt;" in got["c1"][0]
    assert got["c1"] == got["c2"]
    assert got["c3"] == []
    leader.replies = announced
    await leader.press(label("btn.progress"))
    assert "đã gửi 2. Đã gửi xong." in leader.text
    assert leader.labels == []


async def test_assigning_a_record_and_the_admin_does_no_record_work(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")
    admin = OfficialChat(app, "admin", channel="console")  # config.admins, office VP
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_to_cao(citizen)
    assert await receive(app, "admin", channel="console") == []  # no record notifications
    await admin.send(f"/xem {code}")
    assert admin.says("lookup_not_found", code=code)
    await admin.send(f"/giao {code} 1")
    assert admin.says("lookup_not_found", code=code)
    await lan.send(f"/giao {code} 1")
    assert lan.says("staff_refused", reason="not_allowed", code=code, action="assign")
    await hoa.send(f"/giao {code}")
    assert "chị Lan, cán bộ" in hoa.text
    assert "Quản trị" not in hoa.text  # an administrator is never a candidate
    await hoa.send(f"/giao {code} 999")
    assert "xin gõ /giao" in hoa.text.lower()
    await hoa.send("/canbo")  # the head is no admin
    assert hoa.says("official_only", revoked=False, admin=True)
    async with app.storage.transaction() as uow:
        found = await uow.officials.get("test", "lan")
        assert found is not None
    await hoa.send(f"/giao {code} {found.id}")
    assert "Người xử lý: chị Lan." in hoa.text
    assert "Trần Văn Bình" in texts(await receive(app, "lan"))
    await lan.send(f"/tiepnhan {code}")
    assert "đã tiếp nhận" in lan.text

    # revoking the handler tells the head which open records to reassign
    await admin.send("/canbo")
    await admin.send(f"/thuhoi {found.id}")
    assert f"Hồ sơ đang do chị Lan phụ trách: {code}" in admin.text
    told = texts(await receive(app, "hoa"))
    assert "Quyền cán bộ của chị Lan đã bị thu hồi" in told
    assert code in told
    assert "Trần Văn Bình" not in told


async def test_a_revoked_officials_text_is_not_a_citizens(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    lan.replies = await receive(app, "lan")
    await delivered(app, "lan", code, "m-5", app.dispatcher.clock())
    await lan.press(label("btn.r_take"))
    await lan.press(label("btn.r_reply"))
    admin = OfficialChat(app, "admin", channel="console")
    async with app.storage.transaction() as uow:
        found = await uow.officials.get("test", "lan")
        assert found is not None
    await admin.send(f"/thuhoi {found.id}")
    await lan.send("Đã báo điện lực thay bóng")  # the step they were revoked during
    assert lan.says("official_only", revoked=True)
    await lan.deliver(lan.inbound(text="Trả lời muộn", reply_to_message="m-5"))
    assert lan.says("official_only", revoked=True)
    assert (await status(app, code)) == "accepted"
    assert (await rows(app, "SELECT count(*) FROM records"))[0][0] == 1
    waiting = "SELECT count(*) FROM official_conversations WHERE state = ?"
    assert (await rows(app, waiting, OFFICIAL_TEXT))[0][0] == 0
    assert await receive(app, "dan", priority=Priority.NOTIFICATION) != []  # only the take
    await lan.send("Xin chào")  # after that, plain text is theirs as a resident again
    assert not lan.says("official_only", revoked=True)


async def test_a_typed_step_checks_the_version_and_the_presser(
    settings: Settings, clock: Clock, chat_factory: Callable[..., Chat]
) -> None:
    app = await app_with_vp_group(settings, clock)
    try:
        await make_official(app, "lan", "VP", "member", "chị Lan")
        await make_official(app, "minh", "VP", "member", "anh Minh")
        lan = OfficialChat(app, "lan", group="grp-vp")
        minh = OfficialChat(app, "minh", group="grp-vp")
        hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")  # private chat
        citizen = Chat(app, "dan")
        await citizen.agree()
        code = await file_report(citizen)
        card = await receive(app, "grp-vp")
        lan.replies = card
        await lan.press(label("btn.r_take"))
        lan.replies = [lan.replies[0]]
        await lan.press(label("btn.r_reply"))
        prompt = lan.replies[0]
        assert prompt.record_code is None  # a prompt in a group is not a notification
        # a colleague replying to lan's prompt does nothing to the record
        await minh.deliver(minh.inbound(text="Tôi trả lời thay", reply_to_message="p-1"))
        assert (await status(app, code)) == "accepted"
        # the record moves meanwhile (the head asks the citizen for more, privately)
        await hoa.send(f"/bosung {code} Xin thêm ảnh cột đèn")
        assert (await status(app, code)) == "need_info"
        await lan.deliver(lan.inbound(text="Đã thay bóng", reply_to_message="p-1"))
        assert "đã thay đổi kể từ khi anh/chị bấm nút" in lan.text
        assert (await status(app, code)) == "need_info"
        await lan.deliver(lan.inbound(text="Đã thay bóng", reply_to_message="p-1"))
        assert lan.replies == []  # the step is gone
    finally:
        await app.close()


async def test_a_request_for_more_never_interrupts_and_is_never_lost(
    app: App, chat_factory: Callable[..., Chat], settings: Settings, clock: Clock
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    receive_lan = await receive(app, "lan")
    assert receive_lan
    # the citizen starts another report and is half-way through it
    await citizen.press(label("btn.menu_file"))
    await citizen.press(label("kind.phan_anh"))
    await citizen.send("Ổ gà trước cổng trường")
    assert "Thôn 3" in citizen.labels
    await lan.send(f"/bosung {code} Xin chụp rõ số hiệu cột đèn")
    asked = await receive(app, "dan")
    assert "bấm «Bổ sung» bên dưới" in texts(asked)
    assert [b.data for r in asked for b in r.buttons] == [f"m:bosung:{code}"]
    await citizen.press("Thôn 3")  # the draft goes on where it was
    assert "ảnh" in citizen.text.lower()
    citizen.replies = asked
    await citizen.press(f"{label('btn.supplement')} {code}")
    assert citizen.says("info_prompt", code=code)
    await citizen.press(label("btn.later"))
    assert f"gõ /tracuu {code}" in citizen.text  # and it is true:
    assert "ảnh" in citizen.text.lower()  # back at the draft's step
    clock.advance(minutes=2)  # (the flood limit counts a minute's messages)
    await citizen.send("/huy")
    await citizen.send(f"/tracuu {code}")
    assert f"{label('btn.supplement')} {code}" in citizen.labels
    await citizen.send("/cuatoi")
    assert f"{label('btn.supplement')} {code}" in citizen.labels
    await citizen.press(f"{label('btn.supplement')} {code}")
    await citizen.send("Cột số 12, cạnh nhà văn hóa")
    assert citizen.says("info_thanks", code=code)
    assert (await status(app, code)) == "in_progress"
    assert "«Cột số 12, cạnh nhà văn hóa»" in texts(await receive(app, "lan"))
    citizen.replies = asked
    await citizen.press(f"{label('btn.supplement')} {code}")  # no longer waiting
    assert "không còn chờ bổ sung" in citizen.text


async def test_an_idle_citizens_next_message_answers_and_a_draft_survives(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await receive(app, "lan")
    # a draft kept by leaving it with a command
    await citizen.press(label("btn.menu_file"))
    await citizen.press(label("kind.phan_anh"))
    await citizen.send("Cống thoát nước bị tắc")
    await citizen.send("/trogiup")
    await lan.send(f"/bosung {code} Xin cho biết cột đèn gần nhà ai")
    assert "nhắn nội dung bổ sung ngay tại đây" in texts(await receive(app, "dan"))
    await citizen.send("Gần nhà ông Tư")
    assert citizen.says("info_thanks", code=code)
    data = (await rows(app, "SELECT data FROM conversations"))[0][0]
    assert "Cống thoát nước bị tắc" in data  # the kept draft is still there
