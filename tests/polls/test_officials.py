"""A leader's /laykien (the guided flow) and /ketqua; a member may do neither."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from domain.messages import Priority
from tests.conftest import Chat, make_official, receive
from tests.polls.conftest import broadcast_to, subscribe


async def test_a_leader_makes_a_household_vote_step_by_step(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    citizen = chat_factory("dan")
    await subscribe(citizen, "Thôn 2")
    leader = await make_official(app, "lanh-dao", "VP", "leader", "Ông Hải")
    await leader.send("/laykien")
    assert "bước 1/5" in leader.text
    await leader.send("   ")
    assert "Tin nhắn trống" in leader.text
    await leader.send("Có đồng ý sửa hương ước thôn về giờ giữ trật tự không?")
    assert "Bước 2/5" in leader.text
    await leader.send("Đồng ý")  # one option only
    assert "Cần từ 2 đến 10 phương án" in leader.text
    await leader.send("Đồng ý | Không đồng ý")
    await leader.send("Thôn 9")
    assert "Không có thôn, tổ dân phố tên như vậy" in leader.text
    await leader.send("thon 2")  # diacritics optional
    await leader.send("31/11/2026")
    assert "Chưa đọc được ngày" in leader.text
    await leader.send("25/11/2026")
    assert "Ngày đó đã qua" in leader.text
    await leader.send("10/12/2026")
    await leader.send("có lẽ")
    assert "«có» hoặc «không»" in leader.text
    await leader.send("có")
    text = leader.text
    assert "Đã tạo nội dung lấy ý kiến số 1 (biểu quyết theo hộ gia đình, Thôn 2)" in text
    assert "tới 1 người đăng ký" in text
    assert 'danvan poll codes 1 --hamlet "Thôn 2"' in text
    assert "hết ngày 10/12/2026" in text

    await broadcast_to(citizen)
    assert "Có đồng ý sửa hương ước" in citizen.text
    assert "hơn một nửa số hộ" in citizen.text
    assert [b.label for b in citizen.replies[0].buttons] == ["Đồng ý", "Không đồng ý"]

    await leader.send("/ketqua")
    assert "Số 1: Có đồng ý sửa hương ước" in leader.text
    await leader.send("/ketqua 1")
    assert "Tổng số: 0 hộ biểu quyết" in leader.text
    assert "cần ít nhất 3/5 hộ" in leader.text  # Thôn 2 has 5 households (conftest)
    await leader.send("/ketqua 77")
    assert "Không có nội dung lấy ý kiến số 77" in leader.text


async def test_huy_drops_the_draft_and_a_member_may_not_consult(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    leader = await make_official(app, "lanh-dao", "VP", "leader")
    await leader.send("/laykien")
    await leader.send("Câu hỏi thử")
    await leader.send("/huy")
    assert "Đã hủy" in leader.text
    await leader.send("Có | Không")  # back at rest: the officials' menu, no poll
    async with app.storage.transaction() as uow:
        assert await uow.polls.list_for("CG") == []
    member = await make_official(app, "can-bo", "KT", "member")
    for command in ("/laykien", "/ketqua", "/ketqua 1"):
        await member.send(command)
        assert "chỉ lãnh đạo UBND và quản trị" in member.text
    citizen = chat_factory("dan")
    await citizen.agree()
    await citizen.send("/laykien")
    assert "chỉ dành cho cán bộ" in citizen.text
    assert await receive(app, "dan", priority=Priority.BROADCAST) == []
