"""Issue 12: the consent to publish at filing — asked for a phản ánh or kiến nghị only, one
step before the summary, default Không, shown in the summary, changeable from «Sửa»."""

from __future__ import annotations

from bot.config import Settings
from tests.conftest import Chat, make_official, receive
from tests.support.labels import label
from tests.support.records import db, file_report


def stored(settings: Settings) -> list[tuple[str, int]]:
    with db(settings) as conn:
        return [tuple(r) for r in conn.execute("SELECT kind, publishable FROM records ORDER BY id")]


async def test_a_phan_anh_is_published_only_when_the_citizen_says_yes(
    chat: Chat, settings: Settings
) -> None:
    await make_official(chat.app, "kt", "KT", "member", "chị Hà")
    await chat.agree()
    await file_report(chat, publish=True)  # asserts the step and the summary's line
    await file_report(chat, anonymous=True, publish=False)
    assert stored(settings) == [("phan_anh", 1), ("phan_anh", 0)]
    # the office's cards say which one its answer will be published with
    cards = [r.text for r in await receive(chat.app, "kt")]
    told = "Người gửi cho phép công khai"
    assert [told in card for card in cards if "Đèn đường ngõ 7" in card] == [True, False]


async def to_publish_step(chat: Chat, description: str) -> None:
    """A phản ánh, sent anonymously, up to the publish step."""
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send(description)
    await chat.press("Thôn 1")
    await chat.press(label("btn.skip"))
    await chat.press(label("btn.anonymous"))
    chat.says_exactly("filing_publish")
    assert chat.labels[:2] == [label("btn.publish_no"), label("btn.publish_yes")]


async def test_a_to_cao_is_never_asked_and_never_published(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.to_cao"))
    await chat.press(label("btn.continue"))
    await chat.send("Cán bộ địa chính đòi tiền khi làm sổ đỏ")
    await chat.press("Thôn 2")
    await chat.press(label("btn.skip"))
    await chat.send("Trần Văn Bình")
    await chat.send("0987654321")  # straight to the summary
    assert "Xin anh/chị kiểm tra lại" in chat.text
    assert "công khai" not in chat.text.lower()
    await chat.press(label("btn.edit"))
    assert label("btn.edit_publish") not in chat.labels
    await chat.press(label("btn.back"))
    await chat.press(label("btn.submit"))
    assert stored(settings) == [("to_cao", 0)]


async def test_a_phan_anh_changed_to_a_khieu_nai_is_not_published(
    chat: Chat, settings: Settings
) -> None:
    await chat.agree()
    await to_publish_step(chat, "Quyết định thu hồi đất không đúng diện tích")
    await chat.press(label("btn.publish_yes"))
    await chat.press(label("btn.edit"))
    await chat.press(label("btn.edit_kind"))
    await chat.press(label("kind.khieu_nai"))
    if label("btn.continue") in chat.labels:  # the identity notice of a khiếu nại
        await chat.press(label("btn.continue"))
    assert "công khai" not in chat.text.lower()
    if label("btn.submit") not in chat.labels:  # a khiếu nại needs a name and a phone
        await chat.send("Trần Văn Bình")
        await chat.send("0987654321")
    assert "Công khai:" not in chat.text
    await chat.press(label("btn.submit"))
    assert stored(settings) == [("khieu_nai", 0)]


async def test_other_input_at_the_step_is_answered_calmly_and_the_step_shown_again(
    chat: Chat, settings: Settings
) -> None:
    await chat.agree()
    await to_publish_step(chat, "Cống thoát nước trước chợ bị tắc")
    await chat.send("để tôi nghĩ đã")
    chat.says_exactly("choose_button", "filing_publish")
    await chat.send("co, cho phep cong khai")  # the label typed without diacritics
    assert "Công khai: có (đã ẩn thông tin cá nhân)" in chat.text
    await chat.press(label("btn.submit"))
    assert stored(settings) == [("phan_anh", 1)]


async def test_the_answer_can_be_changed_from_the_summary(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await to_publish_step(chat, "Đèn đường ngõ 9 hỏng")
    await chat.press(label("btn.publish_yes"))
    await chat.press(label("btn.edit"))
    await chat.press(label("btn.edit_publish"))
    assert chat.says("filing_publish")
    await chat.press(label("btn.publish_no"))
    assert "Công khai: không" in chat.text
    await chat.press(label("btn.submit"))
    assert stored(settings) == [("phan_anh", 0)]


async def test_erasing_ones_data_withdraws_the_consent_to_publish(
    chat: Chat, settings: Settings
) -> None:
    await chat.agree()
    await file_report(chat, publish=True)
    await chat.send("/xoadulieu")
    assert "Hồ sơ anh/chị đã cho phép công khai sẽ không còn được công khai." in chat.text
    await chat.press(label("btn.erase_yes"))
    assert stored(settings) == [("phan_anh", 0)]
