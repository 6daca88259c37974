"""The case page and its steps: what /xem shows plus the photos and the map, the steps
through the chat's own functions (the citizen hears in chat, the event says "web"), and
every refusal — no CSRF token, a stale form, another office's record, a file without a
session — with nothing changed."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from bot.app import App
from domain.messages import plain_text
from tests.conftest import Chat, OfficialChat, make_official, receive
from tests.support.officials import events, file_to_cao, status
from tests.web.support import (
    LAT,
    LON,
    PHOTO_SIZE,
    browser_client,
    csrf_in,
    file_located,
    keep_local_copies,
    link_for,
    log_in,
    png,
)


async def signed_in(app: App, official: OfficialChat, browser: httpx.AsyncClient) -> None:
    assert (await log_in(browser, await link_for(app, official))).status_code == 303


def step(code: str, csrf: str, action: str, version: int, **fields: str) -> dict[str, str]:
    return {"code": code, "csrf": csrf, "action": action, "version": str(version), **fields}


async def test_the_case_page_shows_the_record_its_photo_and_its_map(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan)
    (photo,) = await keep_local_copies(app, code, app.dispatcher.clock())
    async with browser_client(app) as browser:
        await signed_in(app, lan, browser)
        page = await browser.get(f"/console/records/{code}")
        assert page.status_code == 200
        html = page.text
        for shown in (code, "Phản ánh", "Đèn đường ngõ 7 hỏng hai tuần nay", "Thôn 3"):
            assert shown in html
        assert "Nguyễn Văn An, 0912345678" in html  # a phản ánh's contact: the office sees it
        assert "Mới, chờ tiếp nhận" in html
        assert f'src="/console/records/{code}/files/{photo}"' in html
        assert f"mlat={LAT}&amp;mlon={LON}" in html
        assert "Mở bản đồ" in html
        assert "Hồ sơ được gửi, chờ cán bộ tiếp nhận" in html  # the history
        image = await browser.get(f"/console/records/{code}/files/{photo}")
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/png"
        assert image.content == png(*PHOTO_SIZE, (70, 110, 160))
        assert "no-store" in image.headers["cache-control"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    async with browser_client(app) as stranger:
        assert (await stranger.get(f"/console/records/{code}/files/{photo}")).status_code == 401


async def test_steps_go_through_the_chat_and_the_citizen_hears(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan)
    await receive(app, "dan")
    async with browser_client(app) as browser:
        await signed_in(app, lan, browser)
        page = await browser.get(f"/console/records/{code}")
        csrf = csrf_in(page.text)
        taken = await browser.post("/console/act", data=step(code, csrf, "take", 0))
        assert taken.status_code == 200
        assert "Đã tiếp nhận" in taken.text
        assert (await status(app, code)) == "accepted"
        answer = "Đã thay bóng đèn ngõ 7 sáng nay."
        answered = await browser.post(
            "/console/act",
            data=step(code, csrf, "reply", 1, note=answer),
            files={"photo": ("ketqua.png", png(rgb=(20, 160, 20)), "image/png")},
        )
        assert answered.status_code == 200
        assert (await status(app, code)) == "answered"
        assert answer in answered.text
        assert "(trang quản lý)" in answered.text
    told = await receive(app, "dan")
    (answer_reply,) = [r for r in told if answer in plain_text(r.text)]
    # The result photo goes with the answer, as a stored file any process can send.
    stored = answer_reply.extra["photo"]
    assert stored.startswith("db:")
    async with app.storage.transaction() as uow:
        shared = await uow.files.get(int(stored.removeprefix("db:")))
    assert shared is not None
    assert shared[1] == png(rgb=(20, 160, 20))
    rows = await events(app, code)
    assert [r["action"] for r in rows][-2:] == ["accepted", "answered"]
    assert [r["channel"] for r in rows][-2:] == ["web", "web"]
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
        assert record is not None
        kept = await uow.attachments.list_for(record.id)
        result = [a for a in kept if a.role == "result"]
        assert [(a.kind, a.channel) for a in result] == [("photo", "web")]
        path, _ = await uow.attachments.get_file(result[0].id)
    assert path is not None
    assert path.startswith("db:")  # any process can read it (shared_files)
    async with browser_client(app) as browser:
        await signed_in(app, lan, browser)
        shown = await browser.get(f"/console/records/{code}/files/{result[0].id}")
        assert shown.content == png(rgb=(20, 160, 20))


async def test_a_post_without_csrf_or_with_a_stale_version_changes_nothing(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan)
    await receive(app, "dan")
    before = len(await events(app, code))
    async with browser_client(app) as browser:
        await signed_in(app, lan, browser)
        csrf = csrf_in((await browser.get(f"/console/records/{code}")).text)
        for sent in ({}, {"csrf": "not-the-token"}):
            data = {k: v for k, v in step(code, csrf, "take", 0).items() if k != "csrf"}
            refused = await browser.post("/console/act", data={**data, **sent})
            assert refused.status_code == 403
            assert "không có thay đổi nào" in refused.text
        note = await browser.post("/console/notes", data={"code": code, "text": "x"})
        assert note.status_code == 403
        stale = await browser.post("/console/act", data=step(code, csrf, "take", 7))
        assert f"Hồ sơ {code} đã có người xử lý hoặc vừa thay đổi" in stale.text
    assert (await status(app, code)) == "received"
    assert len(await events(app, code)) == before
    assert await receive(app, "dan") == []


async def test_another_offices_record_is_not_found_and_nothing_changes(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    await make_official(app, "lan", "KT", "member", "chị Lan")
    hoa = await make_official(app, "hoa", "VHXH", "member", "chị Hoa")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan)
    (photo,) = await keep_local_copies(app, code, app.dispatcher.clock())
    async with browser_client(app) as browser:
        await signed_in(app, hoa, browser)
        queue = await browser.get("/console/")
        assert code not in queue.text
        for path in (f"/console/records/{code}", f"/console/records/{code}/files/{photo}"):
            answer = await browser.get(path)
            assert answer.status_code == 404, path
            assert "Không tìm thấy hồ sơ" in answer.text
        csrf = csrf_in(queue.text)
        act = await browser.post("/console/act", data=step(code, csrf, "take", 0))
        assert act.status_code == 404
        note = await browser.post("/console/notes", data={"code": code, "csrf": csrf, "text": "x"})
        assert note.status_code == 404
    assert (await status(app, code)) == "received"


async def test_a_denouncers_identity_follows_the_chats_rule(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    member = await make_official(app, "vp1", "VP", "member", "anh Tùng")
    leader = await make_official(app, "ct", "VP", "leader", "ông Chủ tịch")
    binh = chat_factory("binh")
    await binh.agree()
    code = await file_to_cao(binh)
    async with browser_client(app) as browser:
        await signed_in(app, member, browser)
        page = await browser.get(f"/console/records/{code}")
        assert page.status_code == 200
        assert "được giữ bí mật theo Luật Tố cáo" in page.text
        assert "Trần Văn Bình" not in page.text
        assert "0987654321" not in page.text
    async with browser_client(app) as browser:
        await signed_in(app, leader, browser)
        page = await browser.get(f"/console/records/{code}")
        assert "Trần Văn Bình" in page.text


async def test_internal_notes_are_kept_for_officials_only(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan)
    await receive(app, "dan")
    async with browser_client(app) as browser:
        await signed_in(app, lan, browser)
        csrf = csrf_in((await browser.get(f"/console/records/{code}")).text)
        saved = await browser.post(
            "/console/notes", data={"code": code, "csrf": csrf, "text": "Đã gọi điện cho đội điện"}
        )
        assert saved.status_code == 303
        page = await browser.get(f"/console/records/{code}")
        assert "chị Lan: Đã gọi điện cho đội điện" in page.text
    assert await receive(app, "dan") == []
    await dan.send(f"/tracuu {code}")
    assert "đội điện" not in dan.text
