"""A case from filing to rating, and two officials pressing at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.app import App
from bot.config import Settings
from domain.messages import plain_text
from tests.conftest import Chat, Clock, make_official, receive
from tests.support.labels import label
from tests.support.officials import (
    events,
    status,
)
from tests.support.records import file_report, rows, texts


async def test_a_case_from_filing_to_rating(
    app: App, chat_factory: Callable[..., Chat], settings: Settings, clock: Clock
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    await make_official(app, "hoa", "VP", "head", "anh Hòa")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen, anonymous=False)

    new = await receive(app, "lan")
    assert len(new) == 1
    assert new[0].record_code == code
    assert f"Hồ sơ mới\n{code} · Phản ánh · Thôn 3" in plain_text(new[0].text)
    assert "Người gửi: Nguyễn Văn An, 0912345678" in plain_text(new[0].text)
    assert [b.label for b in new[0].buttons] == ["Tiếp nhận", "Yêu cầu bổ sung", "Chuyển"]
    assert label("btn.r_reject") not in [b.label for b in new[0].buttons]  # a member cannot reject
    assert all(b.data.startswith(f"r:{code}:") for b in new[0].buttons)
    assert len(await receive(app, "hoa")) == 1  # the head sees it too, with Từ chối

    lan.replies = new
    clock.advance(minutes=10)
    await lan.press(label("btn.r_take"))
    assert f"✅ {code} — chị Lan đã tiếp nhận lúc 09:10 26/11/2026." in lan.text
    told = await receive(app, "dan")
    assert "đã được Văn phòng HĐND và UBND xã tiếp nhận xử lý" in texts(told)
    assert "chị Lan đã tiếp nhận" in texts(await receive(app, "hoa"))

    await lan.press(label("btn.r_reply"))
    assert f"Xin nhập nội dung trả lời cho người gửi hồ sơ {code}" in lan.text
    await lan.send("Đã báo điện lực, thay bóng trong ngày 27/11.")
    assert "Đã gửi trả lời cho người gửi." in lan.text
    assert lan.labels == [label("btn.r_done")]
    answer = await receive(app, "dan")
    assert "«Đã báo điện lực, thay bóng trong ngày 27/11.»" in texts(answer)
    assert [b.label for b in answer[0].buttons] == ["Rất hài lòng", "Hài lòng", "Không hài lòng"]
    assert (await status(app, code)) == "answered"

    citizen.replies = answer
    await citizen.press(label("btn.rate_u"))
    assert citizen.says("rating_reason", code=code)
    assert (await status(app, code)) == "in_progress"
    assert "chưa hài lòng" in texts(await receive(app, "hoa"))
    await citizen.send("Bóng mới lắp vẫn không sáng")
    assert citizen.says("rating_reopened", code=code)
    reason = await receive(app, "hoa")
    assert len(reason) == 1  # one short line, not the card again
    assert f"hồ sơ {code}: «Bóng mới lắp vẫn không sáng»" in texts(reason)
    assert reason[0].buttons == ()
    assert len(await receive(app, "lan")) == 2  # the reopening (card), then the reason line

    await lan.send(f"/traloi {code} Điện lực đã thay lại bộ đèn, đã kiểm tra sáng tối 28/11.")
    again = await receive(app, "dan")
    citizen.replies = again
    await citizen.press(label("btn.rate_vs"))
    assert citizen.says("rating_thanks", code=code, value="very_satisfied")
    citizen.replies = again
    await citizen.press(label("btn.rate_s"))  # the same message again: counted once
    assert citizen.says("rating_already", code=code)
    assert (await status(app, code)) == "closed"

    trail = [(e["action"], e["from_status"], e["to_status"]) for e in (await events(app, code))]
    assert trail == [
        ("created", None, "received"),
        ("accepted", "received", "accepted"),
        ("answered", "accepted", "answered"),
        ("reopened", "answered", "in_progress"),
        ("answered", "in_progress", "answered"),
        ("rated", "answered", "closed"),
    ]
    ratings = [tuple(r) for r in await rows(app, "SELECT value, reason FROM ratings ORDER BY id")]
    assert ratings == [
        ("unsatisfied", "Bóng mới lắp vẫn không sáng"),
        ("very_satisfied", None),
    ]
    await citizen.send(f"/tracuu {code}")
    assert "Mở lại để xử lý tiếp" in citizen.text


async def test_two_officials_pressing_take_at_once_one_wins(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan")
    minh = await make_official(app, "minh")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    take = next(
        b for r in await receive(app, "lan") for b in r.buttons if b.label == label("btn.r_take")
    )
    first, second = await asyncio.gather(
        lan.deliver(lan.inbound(button=take.data)), minh.deliver(minh.inbound(button=take.data))
    )
    outcomes = sorted([texts(first), texts(second)])
    assert "đã tiếp nhận" in outcomes[0] or "đã tiếp nhận" in outcomes[1]
    assert sum("đã có người xử lý" in o for o in outcomes) == 1
    assert [e["action"] for e in (await events(app, code))] == ["created", "accepted"]
    # a double press by the same official is told the same
    await lan.deliver(lan.inbound(button=take.data))
    assert "đã có người xử lý" in lan.text
