"""The queue: the records the official's role and office allow (the chat's scope), the
filters, sorting and paging, and the counts per status on top."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from bot.app import App
from tests.conftest import Chat, Clock, make_official
from tests.support.officials import file_to_cao
from tests.web.support import browser_client, file_located, link_for, log_in

ROW = re.compile(r'<td><a href="/console/records/([A-Z0-9-]+)">')


def listed(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return ROW.findall(page.text)


async def test_scope_filters_and_counts(
    app: App, chat_factory: Callable[..., Chat], clock: Clock
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    leader = await make_official(app, "ct", "VP", "leader", "ông Chủ tịch")
    dan = chat_factory("dan")
    await dan.agree()
    light = await file_located(dan)
    clock.advance(hours=1)
    road = await file_located(dan, "Ổ gà lớn trên đường liên thôn gần cầu", (21.1, 105.9))
    binh = chat_factory("binh")
    await binh.agree()
    to_cao = await file_to_cao(binh)

    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, lan))).status_code == 303
        mine = listed(await browser.get("/console/"))
        assert set(mine) == {light, road}  # KT's records only: not the VP's tố cáo
        # A member cannot widen the scope to another office.
        assert set(listed(await browser.get("/console/?office=VP"))) == {light, road}
        assert listed(await browser.get("/console/", params={"q": "Ổ gà"})) == [road]
        assert listed(await browser.get("/console/", params={"q": "cầu"})) == [road]
        assert listed(await browser.get("/console/", params={"q": light[-6:]})) == [light]
        newest = listed(await browser.get("/console/", params={"sort": "-created"}))
        assert newest == [road, light]
        assert listed(await browser.get("/console/", params={"kind": "to_cao"})) == []
        assert listed(await browser.get("/console/", params={"hamlet": "Thôn 1"})) == []
        assert len(listed(await browser.get("/console/", params={"hamlet": "Thôn 3"}))) == 2
        day = clock.now.date().isoformat()
        assert len(listed(await browser.get("/console/", params={"from": day, "to": day}))) == 2
        old = {"from": "2020-01-01", "to": "2020-01-02"}
        assert listed(await browser.get("/console/", params=old)) == []
        bad = await browser.get("/console/", params={"from": "31/02/2026", "page": "x'"})
        assert len(listed(bad)) == 2
        assert "Ngày không đúng dạng đã được bỏ qua" in bad.text
        assert listed(await browser.get("/console/", params={"due": "overdue"})) == []
        page = await browser.get("/console/")
        assert "Đang mở <b>2</b>" in page.text
        assert "Mới, chờ tiếp nhận <b>2</b>" in page.text

    clock.advance(days=30)
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, leader))).status_code == 303
        everything = listed(await browser.get("/console/"))
        assert set(everything) == {light, road, to_cao}
        assert set(listed(await browser.get("/console/", params={"due": "overdue"}))) == {
            light,
            road,
            to_cao,
        }
        assert set(listed(await browser.get("/console/", params={"office": "VP"}))) == {to_cao}
        assert listed(await browser.get("/console/", params={"kind": "to_cao"})) == [to_cao]
        assert listed(await browser.get("/console/", params={"status": "closed"})) == []
        assert "quá hạn" in (await browser.get("/console/")).text


async def test_an_administrator_works_no_records(app: App) -> None:
    admin = await make_official(app, "qt", "VP", "admin", "Quản trị")
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, admin))).status_code == 303
        page = await browser.get("/console/")
        assert page.status_code == 403
        assert "Tài khoản quản trị chỉ quản lý cán bộ" in page.text
