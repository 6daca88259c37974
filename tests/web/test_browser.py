"""The console in a real browser: headless Chromium (Debian's /usr/bin/chromium, no browser
download) driven by Playwright against the console served by uvicorn on 127.0.0.1.

An official signs in through a one-time link, filters the queue, opens a case, sees its
photo and its map link, answers it with a photo of the result (the citizen receives the
answer in chat, through the outbox), and exports the queue as XLSX, read back here. With
`DANVAN_SCREENSHOTS=1` the run writes docs/console-queue.png and docs/console-case.png
(the README shows them).

Without Chromium the test is skipped with the line that installs it; with
`DANVAN_REQUIRE_BROWSER=1` (CI) it fails instead.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import App
from bot.server import build_app
from bot.web.console import ACT_MAX_BODY, ACT_PATH, routes
from domain import lifecycle
from domain.messages import plain_text
from handlers.officials.weblink import make_link
from tests.botapi_http import serve_app
from tests.conftest import Chat, make_official, receive
from tests.support.officials import file_to_cao
from tests.web.support import LAT, LON, PHOTO_SIZE, console_of, file_located, keep_local_copies, png

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs"
ANSWER = "Đội điện đã thay bóng đèn ngõ 7 sáng nay. Xin cảm ơn bác đã báo."


def chromium_or_skip() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = "Chromium is missing: install it with `sudo apt-get install -y chromium`"
    if os.environ.get("DANVAN_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (DANVAN_REQUIRE_BROWSER=1)")
    pytest.skip(message)


async def test_an_official_works_a_case_in_the_browser(
    app: App, chat_factory: Callable[..., Chat], tmp_path: Path
) -> None:
    executable = chromium_or_skip()
    from playwright.async_api import async_playwright  # why: only when Chromium is here

    await make_official(app, "lan", "KT", "member", "chị Lan")
    dan = chat_factory("dan")
    await dan.agree()
    code = await file_located(dan)
    await keep_local_copies(app, code, app.dispatcher.clock())
    for user, text, at in (
        ("lien", "Ổ gà lớn trên đường liên thôn gần cầu Đông", (21.10, 105.90)),
        ("hoa", "Cột điện chiếu sáng nghiêng trước trường tiểu học", (21.05, 105.85)),
    ):
        other = chat_factory(user)
        await other.agree()
        await file_located(other, text, at)
    binh = chat_factory("binh")
    await binh.agree()
    await file_to_cao(binh)
    await receive(app, "dan")
    async with app.storage.transaction() as uow:
        kt = {r.code for r in await uow.records.list_open("CG", "KT", lifecycle.OPEN, 50)}
    assert code in kt
    screenshots = os.environ.get("DANVAN_SCREENSHOTS") == "1"

    web = build_app(routes(console_of(app)), body_limits={ACT_PATH: ACT_MAX_BODY})
    async with serve_app(web) as port, async_playwright() as pw:
        base = f"http://127.0.0.1:{port}"
        async with app.storage.transaction() as uow:
            official = await uow.officials.get("test", "lan")
            assert official is not None
            link = await make_link(uow, official, base + "/console/", app.dispatcher.clock())
        browser = await pw.chromium.launch(
            executable_path=str(executable), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = await browser.new_page(viewport={"width": 1200, "height": 900}, locale="vi-VN")
            await page.goto(link, wait_until="domcontentloaded")
            await page.click("#login")
            await page.wait_for_url(base + "/console/")
            assert "Hàng đợi hồ sơ" in await page.inner_text("h1")
            assert await page.locator("table.queue tbody tr").count() == len(kt)
            if screenshots:
                await page.screenshot(path=str(DOCS / "console-queue.png"), full_page=True)

            await page.fill("input[name=q]", "đèn đường")
            await page.click("#filters button[type=submit]")
            await page.wait_for_url("**q=*")
            rows = page.locator("table.queue tbody tr")
            assert await rows.count() == 1
            await page.click(f"a[href='/console/records/{code}']")
            await page.wait_for_url(f"**/console/records/{code}")
            image = page.locator("#files img").first
            await image.wait_for()
            width = await image.evaluate("img => img.complete ? img.naturalWidth : 0")
            assert width == PHOTO_SIZE[0]  # the record's photo, served to the signed-in official
            href = await page.get_attribute("#map-link", "href")
            assert href is not None
            assert f"mlat={LAT}" in href
            assert f"mlon={LON}" in href
            if screenshots:
                await page.screenshot(path=str(DOCS / "console-case.png"), full_page=True)

            await page.click("form.step[data-action=take] button[type=submit]")
            await page.wait_for_selector(".flash")
            await page.click("summary:has-text('Trả lời')")
            reply = page.locator("form.step[data-action=reply]")
            await reply.locator("textarea[name=note]").fill(ANSWER)
            photo = tmp_path / "ketqua.png"
            photo.write_bytes(png(rgb=(10, 150, 10)))
            await reply.locator("input[name=photo]").set_input_files(str(photo))
            await reply.locator("button[type=submit]").click()
            await page.wait_for_selector("#status:has-text('Đã trả lời')")
            assert "Đã trả lời, chờ người gửi đánh giá" in await page.inner_text("#status")
            assert ANSWER in await page.inner_text("#history")
            assert await page.locator("#files img").count() == 2  # the result photo too

            await page.goto(base + "/console/?status=all", wait_until="domcontentloaded")
            async with page.expect_download() as waiting:
                await page.click("#export-xlsx")
            download = await waiting.value
            saved = tmp_path / "export.xlsx"
            await download.save_as(saved)
        finally:
            await browser.close()

    told = await receive(app, "dan")
    assert any(ANSWER in plain_text(r.text) for r in told), [r.text for r in told]
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Mã hồ sơ", "Loại", "Tình trạng"]
    by_code = {row[0]: row for row in values[1:]}
    assert set(by_code) == kt  # KT's records: not the VP's tố cáo
    assert by_code[code][2] == "Đã trả lời, chờ người gửi đánh giá"
    assert str(by_code[code][9]).startswith("NG-")  # pseudonymised: no identity asked for
    assert "Nguyễn Văn An" not in {str(v) for row in values for v in row}
