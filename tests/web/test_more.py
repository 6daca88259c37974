"""More of the console's edges: what a citizen wrote is shown as text (never as markup),
an upload that is no image is not kept, a member may not take a tố cáo (the chat's rule),
and an office head's overview is their office's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.app import App
from tests.conftest import Chat, make_official, receive
from tests.support.officials import events, file_to_cao, status
from tests.web.support import browser_client, csrf_in, file_located, link_for, log_in, png

HOSTILE = 'Đèn đường ngõ 7 hỏng <script>alert("x")</script> <b>gấp</b>'


async def test_a_citizens_text_is_escaped_and_a_non_image_upload_is_not_kept(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan, HOSTILE)
    await receive(app, "dan")
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, lan))).status_code == 303
        queue = await browser.get("/console/", params={"office": "", "status": "all"})
        case = await browser.get(f"/console/records/{code}")
        for page in (queue.text, case.text):
            assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in case.text
        csrf = csrf_in(case.text)
        data = {"code": code, "csrf": csrf, "action": "take", "version": "0"}
        await browser.post("/console/act", data=data)
        answered = await browser.post(
            "/console/act",
            data={**data, "action": "reply", "version": "1", "note": "Đã sửa xong"},
            files={"photo": ("x.html", b"<html><script>1</script></html>", "image/png")},
        )
        assert answered.status_code == 200
    assert (await status(app, code)) == "answered"
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
        assert record is not None
        kept = await uow.attachments.list_for(record.id)
    assert [a.role for a in kept] == ["citizen"]
    async with app.storage.transaction() as uow:
        assert await uow.files.get(1) is None  # nothing stored for the rejected upload


async def test_a_member_may_not_take_a_denunciation_from_the_web_either(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    member = await make_official(app, "vp1", "VP", "member", "anh Tùng")
    binh = chat_factory("binh")
    await binh.agree()
    code = await file_to_cao(binh)
    before = len(await events(app, code))
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, member))).status_code == 303
        page = await browser.get(f"/console/records/{code}")
        assert 'data-action="take"' not in page.text  # not offered, as on the chat card
        data = {"code": code, "csrf": csrf_in(page.text), "action": "take", "version": "0"}
        refused = await browser.post("/console/act", data=data)
        assert "không có quyền tiếp nhận" in refused.text
    assert (await status(app, code)) == "received"
    assert len(await events(app, code)) == before


async def test_a_heads_overview_is_their_offices(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    head = await make_official(app, "tp", "KT", "head", "anh Trưởng")
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, head))).status_code == 303
        page = await browser.get("/console/dashboard")
        assert page.status_code == 200
        assert "Phòng Kinh tế</a>" in page.text
        assert "Văn phòng HĐND và UBND xã</a>" not in page.text
        assert "Báo cáo tuần đã lưu" not in page.text
        archived = await browser.get("/console/dashboard/digest/2026-W47/x.html")
        assert archived.status_code == 403


async def test_a_transfer_goes_to_the_office_chosen_and_it_hears(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    await make_official(app, "hoa", "VHXH", "member", "chị Hoa")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan)
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, lan))).status_code == 303
        csrf = csrf_in((await browser.get(f"/console/records/{code}")).text)
        data = {"code": code, "csrf": csrf, "action": "transfer", "version": "0"}
        wrong = await browser.post("/console/act", data={**data, "office": "XX", "note": "Sai"})
        assert wrong.status_code == 200
        assert (await status(app, code)) == "received"
        moved = await browser.post(
            "/console/act", data={**data, "office": "VHXH", "note": "Việc của văn hóa"}
        )
        assert moved.status_code == 200
        assert "không còn thuộc phần việc của anh/chị" in moved.text
    assert (await status(app, code)) == "transferred"
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
    assert record is not None
    assert record.office_code == "VHXH"
    told = await receive(app, "hoa")
    assert any(code in r.text for r in told)


async def test_copies_are_read_from_storage_or_the_download_folder_and_nowhere_else(
    app: App, chat_factory: Callable[..., Chat], tmp_path: Path
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan)
    now = app.dispatcher.clock()
    outside = tmp_path / "outside.png"
    outside.write_bytes(png())
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
        assert record is not None
        (photo,) = await uow.attachments.list_for(record.id)
        stored = await uow.files.put("anh.png", png(8, 8), now)
        await uow.attachments.save_file(photo.id, now, path=f"db:{stored}", size=1)
    async with browser_client(app) as browser:
        assert (await log_in(browser, await link_for(app, lan))).status_code == 303
        got = await browser.get(f"/console/records/{code}/files/{photo.id}")
        assert got.status_code == 200
        assert got.content == png(8, 8)
        async with app.storage.transaction() as uow:
            await uow.attachments.save_file(photo.id, now, path=str(outside), size=1)
        refused = await browser.get(f"/console/records/{code}/files/{photo.id}")
        assert refused.status_code == 404
        assert "chưa được tải về máy chủ" in refused.text
