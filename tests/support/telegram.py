"""The Telegram channel as a person meets it: a citizen talking through the Bot API stand-in
(tests/botapi.py), the channel running in polling or webhook mode, and the test's SQLite
rows. Used by tests/telegram/."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from telegram.request import HTTPXRequest

from bot.app import App
from bot.channels.telegram import SECRET_HEADER, BotIdentity, TelegramChannel
from bot.config import Secret, Settings, TelegramSettings
from tests.botapi import BOT_ID, TOKEN, BotApiStandIn, FakeClock, SentMessage
from tests.botapi_http import serve_app, standin_app

CITIZEN = 4242

WEBHOOK_SECRET = "s3cret_Token-for-tests"  # noqa: S105 (a test secret)

ME = BotIdentity(BOT_ID, "danvan_test_bot")


async def eventually(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Wait for something the bot does in the background (a safety limit, not a timing)."""
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for: {what}")


def db_rows(settings: Settings, sql: str, *params: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(settings.storage.sqlite_path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


class Citizen:
    """A person in a private chat, talking through the stand-in."""

    def __init__(
        self,
        standin: BotApiStandIn,
        settings: Settings,
        deliver: Callable[[dict[str, Any]], Awaitable[None]],
        user: int = CITIZEN,
    ) -> None:
        self.standin = standin
        self.settings = settings
        self.deliver = deliver
        self.user = user
        self.seen = 0
        self.last: list[SentMessage] = []

    async def _do(self, update: dict[str, Any]) -> list[SentMessage]:
        await self.deliver(update)
        uid = str(update["update_id"])

        def settled() -> bool:
            done = db_rows(
                self.settings,
                "SELECT 1 FROM processed_updates WHERE channel='telegram' AND update_id=?",
                uid,
            )
            pending = db_rows(self.settings, "SELECT 1 FROM outbox WHERE status='pending'")
            return bool(done) and not pending

        await eventually(settled, f"update {uid} handled and answered")
        mine = self.standin.to(self.user)
        self.last, self.seen = mine[self.seen :], len(mine)
        return self.last

    async def send(self, text: str) -> list[SentMessage]:
        return await self._do(self.standin.message_update(self.user, text=text))

    async def send_fields(self, **fields: Any) -> list[SentMessage]:
        return await self._do(self.standin.message_update(self.user, **fields))

    async def press(self, label: str) -> list[SentMessage]:
        for message in reversed(self.standin.to(self.user)):
            if label in message.inline_buttons:
                return await self._do(self.standin.press_update(self.user, message, label))
            if label in message.keyboard_labels:  # a reply keyboard's key sends its label
                return await self.send(label)
        raise AssertionError(f"no button {label!r}")

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.last)


def telegram_settings(port: int, mode: str = "polling") -> TelegramSettings:
    """Files are downloaded, so the citizen's photo is fetched too."""
    return TelegramSettings(
        token_env="DANVAN_TEST_TOKEN",  # noqa: S106 (a variable name)
        mode=mode,
        base_url=f"http://127.0.0.1:{port}/bot",
        webhook_url="https://bot.example.vn/telegram/hook" if mode == "webhook" else None,
        listen="127.0.0.1",
        port=0,
        secret_env="DANVAN_TEST_SECRET",  # noqa: S106 (a variable name)
        download_files=True,
    )


@asynccontextmanager
async def running(
    app: App, standin: BotApiStandIn, mode: str, clock: FakeClock
) -> AsyncIterator[TelegramChannel]:
    async with serve_app(standin_app(standin, timeout_delay=1.0)) as port:
        channel = TelegramChannel(
            app,
            telegram_settings(port, mode),
            Secret(TOKEN),
            webhook_secret=Secret(WEBHOOK_SECRET),
            request=HTTPXRequest(read_timeout=0.3, connect_timeout=1.0),
            get_updates_request=HTTPXRequest(read_timeout=2.0, connect_timeout=1.0),
            poll_timeout=0.2,
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
        try:
            yield channel
        finally:
            stopping.set()
            await asyncio.wait_for(task, 10)


def deliverer(
    mode: str, standin: BotApiStandIn, channel: TelegramChannel, client: httpx.AsyncClient
) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """How an update reaches the bot: fetched by polling, or posted to the webhook."""

    async def by_polling(update: dict[str, Any]) -> None:
        standin.push(update)

    async def by_webhook(update: dict[str, Any]) -> None:
        url = f"http://127.0.0.1:{channel.port}/telegram/hook"
        answer = await client.post(url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET})
        assert answer.status_code == 200

    return by_polling if mode == "polling" else by_webhook
