"""The OA under test: the app, the stand-in served on 127.0.0.1, the webhook served on
another port, the inbox worker and the outbox sender, all on the test's fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from functools import partial

import pytest
from starlette.applications import Starlette

from bot.app import App
from bot.channels.zalo_oa.api import Grant, ZaloOaApi
from bot.channels.zalo_oa.sender import ZaloOaSender, ZaloOutboxSender, tell_office_unreachable
from bot.channels.zalo_oa.tokens import TokenKeeper
from bot.channels.zalo_oa.webhook import PATH, InboxWorker, webhook_route
from bot.settings import Secret, ZaloOaSettings
from tests.botapi_http import serve_app
from tests.conftest import Clock
from tests.zalo_oa.standin import APP_ID, APP_SECRET, OA_ID, OA_SECRET, ZaloOaStandIn


def oa_settings(port: int) -> ZaloOaSettings:
    base = f"http://127.0.0.1:{port}"
    return ZaloOaSettings(
        app_id=APP_ID,
        oa_id=OA_ID,
        oa_secret_env="DANVAN_ZALO_OA_SECRET",  # noqa: S106 (a variable's name)
        app_secret_env="DANVAN_ZALO_APP_SECRET",  # noqa: S106 (a variable's name)
        api_base=base,
        oauth_base=base,
        redirect_uri="https://example.invalid/zalo/callback",
        max_event_age_seconds=300,
    )


@dataclass
class Oa:
    app: App
    clock: Clock
    standin: ZaloOaStandIn
    settings: ZaloOaSettings
    api: ZaloOaApi
    tokens: TokenKeeper
    outbox: ZaloOutboxSender
    worker: InboxWorker
    url: str

    async def deliver(self) -> int:
        """Hand the kept events to the core, then send what it queued."""
        handled = await self.worker.drain()
        await self.outbox.drain()
        return handled


@pytest.fixture
def standin(clock: Clock) -> ZaloOaStandIn:
    return ZaloOaStandIn(clock)


@pytest.fixture
async def oa(app: App, clock: Clock, standin: ZaloOaStandIn) -> AsyncIterator[Oa]:
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    async with AsyncExitStack() as stack:
        api_port = await stack.enter_async_context(serve_app(standin.app()))
        settings = oa_settings(api_port)
        api = ZaloOaApi(APP_ID, APP_SECRET, settings.api_base, settings.oauth_base)
        stack.push_async_callback(api.close)
        tokens = TokenKeeper(app.storage, api, OA_ID, clock)
        access, refresh = standin.issue_pair()
        await tokens.store_grant(Grant(access, refresh, 90000))
        sender = ZaloOaSender(app.storage, api, tokens, clock)
        outbox = ZaloOutboxSender(app.storage, sender, app.settings.outbox, clock, sleep)
        outbox.alert = partial(tell_office_unreachable, app.renderer, app.settings)
        worker = InboxWorker(app.storage, app.dispatcher, clock)
        route = webhook_route(app.storage, settings, Secret(OA_SECRET), clock)
        hook_port = await stack.enter_async_context(serve_app(Starlette(routes=[route])))
        yield Oa(
            app,
            clock,
            standin,
            settings,
            api,
            tokens,
            outbox,
            worker,
            f"http://127.0.0.1:{hook_port}{PATH}",
        )
