"""Issue 14 on the public page (bot/web/public_participation.py): the results of closed
consultations and household votes, and the desk survey's scores, as numbers only, with
the page's "<3" rule; an open poll is not shown (its counts could sway who has not
answered), and no answer is tied to anyone."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest

from bot.app import App
from bot.config import Settings
from bot.server import build_app
from bot.web.public import public_routes
from tests.botapi_http import serve_app
from tests.conftest import Clock

SCORES = {"attitude": 5, "waiting": 3, "guidance": 4, "overall": 4}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Thôn 3 has five households: three agreeing is more than half."""
    commune = replace(settings.communes[0], households={"Thôn 3": 5})
    return replace(settings, communes=(commune,))


async def seed(app: App, clock: Clock) -> None:
    now = clock()
    day = now.astimezone(app.settings.communes[0].timezone).date()
    async with app.storage.transaction() as uow:
        people = [
            (await uow.citizens.create("test", f"cd-{n}", now - timedelta(days=9))).id
            for n in range(6)
        ]
        ordinary = await uow.polls.add(
            "CG",
            "Có nên làm sân chơi cho trẻ em ở khu đất trống cạnh nhà văn hóa không?",
            ["Có", "Không", "Ý kiến khác"],
            hamlet=None,
            household=False,
            closes_at=None,
            created_by=None,
            at=now - timedelta(days=8),
        )
        for person in people[:4]:
            await uow.polls.add_answer(ordinary.id, person, 0, "Thôn 1", now - timedelta(days=7))
        await uow.polls.add_answer(ordinary.id, people[4], 1, "Thôn 2", now - timedelta(days=7))
        await uow.polls.close(ordinary.id, now - timedelta(days=2))
        household = await uow.polls.add(
            "CG",
            "Mỗi hộ đóng góp 200.000 đồng để bê tông hóa đường ngõ 5 Thôn 3?",
            ["Đồng ý", "Không đồng ý"],
            hamlet="Thôn 3",
            household=True,
            closes_at=None,
            created_by=None,
            at=now - timedelta(days=6),
        )
        for person in people[:3]:
            await uow.polls.add_answer(household.id, person, 0, "Thôn 3", now - timedelta(days=5))
        await uow.polls.close(household.id, now - timedelta(days=1))
        still_open = await uow.polls.add(
            "CG",
            "Chọn ngày tổ chức ngày hội đại đoàn kết",
            ["Thứ Bảy", "Chủ nhật"],
            hamlet=None,
            household=False,
            closes_at=None,
            created_by=None,
            at=now - timedelta(days=1),
        )
        await uow.polls.add_answer(still_open.id, people[5], 1, None, now)
        for n, person in enumerate(people[:4]):
            await uow.surveys.add(person, "CG", "QUAY1", day - timedelta(days=n), SCORES, None)
        await uow.surveys.add(people[4], "CG", "QUAY2", day, SCORES, "Chờ hơi lâu")


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def test_closed_polls_and_desk_scores_are_published_as_numbers(
    app: App, clock: Clock
) -> None:
    await seed(app, clock)
    async with (
        serve_app(build_app(public_routes(app))) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        response = await client.get("/public/CG/")
    assert response.status_code == 200
    page = text_of(response.text)
    consultations = page.split("Kết quả lấy ý kiến Nhân dân", 1)[1].split("Mức độ hài lòng")[0]
    # the ordinary consultation: 4, "<3" and 0, no thôn breakdown, no one named
    assert "Có nên làm sân chơi cho trẻ em" in consultations
    assert "Có 4 Không <3 Ý kiến khác 0" in consultations
    assert "5 người trả lời" in consultations
    # the household vote: more than half of Thôn 3's five households agreed
    assert "Biểu quyết theo hộ gia đình · Thôn 3" in consultations
    assert "Đồng ý 3 Không đồng ý 0" in consultations
    assert (
        "Hơn một nửa số hộ gia đình (trên tổng 5 hộ) đã đồng ý phương án «Đồng ý»." in consultations
    )
    assert "Chọn ngày tổ chức ngày hội đại đoàn kết" not in page  # still open
    desks = page.split("Mức độ hài lòng tại Bộ phận một cửa", 1)[1].split("Hướng dẫn thủ tục")[0]
    assert "QUAY1 4 5,0 3,0 4,0 4,0 100 %" in desks
    assert "QUAY2 <3 — — — — —" in desks
    assert "Chờ hơi lâu" not in page  # comments are for the office, not the page
    assert "cd-" not in page


async def test_a_household_vote_without_a_majority_says_so(app: App, clock: Clock) -> None:
    now = clock()
    async with app.storage.transaction() as uow:
        people = [(await uow.citizens.create("test", f"hh-{n}", now)).id for n in range(2)]
        poll = await uow.polls.add(
            "CG",
            "Chuyển chợ tạm ra bãi đất đầu làng?",
            ["Đồng ý", "Không đồng ý"],
            hamlet="Thôn 3",
            household=True,
            closes_at=None,
            created_by=None,
            at=now - timedelta(days=3),
        )
        for person in people:  # 2 of 5 households: not more than half
            await uow.polls.add_answer(poll.id, person, 0, "Thôn 3", now - timedelta(days=2))
        await uow.polls.close(poll.id, now - timedelta(days=1))
    async with (
        serve_app(build_app(public_routes(app))) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        page = text_of((await client.get("/public/CG/")).text)
    assert "Đồng ý <3 Không đồng ý 0" in page
    assert "Không có phương án nào được quá một nửa số hộ gia đình (trên tổng 5 hộ) đồng ý." in page
    assert "Chưa có lượt đánh giá nào." in page
