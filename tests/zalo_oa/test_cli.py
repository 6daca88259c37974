"""`danvan zalo authorize` as an administrator runs it: a real process, the link it prints
opened (the stand-in issues a code for its PKCE challenge), the callback address pasted."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from storage import SqliteStorage
from tests.botapi_http import serve_app
from tests.conftest import Clock
from tests.zalo_oa.standin import APP_ID, APP_SECRET, OA_ID, ZaloOaStandIn

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp: Path, port: int) -> Path:
    base = f"http://127.0.0.1:{port}"
    config = tmp / "config.toml"
    demo = (ROOT / "bot" / "default_config.toml").read_text("utf-8")
    demo = demo.split("[[communes]]", 1)[1]
    config.write_text(
        f'[storage]\ndata_dir = "{tmp / "data"}"\n\n'
        f"[[communes]]{demo}\n"
        f'[zalo_oa]\napp_id = "{APP_ID}"\noa_id = "{OA_ID}"\n'
        f'api_base = "{base}"\noauth_base = "{base}"\n'
        'redirect_uri = "https://bot.example.vn/zalo/callback"\n',
        "utf-8",
    )
    return config


async def authorize(config: Path, answer: object) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DANVAN_CONFIG"}
    env |= {"PYTHONPATH": str(ROOT), "DANVAN_ZALO_APP_SECRET": APP_SECRET}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "zalo",
        "authorize",
        "--config",
        str(config),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=config.parent,
        env=env,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    intro = (await process.stdout.readline()).decode()
    link = (await process.stdout.readline()).decode().strip()
    assert "Official Account" in intro
    reply = answer(link) if callable(answer) else str(answer)
    out, err = await process.communicate(f"{reply}\n".encode())
    return await process.wait(), link + "\n" + out.decode(), err.decode()


async def test_authorize_exchanges_the_code_and_stores_the_pair(tmp_path: Path) -> None:
    standin = ZaloOaStandIn(Clock())
    async with serve_app(standin.app()) as port:
        config = write_config(tmp_path, port)

        def callback(link: str) -> str:
            query = parse_qs(urlsplit(link).query)
            assert urlsplit(link).path == "/v4/oa/permission"
            assert query["app_id"] == [APP_ID]
            code = standin.authorization_code(query["code_challenge"][0])
            return f"https://bot.example.vn/zalo/callback?code={code}&oa_id={OA_ID}&state={query['state'][0]}"

        status, out, err = await authorize(config, callback)
    assert status == 0, err
    assert "Authorized" in out
    storage = await SqliteStorage.open(tmp_path / "data" / "danvan.sqlite3")
    try:
        async with storage.transaction() as uow:
            pair = await uow.zalo_tokens.get(OA_ID)
    finally:
        await storage.close()
    assert pair is not None
    for secret in (APP_SECRET, pair.access_token, pair.refresh_token):
        assert secret not in out + err
    assert pair.access_token in standin.access_tokens
    assert standin.refresh_tokens[pair.refresh_token] is False


async def test_a_code_for_another_request_is_refused(tmp_path: Path) -> None:
    standin = ZaloOaStandIn(Clock())
    async with serve_app(standin.app()) as port:
        config = write_config(tmp_path, port)
        wrong = standin.authorization_code("another-challenge")
        status, _, err = await authorize(config, wrong)
    assert status == 2
    assert "Zalo refused the code" in err
