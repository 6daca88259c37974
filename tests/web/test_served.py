"""`danvan run` serves the console even with no chat channel configured (a newcomer tries
it on the demo commune): a real process, real HTTP; a link made by `danvan official
weblink` signs in once."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.test_cli_serve import config_text, danvan_run


async def test_run_serves_the_console_without_chat_channels(tmp_path: Path) -> None:
    config = config_text(tmp_path, telegram_url=None, zalo_url=None)
    async with (
        danvan_run(config) as (port, _lines),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        queue = await client.get("/console/")
        css = await client.get("/console/console.css")
        login = await client.get("/console/login/not-a-token")
        refused = await client.post("/console/login", data={"token": "not-a-token"})
    assert queue.status_code == 401
    assert "Cần đăng nhập" in queue.text
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert login.status_code == 200
    assert "Đăng nhập" in login.text
    assert refused.status_code == 403
