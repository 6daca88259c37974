"""`danvan run` as one process: Telegram and the Zalo Bot polling beside the one web
server, /healthz and /metrics over HTTP; and the server alone when no chat channel is
configured. Each run is a real subprocess stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from tests.botapi import TOKEN, BotApiStandIn, FakeClock
from tests.botapi_http import serve_app, standin_app
from tests.conftest import T0
from tests.support.telegram import WEBHOOK_SECRET
from tests.test_cli_telegram import EXAMPLE, ROOT, clean_env
from tests.zalobot import ZALO_SECRET, ZALO_TOKEN, ZaloBotStandIn, zalo_standin_app

LISTENING = re.compile(rb"server: listening on 127\.0\.0\.1:(\d+)")


def config_text(
    tmp: Path,
    *,
    telegram_url: str | None,
    zalo_url: str | None,
    webhooks: bool = False,
    zalo_oa: bool = False,
) -> Path:
    text = EXAMPLE.replace('data_dir = "data"', f'data_dir = "{tmp / "data"}"')
    if not zalo_oa:
        text = re.sub(r"\n# The Zalo Official Account.*?(?=\n# Pacing)", "", text, flags=re.DOTALL)
    if webhooks:
        text = text.replace('mode = "polling"', 'mode = "webhook"')
        text = text.replace('\nurl = ""', '\nurl = "https://bot.example.vn/telegram/webhook"', 1)
        text = text.replace('\nurl = ""', '\nurl = "https://bot.example.vn/zalo/bot/webhook"', 1)
    text = text.replace("port = 8080\nmax_body_kb", "port = 0\nmax_body_kb")
    if telegram_url is None:
        text = re.sub(r"\[telegram\].*?(?=\n# The one web server)", "", text, flags=re.DOTALL)
    else:
        text = text.replace('base_url = ""', f'base_url = "{telegram_url}"', 1)
    if zalo_url is None:
        text = re.sub(
            r"\[zalo_bot\].*?(?=\n# The Zalo Official Account|\n# Pacing)",
            "",
            text,
            flags=re.DOTALL,
        )
    else:
        text = text.replace('"https://bot-api.zaloplatforms.com"', f'"{zalo_url}"')
    path = tmp / "config.toml"
    path.write_text(text, "utf-8")
    return path


@asynccontextmanager
async def danvan_run(config: Path) -> AsyncIterator[tuple[int, list[bytes]]]:
    """Start `danvan run`; yields the server's port and the stderr lines read so far."""
    env = {
        **clean_env(),
        "DANVAN_TELEGRAM_TOKEN": TOKEN,
        "DANVAN_ZALO_BOT_TOKEN": ZALO_TOKEN,
        "DANVAN_TELEGRAM_SECRET": WEBHOOK_SECRET,
        "DANVAN_ZALO_BOT_SECRET": ZALO_SECRET,
        "DANVAN_ZALO_OA_SECRET": "oa-secret-for-tests",
        "DANVAN_ZALO_APP_SECRET": "app-secret-for-tests",
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "--config",
        str(config),
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    lines: list[bytes] = []
    try:
        port = None
        while port is None:
            line = await asyncio.wait_for(process.stderr.readline(), 30)
            assert line, b"".join(lines).decode()
            lines.append(line)
            found = LISTENING.search(line)
            port = int(found.group(1)) if found else None
        yield port, lines
        process.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(process.stderr.read(), 20)
        lines.append(rest)
        assert await process.wait() == 0, b"".join(lines).decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_one_run_serves_telegram_and_zalo_bot_with_health_and_metrics(
    tmp_path: Path,
) -> None:
    telegram, zalo = BotApiStandIn(clock=FakeClock(T0)), ZaloBotStandIn()
    async with (
        serve_app(standin_app(telegram, timeout_delay=0.5)) as tg_port,
        serve_app(zalo_standin_app(zalo)) as zalo_port,
    ):
        config = config_text(
            tmp_path,
            telegram_url=f"http://127.0.0.1:{tg_port}/bot",
            zalo_url=f"http://127.0.0.1:{zalo_port}",
        )
        async with danvan_run(config) as (port, lines):
            telegram.push(telegram.message_update(31337, text="/start"))
            await zalo.push(zalo.text_update("e4ea2cd5189df1c3a88c", "/start"))
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                for _ in range(1500):
                    if telegram.to(31337) and zalo.to("e4ea2cd5189df1c3a88c"):
                        break
                    await asyncio.sleep(0.01)
                assert telegram.to(31337), "Telegram was not answered"
                assert zalo.to("e4ea2cd5189df1c3a88c"), "Zalo was not answered"
                health = await client.get("/healthz")
                metrics = (await client.get("/metrics")).text
                missing = await client.post("/zalo/bot/webhook", json={})
    assert health.status_code == 200, health.text
    assert health.json()["senders"] == {"telegram": "alive", "zalo_bot": "alive"}
    assert 'danvan_updates_total{channel="telegram",outcome="handled"} 1.0' in metrics
    assert 'danvan_updates_total{channel="zalo_bot",outcome="handled"} 1.0' in metrics
    assert missing.status_code in (404, 405)  # polling: no webhook route is served
    log = b"".join(lines).decode()
    assert ZALO_TOKEN not in log
    assert ZALO_TOKEN.split(":", 1)[1] not in log
    assert TOKEN not in log
    assert "zalo_bot: stopping" in log
    assert "telegram: stopping" in log


async def test_run_without_chat_channels_serves_health_metrics_open311(tmp_path: Path) -> None:
    config = config_text(tmp_path, telegram_url=None, zalo_url=None)
    async with danvan_run(config) as (port, lines):
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
        try:
            health = await client.get("/healthz")
            metrics = await client.get("/metrics")
            services = await client.get("/open311/v2/services.json")
        finally:
            await client.aclose()
    assert health.status_code == 200
    assert health.json()["senders"] == {}
    assert services.status_code == 200  # Open311 is served without any chat channel
    assert any(s["service_code"] == "chieu_sang" for s in services.json())
    assert "danvan_outbox_oldest_pending_seconds" in metrics.text
    assert "no chat channel configured" in b"".join(lines).decode()


async def test_one_run_serves_both_webhooks_on_one_port(tmp_path: Path) -> None:
    telegram, zalo = BotApiStandIn(clock=FakeClock(T0)), ZaloBotStandIn()
    async with (
        serve_app(standin_app(telegram, timeout_delay=0.5)) as tg_port,
        serve_app(zalo_standin_app(zalo)) as zalo_port,
    ):
        config = config_text(
            tmp_path,
            telegram_url=f"http://127.0.0.1:{tg_port}/bot",
            zalo_url=f"http://127.0.0.1:{zalo_port}",
            webhooks=True,
        )
        async with danvan_run(config) as (port, _lines):
            base = f"http://127.0.0.1:{port}"
            zalo.webhook_target = f"{base}/zalo/bot/webhook"
            async with httpx.AsyncClient(base_url=base) as client:
                tg = await client.post(
                    "/telegram/webhook",
                    json=telegram.message_update(31337, text="/start"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
                )
                assert tg.status_code == 200
                assert await zalo.deliver(zalo.text_update("e4ea2cd5189df1c3a88c", "/start")) == 200
                for _ in range(1500):
                    if telegram.to(31337) and zalo.to("e4ea2cd5189df1c3a88c"):
                        break
                    await asyncio.sleep(0.01)
                slot = await client.post("/zalo/oa/webhook", json={})
    assert telegram.to(31337)
    assert zalo.to("e4ea2cd5189df1c3a88c")
    assert telegram.methods("setWebhook")[0]["url"] == "https://bot.example.vn/telegram/webhook"
    assert zalo.webhook_url == "https://bot.example.vn/zalo/bot/webhook"
    assert slot.status_code == 404  # the Zalo OA channel is not configured here


async def test_the_zalo_oa_webhook_is_a_route_of_the_same_server(tmp_path: Path) -> None:
    config = config_text(tmp_path, telegram_url=None, zalo_url=None, zalo_oa=True)
    async with (
        danvan_run(config) as (port, _lines),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client,
    ):
        event = {"event_name": "follow", "timestamp": "1764633600000"}
        unsigned = await client.post("/zalo/oa/webhook", json=event)
        health = await client.get("/healthz")
    assert unsigned.status_code == 401  # mounted, and it checks the signature first
    assert "zalo_oa" in health.json()["senders"]
    # not yet authorized (`danvan zalo authorize`): the OA cannot send, and /healthz says so
    assert health.status_code == 503
    assert health.json()["channels"]["zalo_oa"]["authorization"] == "missing"
    assert "zalo_oa: missing" in health.json()["problems"]
