"""Looking up a record by its tracking code (handlers/flows/lookup.py), and one's own
records (/cuatoi)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from bot.app import App
from bot.config import Settings
from domain import tracking_code
from domain.records import RecordStatus
from tests.conftest import Chat, Clock, make_official
from tests.support.labels import label
from tests.support.records import file_report


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


async def test_lookup_owner_sees_history_others_only_status(
    chat_factory: Callable[..., Chat], settings: Settings, clock: Clock
) -> None:
    owner = chat_factory("owner")
    await owner.agree()
    code = await file_report(owner)
    await owner.send(f"/tracuu {code.lower().replace('-', ' ')}")
    assert "Diễn biến" in owner.text
    assert "Hồ sơ được gửi, chờ cán bộ tiếp nhận" in owner.text
    assert "Hạn xử lý: 07/12/2026" in owner.text
    filed = clock.now.astimezone(settings.communes[0].timezone)
    result = {
        "record": {"code": code, "kind": "phan_anh", "status": "received"},
        "office_name": "Phòng Kinh tế",
        "created": filed,
        "due": datetime(2026, 12, 7),  # noqa: DTZ001 - only the date is shown
        "events": [{"at": filed, "action": "created", "note": None}],
    }
    owner.says_exactly(
        ("lookup_result", {**result, "owner": True}),
        ("menu", {"greeting": False, "consented": True}),
    )

    stranger = chat_factory("stranger")
    await stranger.send("/start")
    await stranger.press(label("btn.consent_no"))
    await stranger.send(f"/tracuu {code}")
    assert "Đã gửi, chờ cán bộ tiếp nhận" in stranger.text
    assert "Bộ phận xử lý: Phòng Kinh tế" in stranger.text
    assert "Diễn biến" not in stranger.text
    assert "Hạn xử lý" not in stranger.text
    assert "Chỉ người gửi mới xem được chi tiết" in stranger.text
    stranger.says_exactly(
        ("lookup_result", {**result, "owner": False}),
        ("menu", {"greeting": False, "consented": False}),
    )


async def test_lookup_invalid_foreign_and_unknown_codes(chat: Chat, clock: Clock) -> None:
    await chat.agree()
    code = tracking_code.make_code("CG", clock.now, "ABCDE")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    await chat.send(f"/tracuu {wrong}")
    assert "không hợp lệ" in chat.text
    await chat.send(code)  # typed in the lookup step after the invalid one
    assert chat.says("lookup_not_found", code=code)
    foreign = tracking_code.make_code("HN", clock.now)
    await chat.send(f"/tracuu {foreign}")
    assert chat.says("lookup_foreign", code=foreign)
    await chat.send("/tracuu '; DROP TABLE records; --")
    assert "không hợp lệ" in chat.text
    await chat.send("/tracuu PAKN.20261120.0012")
    assert "dichvucong.gov.vn/guipakn" in chat.text
    assert chat.says("lookup_pakn", text="PAKN.20261120.0012")
    await chat.send("/tracuu HN-2611-BZBQV6")  # another place's code, check not even valid
    assert chat.says("lookup_foreign", code="HN-2611-BZBQV6")


async def test_my_records_lists_only_mine(chat_factory: Callable[..., Chat]) -> None:
    a, b = chat_factory("a"), chat_factory("b")
    await a.agree()
    await b.agree()
    code_a = await file_report(a)
    await b.send("/cuatoi")
    assert b.says("my_records", records=[], total=0)
    await a.send("/cuatoi")
    assert code_a in a.text


async def test_lookup_of_an_answered_record_offers_the_rating(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    # issue 16 #14: the rating prompt is not lost when another command is typed
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    owner = chat_factory("owner")
    await owner.agree()
    code = await file_report(owner)
    await lan.send(f"/tiepnhan {code}")
    await lan.send(f"/traloi {code} Đã thay bóng đèn ngày 27/11.")
    await owner.send("/trogiup")  # something else first
    await owner.send(f"/tracuu {code}")
    ratings = [label("btn.rate_vs"), label("btn.rate_s"), label("btn.rate_u")]
    assert owner.labels[:3] == ratings
    await owner.press(label("btn.rate_vs"))
    assert "Xin cảm ơn anh/chị đã đánh giá «Rất hài lòng»" in owner.text
    stranger = chat_factory("stranger")
    await stranger.agree()
    await stranger.send(f"/tracuu {code}")
    assert not set(ratings) & set(stranger.labels)  # only the one who filed it rates
    async with app.storage.transaction() as uow:  # through storage: both backends
        record = await uow.records.get_by_code(code)
    assert record is not None
    assert record.status is RecordStatus.CLOSED
