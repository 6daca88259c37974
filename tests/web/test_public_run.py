"""Issue 12: `danvan run` (a real process) serves the public page even with no chat
channel configured, on the demo commune."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.test_cli_serve import config_text, danvan_run


async def test_danvan_run_without_chat_channels_serves_the_public_page(tmp_path: Path) -> None:
    config = config_text(tmp_path, telegram_url=None, zalo_url=None)
    async with (
        danvan_run(config) as (port, _lines),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        page = await client.get("/public/CG/")
        stats = await client.get("/public/CG/stats.json")
        guides = await client.get("/public/CG/huong-dan/")
        unknown = await client.get("/public/ZZ/")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "public, max-age=300"
    assert "Trang công khai của" in page.text
    assert stats.json()["total"]["received"] == 0
    assert guides.status_code == 200
    assert unknown.status_code == 404
