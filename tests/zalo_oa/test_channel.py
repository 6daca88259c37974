"""The OA channel as `danvan run` wires it: the route and worker together over HTTP, the
administrators told in their chat when a refresh fails, and what `/healthz` reads."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
from starlette.applications import Starlette

from bot.app import App
from bot.channels.zalo_oa.api import Grant
from bot.channels.zalo_oa.channel import ZaloOaChannel
from bot.channels.zalo_oa.tokens import NotAuthorized
from bot.config import ConfigError
from domain.messages import plain_text
from tests.botapi_http import serve_app
from tests.conftest import Clock, make_official, receive
from tests.zalo_oa.conftest import oa_settings
from tests.zalo_oa.standin import APP_SECRET, OA_SECRET, ZaloOaStandIn, emit, event

ENV = {"DANVAN_ZALO_OA_SECRET": OA_SECRET, "DANVAN_ZALO_APP_SECRET": APP_SECRET}


def test_a_missing_secret_names_its_variable(app: App) -> None:
    with pytest.raises(ConfigError, match="DANVAN_ZALO_OA_SECRET"):
        ZaloOaChannel.open(app, oa_settings(1), {"DANVAN_ZALO_APP_SECRET": "x"})


async def test_the_running_channel_answers_and_reports_its_health(app: App, clock: Clock) -> None:
    standin = ZaloOaStandIn(clock)
    admin = await make_official(app, "boss", "VP", "admin", "Quản trị")
    async with serve_app(standin.app()) as api_port:
        channel = ZaloOaChannel.open(app, oa_settings(api_port), ENV, clock)
        assert (await channel.health())["authorization"] == "missing"
        await channel.tokens.store_grant(Grant(*standin.issue_pair(), 90000))
        async with serve_app(Starlette(routes=[channel.route()])) as port:
            stopping = asyncio.Event()
            running = asyncio.create_task(channel.run(stopping))
            try:
                url = f"http://127.0.0.1:{port}/zalo/oa/webhook"
                assert (
                    await emit(url, event(standin, "user_send_text", "z9", text="chào"))
                ).status_code == 200
                for _ in range(500):  # bounded: the worker and sender run as in production
                    if standin.texts_to("z9"):
                        break
                    await asyncio.sleep(0.01)
                assert standin.texts_to("z9")
                health = await channel.health()
                assert health["ok"] is True
                assert health["inbox_pending"] == 0
            finally:
                stopping.set()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
        # A refresh Zalo refuses: the row says so, /healthz says so, the admins hear it.
        standin.refresh_tokens.clear()
        clock.advance(hours=25)
        channel = ZaloOaChannel.open(app, oa_settings(api_port), ENV, clock)
        with pytest.raises(NotAuthorized):
            await channel.tokens.access_token()
        await channel.api.close()
    health = await channel.health()
    assert (health["ok"], health["authorization"]) == (False, "refresh failed")
    assert health["token_age_seconds"] >= timedelta(hours=25).total_seconds()
    told = await receive(app, admin.user)
    assert "danvan zalo authorize" in plain_text(told[-1].text)
