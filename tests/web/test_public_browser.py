"""Issue 12: the public page in a real browser — headless Chromium driven by Playwright,
launched from Debian's /usr/bin/chromium (no browser download). It opens the page on
seeded data, searches with the form (no JavaScript on the page), and finds the one
matching case with its masked description. With DANVAN_SCREENSHOTS=1 it writes
docs/public-page.png for the README.

Without /usr/bin/chromium the test is skipped with a line on how to install it; with
DANVAN_REQUIRE_BROWSER=1 (CI) it fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.app import App
from bot.server import build_app
from bot.web.public import public_routes
from tests.botapi_http import serve_app
from tests.web.test_public import seed

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "public-page.png"


def need_browser() -> None:
    if CHROMIUM.exists():
        return
    message = (
        "Chromium is missing: install it with `sudo apt-get install chromium` "
        "(Debian/Ubuntu) to run the browser tests"
    )
    if os.environ.get("DANVAN_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


async def test_a_visitor_opens_the_public_page_and_searches(app: App) -> None:
    need_browser()
    from playwright.async_api import async_playwright  # why: only this test drives a browser

    s = await seed(app)
    async with serve_app(build_app(public_routes(app))) as port, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = await browser.new_page(
                viewport={"width": 412, "height": 915}, java_script_enabled=False
            )  # a phone, without JavaScript: the page needs none
            await page.goto(f"http://127.0.0.1:{port}/public/CG/")
            assert (await page.title()).startswith("Trang công khai — ")
            heading = page.get_by_role("heading", name="Thống kê 12 tháng gần nhất")
            assert await heading.is_visible()
            assert await page.locator("article.case").count() >= 10
            if os.environ.get("DANVAN_SCREENSHOTS") == "1":  # the README's, a laptop's width
                await page.set_viewport_size({"width": 960, "height": 900})
                await page.screenshot(path=str(SCREENSHOT), full_page=True)
                await page.set_viewport_size({"width": 412, "height": 915})

            await page.get_by_label("Tìm trong nội dung và câu trả lời").fill("chắn lối vào")
            await page.get_by_role("button", name="Tìm").click()
            await page.wait_for_load_state()
            assert "q=" in page.url
            cases = page.locator("#da-tra-loi article.case")
            assert await cases.count() == 1
            text = await cases.first.inner_text()
            assert s.published in text
            assert "Xe … của ông … đỗ chắn lối vào chợ" in text
            assert "Phạm Văn Dũng" not in await page.content()
            assert await page.get_by_text("Tìm thấy 1 hồ sơ").is_visible()
        finally:
            await browser.close()
