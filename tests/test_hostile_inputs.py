"""The three inputs the review found crashing a turn (issue 15): a location that is no
point on the globe, a file id with a lone surrogate, a progress button with a number
storage cannot hold. Each now gets the calm answer, nothing is lost, and the «Xem tiến độ»
button works only under the leader's own announcement."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from bot.app import App
from domain.messages import Attachment, Location
from handlers.callbacks import ProgressButton, RecordButton, StepButton
from tests.conftest import Chat, make_official
from tests.support.labels import label
from tests.support.records import CODE, db


def apologised(chat: Chat) -> bool:
    """Whether the turn failed (the dispatcher's apology for an unexpected error)."""
    return "hệ thống vừa gặp trục trặc" in chat.text


BAD_POINTS = [(math.nan, 106.68), (20.86, math.inf), (-math.inf, 0.0), (91.0, 0.0), (0.0, 181.0)]


async def _at_media_step(chat: Chat) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Đèn đường ngõ 7 hỏng hai tuần nay")
    await chat.press("Thôn 1")


@pytest.mark.parametrize(("lat", "lon"), BAD_POINTS)
async def test_a_location_off_the_globe_is_not_supported_calmly(
    chat: Chat, lat: float, lon: float
) -> None:
    await _at_media_step(chat)
    await chat.location(lat, lon)
    assert chat.says("input_unsupported")
    assert not apologised(chat)
    await chat.location(20.86, 106.68)  # a real one still works, and the draft is whole
    assert "Đã nhận vị trí" in chat.text
    await chat.press(label("btn.continue"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.publish_no"))
    await chat.press(label("btn.submit"))
    code = CODE.search(chat.text)
    assert code, chat.text
    with db(chat.app.settings) as conn:
        row = conn.execute(
            "SELECT latitude, longitude FROM records WHERE code = ?", (code.group(0),)
        ).fetchone()
    assert tuple(row) == (20.86, 106.68)


async def test_a_file_id_with_a_lone_surrogate_is_not_supported_calmly(chat: Chat) -> None:
    await _at_media_step(chat)
    await chat.photo("id\udfff")
    assert chat.says("input_unsupported")
    assert not apologised(chat)
    await chat.deliver(
        chat.inbound(
            attachments=(Attachment("photo", "id\ud800x"), Attachment("photo", "good-id")),
            location=Location(math.nan, math.nan),
        )
    )
    assert "1 ảnh" in chat.text  # the good photo kept, the rest dropped
    await chat.press(label("btn.continue"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.publish_no"))
    await chat.press(label("btn.submit"))
    assert CODE.search(chat.text), chat.text
    with db(chat.app.settings) as conn:
        refs = [r[0] for r in conn.execute("SELECT ref FROM attachments")]
    assert refs == ["good-id"]


def test_numbers_storage_cannot_hold_are_no_button() -> None:
    huge = "99999999999999999999"
    assert ProgressButton.unpack(f"p:1:{huge}") is None
    assert ProgressButton.unpack(f"p:{2**63}:{2**63}") is None
    assert ProgressButton.unpack(f"p:1:{2**63 - 1}") == ProgressButton(1, 2**63 - 1)
    assert StepButton.unpack(f"{huge}:x") is None
    assert RecordButton.unpack(f"r:CG-1:take:{huge}") is None


async def test_the_progress_button_counts_only_the_leaders_own_announcement(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    subscriber = chat_factory("c1")
    await subscriber.agree()
    await subscriber.press(label("btn.menu_announce"))
    await subscriber.press(label("btn.announce_all"))
    leader = await make_official(app, "chutich", "VP", "leader", "anh Hùng")
    other = await make_official(app, "phochutich", "VP", "leader", "chị Mai")
    await leader.send("/thongbao Họp dân lúc 19 giờ")
    own = next(b.data for r in leader.replies for b in r.buttons)
    await leader.press(label("btn.progress"))
    assert "đang chờ 1" in leader.text
    # another leader forging the same button, or any range, learns nothing
    for data in (own, "p:1:100000", "p:1:99999999999999999999"):
        await other.deliver(other.inbound(button=data))
        assert other.says("stale_button"), data
        assert not apologised(other)
    await leader.deliver(leader.inbound(button="p:1:99999999999999999999"))
    assert leader.says("stale_button")
