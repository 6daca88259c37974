"""`ZaloBotChannel`: the Zalo Bot Platform in polling or webhook mode, with its outbox
sender, until stopped.

Polling: one `getUpdates` call at a time; an idle poll (408) simply asks again, an error
backs off (1 s doubling to 30 s). Each fetched update is kept in storage before its turn,
and what a crash left is replayed at start (bot/channels/zalo_bot/inbox.py). A webhook
left registered is removed first, since `getUpdates` does not work while one is set.
Webhook: the route `/zalo/bot/webhook` on the one web server; the `X-Bot-Api-Secret-Token`
header is compared in constant time before the body is read (401 otherwise), the body must
be a JSON update (400 otherwise), and the update is handled before answering 200, so a
crash or a storage failure (500) leaves Zalo to deliver it again, which the
processed-update mark makes harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.channels.menus import ChatMenus
from bot.channels.zalo_bot.client import ZaloBotClient, ZaloBotError
from bot.channels.zalo_bot.inbound import BadUpdate, chat_of, inbound_from_update, unwrap
from bot.channels.zalo_bot.inbox import PolledInbox
from bot.channels.zalo_bot.sender import ZaloBotSender
from bot.outbox import OutboxSender, Sleep
from bot.server.app import WebServer, build_app
from bot.server.limits import BadBody, read_json_object
from bot.server.metrics import IGNORED, CountingSender, Metrics
from bot.settings import Secret, ZaloBotSettings

log = logging.getLogger(__name__)

CHANNEL = "zalo_bot"
PATH = "/zalo/bot/webhook"
SECRET_HEADER = "X-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
SHUTDOWN_FLUSH_SECONDS = 5.0
BACKOFF_MAX_SECONDS = 30.0

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ZaloBotChannel:
    def __init__(
        self,
        app: App,
        settings: ZaloBotSettings,
        token: Secret,
        *,
        webhook_secret: Secret | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        metrics: Metrics | None = None,
        clock: Clock = _utcnow,
        sender_clock: Clock = _utcnow,
        sender_sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.app = app
        self.settings = settings
        self.webhook_secret = webhook_secret
        self.metrics = metrics or Metrics()
        self.clock = clock
        self.client = ZaloBotClient(token, settings.base_url, transport=transport)
        self.menus = ChatMenus()
        self.inbox = PolledInbox(app.storage, clock)
        self.zalo_sender = ZaloBotSender(self.client, app.renderer, self.menus)
        self.sender = OutboxSender(
            app.storage,
            CountingSender(self.zalo_sender, self.metrics),
            app.settings.outbox,
            clock=sender_clock,
            sleep=sender_sleep,
        )
        self._sender_task: asyncio.Task[None] | None = None
        self.port: int | None = None  # the own server's port (webhook mode, tests)

    # --- updates -----------------------------------------------------------------------

    async def handle_update(self, update: dict[str, Any]) -> None:
        """One update into the core; raises `BadUpdate` for what is not one."""
        with self.metrics.update(CHANNEL) as outcome:
            update = unwrap(update)
            chat_id, is_group = chat_of(update)
            if is_group:
                self.zalo_sender.groups.add(chat_id)
            menu = self.menus.of(chat_id)
            inbound = inbound_from_update(update, self.clock(), menu)
            if inbound is None:
                outcome[0] = IGNORED
                return
            menu.start()  # the answer to this message numbers its choices afresh
            await self.app.dispatcher.handle(inbound)
        self.sender.wake()

    async def handle_webhook(self, request: Request) -> Response:
        expected = self.webhook_secret.reveal() if self.webhook_secret else ""
        given = request.headers.get(SECRET_HEADER, "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return PlainTextResponse("unauthorized", status_code=401)
        try:
            update = await read_json_object(request)
            chat_of(unwrap(update))  # the shape is checked before anything is stored
        except (BadBody, BadUpdate) as exc:
            log.info("zalo_bot webhook: bad update refused (%s)", exc)
            return PlainTextResponse("bad update", status_code=400)
        try:
            await self.handle_update(update)
        except BadUpdate as exc:
            log.info("zalo_bot webhook: bad update refused (%s)", exc)
            return PlainTextResponse("bad update", status_code=400)
        except Exception:
            log.exception("zalo_bot update not handled; Zalo may deliver it again")
            return PlainTextResponse("retry", status_code=500)
        return Response(status_code=200)

    def web_routes(self) -> list[BaseRoute]:
        if self.settings.mode != "webhook":
            return []
        return [Route(PATH, self.handle_webhook, methods=["POST"])]

    def sender_alive(self) -> bool:
        return self._sender_task is not None and not self._sender_task.done()

    # --- lifecycle ---------------------------------------------------------------------

    async def serve(
        self,
        stopping: asyncio.Event,
        ready: asyncio.Event | None = None,
        *,
        own_server: bool = True,
    ) -> None:
        sending = asyncio.Event()
        self._sender_task = asyncio.create_task(self.sender.run(sending), name="zalo-bot-sender")
        server: WebServer | None = None
        try:
            if self.settings.mode == "webhook":
                if self.webhook_secret is None or self.settings.webhook_url is None:
                    raise RuntimeError("webhook mode needs the url and the secret")
                if own_server:
                    server = WebServer(build_app(self.web_routes()), "127.0.0.1", 0)
                    self.port = await server.start()
                await self.client.set_webhook(self.settings.webhook_url, self.webhook_secret)
            elif await self.client.get_webhook_info() is not None:
                await self.client.delete_webhook()  # getUpdates refuses while one is set
            log.info("zalo_bot: serving in %s mode", self.settings.mode)
            if ready is not None:
                ready.set()
            if self.settings.mode == "polling":
                await self.inbox.replay(self.handle_update)  # what a crash left unhandled
                await self._poll(stopping)
            else:
                await stopping.wait()
        finally:
            log.info("zalo_bot: stopping")
            if server is not None:
                await server.stop()
            sending.set()
            await self._sender_task
            await self.sender.flush(SHUTDOWN_FLUSH_SECONDS)
            await self.sender.release_lease()
            await self.client.aclose()

    async def _poll(self, stopping: asyncio.Event) -> None:
        backoff = 1.0
        stop = asyncio.create_task(stopping.wait())
        try:
            while not stopping.is_set():
                poll = asyncio.create_task(self.client.get_update(self.settings.poll_timeout))
                await asyncio.wait({poll, stop}, return_when=asyncio.FIRST_COMPLETED)
                if not poll.done():
                    poll.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await poll
                    return
                try:
                    update = poll.result()
                    if update is not None:
                        await self.inbox.keep(update)  # before its turn: Zalo has let it go
                        await self.inbox.replay(self.handle_update)
                    backoff = 1.0
                except BadUpdate as exc:
                    log.warning("zalo_bot: an update was not understood (%s)", exc)
                except (ZaloBotError, httpx.TransportError) as exc:
                    log.warning("zalo_bot: polling failed (%s); retrying", type(exc).__name__)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(stop), backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX_SECONDS)
        finally:
            stop.cancel()
