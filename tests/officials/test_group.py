"""The office's group chat, asking the citizen for more, the queues, stale cards, replies
to notifications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.app import App
from bot.config import Settings
from tests.conftest import Chat, Clock, OfficialChat, make_official, receive
from tests.support.labels import label
from tests.support.officials import (
    app_with_vp_group,
    delivered,
    file_to_cao,
    status,
)
from tests.support.records import file_report, rows, texts


async def test_the_office_group_chat(
    settings: Settings, clock: Clock, chat_factory: Callable[..., Chat]
) -> None:
    app = await app_with_vp_group(settings, clock)
    try:
        await make_official(app, "lan", "VP", "member", "chị Lan")
        lan = OfficialChat(app, "lan", group="grp-vp")
        stranger = OfficialChat(app, "someone", group="grp-vp")
        citizen = Chat(app, "dan")
        await citizen.agree()
        code = await file_report(citizen)
        assert await receive(app, "lan") == []  # the office's chat is told, not each member
        card = await receive(app, "grp-vp")
        assert [r.record_code for r in card] == [code]

        assert await lan.send("chào cả nhà") == []  # chatter in the group is ignored
        stranger.replies = card
        await stranger.press(label("btn.r_take"))
        assert stranger.says("official_only", revoked=False)
        lan.replies = card
        await lan.press(label("btn.r_take"))
        assert "chị Lan đã tiếp nhận" in lan.text
        assert lan.replies[0].chat_id == "grp-vp"

        # the channel's sender maps its message id to the record; a reply to it is Trả lời
        await delivered(app, "grp-vp", code, "m-17", clock.now)
        await stranger.deliver(stranger.inbound(text="Tôi trả lời hộ", reply_to_message="m-17"))
        assert stranger.says("official_only", revoked=False)
        await lan.deliver(lan.inbound(text="Đã sửa xong đèn", reply_to_message="m-17"))
        assert "Đã gửi trả lời cho người gửi." in lan.text
        assert "«Đã sửa xong đèn»" in texts(await receive(app, "dan"))
        await lan.send("/gopy")
        assert lan.says("group_ignored")
        async with app.storage.transaction() as uow:
            found = await uow.officials.get("test", "lan")
            assert found is not None
            await uow.officials.revoke(found.id, clock.now)
        assert await lan.send("chào cả nhà") == []  # a revoked member's chatter: still ignored
        await lan.deliver(lan.inbound(text="Thêm một ý", reply_to_message="m-17"))
        assert lan.says("official_only", revoked=True)
    finally:
        await app.close()


async def test_asking_the_citizen_for_more(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    lan.replies = await receive(app, "lan")
    await lan.press(label("btn.r_info"))
    await lan.send("Xin chụp rõ số hiệu cột đèn")
    asked = await receive(app, "dan")
    assert "đề nghị anh/chị bổ sung:\n«Xin chụp rõ số hiệu cột đèn»" in texts(asked)
    await citizen.photo("cot-den-so-12")
    assert citizen.says("info_thanks", code=code)
    assert "Người gửi đã bổ sung thông tin" in texts(await receive(app, "lan"))
    refs = [r[0] for r in await rows(app, "SELECT ref FROM attachments ORDER BY id")]
    assert refs == ["file-1", "cot-den-so-12"]
    assert (await status(app, code)) == "in_progress"
    await lan.send(f"/giahan {code} cần thêm thời gian")
    assert lan.says("staff_refused", reason="no_extension", code=code)  # none for a phản ánh
    await lan.send(f"/hoanthanh {code} Đã thay bóng đèn cột số 12")
    done = await receive(app, "dan")
    assert "Kết quả: «Đã thay bóng đèn cột số 12»" in texts(done)
    assert [b.label for b in done[0].buttons] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]


async def test_to_cao_extensions_rejection_and_the_leaders_queue(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")
    kt = await make_official(app, "kt", "KT", "member")
    leader = await make_official(app, "ct", "VP", "leader")
    citizen = chat_factory("dan")
    await citizen.agree()
    denounced = await file_to_cao(citizen)
    other = await file_report(citizen)
    hoa.replies = [r for r in await receive(app, "hoa") if r.record_code == denounced]
    stale_card = list(hoa.replies)
    await hoa.press(label("btn.r_take"))
    # thụ lý on 26/11 starts the 30-day resolution stage → Saturday 26/12/2026, which
    # moves to Monday 28/12/2026 (Bộ luật Dân sự 2015, Điều 148 khoản 5)
    assert "Hạn giải quyết: 28/12/2026" in hoa.text
    assert label("btn.r_extend") in hoa.labels
    await hoa.press(label("btn.r_extend"))
    await hoa.send("Cần xác minh ở hai nơi")
    # extensions count from thụ lý (Luật Tố cáo Điều 30): day 60 is Mon 25/01/2027 …
    assert "Hạn mới: 25/01/2027" in hoa.text
    assert "gia hạn giải quyết đến ngày 25/01/2027" in texts(await receive(app, "dan"))
    await hoa.press(label("btn.r_extend"))
    await hoa.send("Vụ việc đặc biệt phức tạp")
    assert "Hạn mới: 24/02/2027" in hoa.text  # … and day 90 Wed 24/02/2027
    assert label("btn.r_extend") not in hoa.labels  # two extensions at most
    await hoa.send(f"/giahan {denounced} thêm nữa")
    assert hoa.says("staff_refused", reason="no_extension", code=denounced)
    hoa.replies = stale_card
    await hoa.press(label("btn.r_take"))
    assert "đã có người xử lý" in hoa.text

    await leader.send("/hangdoi")
    assert denounced in leader.text
    assert other in leader.text  # the whole commune
    await kt.send("/hangdoi")
    assert kt.says("staff_queue", items=[], page=1, pages=1, total=0, office_name="Phòng Kinh tế")

    await hoa.send(f"/tuchoi {other} Việc này do Điện lực Hải Phòng giải quyết, số 19006769")
    assert "đã từ chối" in hoa.text
    assert "không thuộc thẩm quyền giải quyết của UBND xã" in texts(await receive(app, "dan"))
    assert (await status(app, other)) == "rejected"


async def test_a_card_from_before_a_transfer_is_stale(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "VP", "member")
    await make_official(app, "kt", "KT", "member")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    card = await receive(app, "lan")
    await lan.send(f"/chuyen {code} KT Thuộc lĩnh vực kinh tế")
    lan.replies = card
    await lan.press(label("btn.r_take"))
    assert lan.says("staff_refused", reason="gone", code=code)
    lan.replies = card
    await lan.press(label("btn.r_transfer"))
    assert lan.says("staff_refused", reason="gone", code=code)


async def test_replying_to_a_notification_in_the_private_chat(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await lan.send(f"/tiepnhan {code}")
    await delivered(app, "lan", code, "501", clock.now)
    await lan.deliver(lan.inbound(text="Đã thay bóng đèn", reply_to_message="501"))
    assert "Đã gửi trả lời cho người gửi." in lan.text
    # a citizen replying to one of the bot's messages stays on the citizen's side
    await citizen.deliver(citizen.inbound(text="cảm ơn", reply_to_message="501"))
    assert not citizen.says("official_only", revoked=False)


async def test_the_queue_is_paged_oldest_due_first(
    settings: Settings, clock: Clock, chat_factory: Callable[..., Chat]
) -> None:

    small = replace(settings, bot=replace(settings.bot, queue_page_size=2))
    app = await App.open(small)
    app.dispatcher.clock = clock
    try:
        lan = await make_official(app, "lan")
        citizen = Chat(app, "dan")
        await citizen.agree()
        codes = []
        for _ in range(3):
            codes.append(await file_report(citizen))
            clock.advance(days=1)
        await lan.send("/hangdoi")
        assert "(trang 1/2, tổng 3; hạn gần nhất trước)" in lan.text
        assert lan.text.index(codes[0]) < lan.text.index(codes[1])
        assert codes[2] not in lan.text
        assert "Trang sau: /hangdoi 2" in lan.text
        await lan.send("/hangdoi 2")
        assert codes[2] in lan.text
        await lan.send("/xem CG-2611-ABC")
        assert "không hợp lệ" in lan.text
        await lan.send("/traloi")
        assert lan.says("staff_usage")
    finally:
        await app.close()


async def test_an_erased_citizen_cannot_be_reached_and_the_official_is_told(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen, anonymous=False)
    await citizen.send("/xoadulieu")
    await citizen.press(label("btn.erase_yes"))
    await lan.send(f"/tiepnhan {code}")
    await lan.send(f"/traloi {code} Đã xử lý xong")
    assert "không còn liên lạc được qua kênh này" in lan.text
    assert await receive(app, "dan") == []
