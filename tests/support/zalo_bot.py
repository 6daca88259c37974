"""The Zalo Bot channel as a person meets it: a citizen typing through the Zalo Bot API
stand-in (tests/zalobot.py), the channel running in polling or webhook mode against it
over real HTTP on 127.0.0.1. Used by tests/zalo_bot/ and tests/server/."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.app import App
from bot.channels.zalo_bot import ZaloBotChannel
from bot.config import Secret
from bot.server.metrics import Metrics
from bot.settings import ZaloBotSettings
from domain.records import OfficialRole
from handlers import invites
from tests.botapi import FakeClock
from tests.botapi_http import serve_app
from tests.support.telegram import db_rows, eventually
from tests.zalobot import ZALO_SECRET, ZALO_TOKEN, ZaloBotStandIn, ZaloSent, zalo_standin_app

ZALO_CITIZEN = "e4ea2cd5189df1c3a88c"
ZALO_OFFICIAL = "0a1b2c3d4e5f60718293"
PUBLIC_URL = "https://bot.example.vn/zalo/bot/webhook"


def zalo_settings(port: int, mode: str = "polling") -> ZaloBotSettings:
    return ZaloBotSettings(
        token_env="DANVAN_TEST_ZALO_TOKEN",  # noqa: S106 (a variable name)
        mode=mode,
        base_url=f"http://127.0.0.1:{port}",
        webhook_url=PUBLIC_URL if mode == "webhook" else None,
        secret_env="DANVAN_TEST_ZALO_SECRET",  # noqa: S106 (a variable name)
        poll_timeout=1,
    )


@asynccontextmanager
async def running_zalo(
    app: App,
    standin: ZaloBotStandIn,
    mode: str,
    clock: FakeClock,
    metrics: Metrics | None = None,
) -> AsyncIterator[ZaloBotChannel]:
    async with serve_app(zalo_standin_app(standin)) as port:
        channel = ZaloBotChannel(
            app,
            zalo_settings(port, mode),
            Secret(ZALO_TOKEN),
            webhook_secret=Secret(ZALO_SECRET),
            metrics=metrics,
            clock=app.dispatcher.clock,
            sender_clock=clock,
            sender_sleep=clock.sleep,
        )
        stopping, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(channel.serve(stopping, ready))
        await asyncio.wait(
            {task, asyncio.create_task(ready.wait())},
            timeout=10,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if task.done():
            await task
        if mode == "webhook":
            standin.webhook_target = f"http://127.0.0.1:{channel.port}/zalo/bot/webhook"
        try:
            yield channel
        finally:
            stopping.set()
            await asyncio.wait_for(task, 10)


class ZaloCitizen:
    """A person in a private Zalo chat with the bot: types text, sends photos, and answers
    a numbered menu by typing the number shown beside a label."""

    def __init__(
        self, standin: ZaloBotStandIn, app: App, mode: str = "polling", user: str = ZALO_CITIZEN
    ) -> None:
        self.standin = standin
        self.app = app
        self.mode = mode
        self.user = user
        self.seen = 0
        self.last: list[ZaloSent] = []

    async def do(self, update: dict[str, Any]) -> list[ZaloSent]:
        if self.mode == "polling":
            await self.standin.push(update)
        else:
            assert await self.standin.deliver(update) == 200
        key = f"{update['event_name']}:{update['message']['message_id']}"
        await self.settled(key)
        return self.take()

    async def settled(self, key: str | None = None) -> None:
        settings = self.app.settings

        def done() -> bool:
            handled = key is None or bool(
                db_rows(
                    settings,
                    "SELECT 1 FROM processed_updates WHERE channel='zalo_bot' AND update_id=?",
                    key,
                )
            )
            pending = db_rows(
                settings, "SELECT 1 FROM outbox WHERE channel='zalo_bot' AND status='pending'"
            )
            return handled and not pending

        await eventually(done, f"update {key} handled and answered")

    def take(self) -> list[ZaloSent]:
        mine = self.standin.to(self.user)
        self.last, self.seen = mine[self.seen :], len(mine)
        return self.last

    async def send(self, text: str) -> list[ZaloSent]:
        return await self.do(self.standin.text_update(self.user, text))

    async def photo(self, url: str, caption: str = "") -> list[ZaloSent]:
        return await self.do(self.standin.image_update(self.user, url, caption))

    async def choose(self, label: str) -> list[ZaloSent]:
        """Type the number the last menu shows beside `label`."""
        for message in reversed(self.standin.to(self.user)):
            if label in message.menu:
                return await self.send(message.menu[label])
        raise AssertionError(f"no choice {label!r} in {self.text!r}")

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.last)


async def kt_invite(app: App) -> str:
    """A one-time code to join the Phòng Kinh tế as a member (for `/thamgia`)."""
    settings = app.settings
    async with app.storage.transaction() as uow:
        invite = await invites.make_invite(
            uow,
            settings,
            settings.communes[0],
            "KT",
            OfficialRole.MEMBER,
            None,
            "test",
            app.dispatcher.clock(),
        )
    return invite.code
