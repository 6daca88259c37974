"""The OA channel wired: what `danvan run` (and its one web server) needs from it.

`ZaloOaChannel.open(app, settings)` reads the secrets, builds the API client, the token
keeper, the sender and the inbox worker; `route()` is the webhook to mount at
`/zalo/oa/webhook`; `run(stopping)` runs the inbox worker and the outbox sender until
`stopping` is set; `health()` says whether the token is usable (for `/healthz`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.channels.zalo_oa.api import ZaloOaApi
from bot.channels.zalo_oa.sender import ZaloOaSender, ZaloOutboxSender, tell_office_unreachable
from bot.channels.zalo_oa.tokens import TokenKeeper
from bot.channels.zalo_oa.webhook import InboxWorker, webhook_route
from bot.settings import Secret, ZaloOaSettings
from domain.messages import Priority, Reply
from domain.records import OfficialRole

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ZaloOaChannel:
    def __init__(
        self,
        app: App,
        settings: ZaloOaSettings,
        oa_secret: Secret,
        app_secret: Secret,
        clock: Clock = _utcnow,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.oa_secret = oa_secret
        self.clock = clock
        self.api = ZaloOaApi(
            settings.app_id, app_secret.reveal(), settings.api_base, settings.oauth_base, transport
        )
        self.tokens = TokenKeeper(
            app.storage, self.api, settings.oa_id, clock, on_failure=self.tell_admins
        )
        self.sender = ZaloOaSender(app.storage, self.api, self.tokens, clock)
        self.outbox = ZaloOutboxSender(app.storage, self.sender, app.settings.outbox, clock)
        self.outbox.alert = partial(tell_office_unreachable, app.renderer, app.settings)
        self.worker = InboxWorker(app.storage, app.dispatcher, clock)
        self._running: asyncio.Task[None] | None = None

    @classmethod
    def open(
        cls,
        app: App,
        settings: ZaloOaSettings,
        environ: Mapping[str, str] = os.environ,
        clock: Clock = _utcnow,
    ) -> ZaloOaChannel:
        """Raises `ConfigError` naming the variable when a secret is missing."""
        return cls(app, settings, settings.oa_secret(environ), settings.app_secret(environ), clock)

    def route(self) -> Route:
        return webhook_route(
            self.app.storage, self.settings, self.oa_secret, self.clock, self._stored
        )

    def _stored(self) -> None:
        self.worker.wake()

    async def run(self, stopping: asyncio.Event) -> None:
        try:
            await asyncio.gather(self.worker.run(stopping), self.outbox.run(stopping))
        finally:
            await self.api.close()

    # --- as a channel of `danvan run` (bot/cli/serve.py) --------------------------------

    def web_routes(self) -> list[BaseRoute]:
        return [self.route()]

    def sender_alive(self) -> bool:
        return self._running is not None and not self._running.done()

    async def serve(
        self, stopping: asyncio.Event, ready: asyncio.Event | None = None, *, own_server: bool
    ) -> None:
        """The inbox worker and the outbox sender until `stopping`; the webhook route is
        served by the one web server (`own_server` is False there; the OA has no server of
        its own)."""
        self._running = asyncio.current_task()
        if ready is not None:
            ready.set()
        await self.run(stopping)

    async def tell_admins(self, error: str) -> None:
        """A refresh failed: every administrator hears it in their own chat (/healthz
        shows it through `health`)."""
        text = self.app.renderer.render("zalo_token_failed", error=error)
        now = self.clock()
        async with self.app.storage.transaction() as uow:
            admins = [o for o in await uow.officials.list_active() if o.role is OfficialRole.ADMIN]
            for admin in admins:
                reply = Reply(
                    admin.channel, admin.external_id, text, priority=Priority.NOTIFICATION
                )
                await uow.outbox.enqueue(reply, now)

    async def health(self) -> dict[str, Any]:
        """For `/healthz`: the token's age and whether the last refresh failed."""
        pair = await self.tokens.current()
        async with self.app.storage.transaction() as uow:
            backlog = await uow.zalo_inbox.count_pending()
        if pair is None:
            return {"ok": False, "authorization": "missing", "inbox_pending": backlog}
        failed = pair.failed_at is not None
        return {
            "ok": not failed and pair.expires_at > self.clock(),
            "authorization": "refresh failed" if failed else "ok",
            "token_age_seconds": int((self.clock() - pair.refreshed_at).total_seconds()),
            "inbox_pending": backlog,
        }
