"""Likely duplicates (handlers/flows/filing/duplicate.py, issue 16): «đã có người báo —
theo dõi cùng», and a follower hears of the record's progress."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.config import Settings
from tests.conftest import Chat, make_official, receive
from tests.support.labels import label
from tests.support.records import db, file_report, texts


async def _draft(chat: Chat, description: str, hamlet: str = "Thôn 3") -> None:
    await chat.agree()
    await chat.press(label("btn.menu_file"))
    await chat.press(label("kind.phan_anh"))
    await chat.send(description)
    await chat.press(hamlet)


async def test_a_second_report_of_the_same_light_is_offered_to_follow(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    kt = await make_official(app, "lan", "KT", "member", "chị Lan")
    first = chat_factory("an")
    await first.agree()
    code = await file_report(first)  # a street light in Thôn 3
    neighbour = chat_factory("binh")
    await _draft(neighbour, "Đèn đường trước nhà văn hóa không sáng")
    await neighbour.press(label("btn.skip"))
    await neighbour.press(label("btn.anonymous"))
    await neighbour.press(label("btn.publish_no"))
    await neighbour.press(label("btn.submit"))
    neighbour.says_exactly(
        (
            "filing_duplicate",
            {"code": code, "topic": "Đèn chiếu sáng", "hamlet": "Thôn 3", "status": "received"},
        )
    )
    assert neighbour.labels == [
        label("btn.follow"),
        label("btn.file_anyway"),
        label("btn.cancel"),
    ]
    await neighbour.press(label("btn.follow"))
    assert neighbour.says("filing_following", code=code)
    with db(settings) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM record_followers").fetchone()[0] == 1
    await receive(app, "binh")
    await kt.send(f"/tiepnhan {code}")
    heard = await receive(app, "binh")
    assert texts(heard).startswith(f"🔔 Hồ sơ {code} anh/chị theo dõi cùng: cán bộ tiếp nhận")
    assert all(not r.buttons for r in heard)
    assert "ngõ 7" not in texts(heard)  # nothing of what the other citizen wrote


async def test_filing_anyway_files_a_new_record_and_far_away_is_no_duplicate(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    first = chat_factory("an")
    await first.agree()
    code = await file_report(first)
    neighbour = chat_factory("binh")
    await _draft(neighbour, "Đèn đường trước nhà văn hóa không sáng")
    await neighbour.press(label("btn.skip"))
    await neighbour.press(label("btn.anonymous"))
    await neighbour.press(label("btn.publish_no"))
    await neighbour.press(label("btn.submit"))
    assert neighbour.says(
        "filing_duplicate", code=code, topic="Đèn chiếu sáng", hamlet="Thôn 3", status="received"
    )
    await neighbour.press(label("btn.file_anyway"))
    assert "Mã hồ sơ của anh/chị" in neighbour.text
    other = chat_factory("cuc")
    await _draft(other, "Đèn đường đầu làng không sáng", hamlet="Thôn 1")
    await other.location(20.0, 106.0)
    await other.press(label("btn.continue"))
    await other.press(label("btn.anonymous"))
    await other.press(label("btn.publish_no"))
    await other.press(label("btn.submit"))
    assert "Mã hồ sơ của anh/chị" in other.text  # another thôn, far away: filed at once
    with db(settings) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 3
