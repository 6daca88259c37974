"""`TelegramChannel`: builds the PTB application for the configured mode and runs it with
the outbox sender (and the attachment fetcher) until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.app import App
from bot.channels.telegram.files import Clock, FileFetcher, utcnow
from bot.channels.telegram.inbound import CHANNEL, BotIdentity, inbound_from_update
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sender import TelegramSender, opt_in_timedelta
from bot.channels.telegram.webhook import Webhook
from bot.outbox import OutboxSender, Sleep
from bot.server.app import WebServer, build_app
from bot.server.metrics import IGNORED, CountingSender, Metrics
from bot.settings import Secret, TelegramSettings
from handlers.flows import ROUTES

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
SHUTDOWN_FLUSH_SECONDS = 5.0


class TelegramChannel:
    """Builds the PTB application for the configured mode and runs it with the sender."""

    def __init__(
        self,
        app: App,
        settings: TelegramSettings,
        token: Secret,
        *,
        webhook_secret: Secret | None = None,
        request: BaseRequest | None = None,
        get_updates_request: BaseRequest | None = None,
        poll_timeout: float = 10.0,
        clock: Clock = utcnow,
        sender_clock: Clock = utcnow,
        sender_sleep: Sleep = asyncio.sleep,
        metrics: Metrics | None = None,
    ) -> None:
        opt_in_timedelta()
        self.app = app
        self.metrics = metrics or Metrics()
        self.settings = settings
        self.poll_timeout = poll_timeout
        self.clock = clock
        self.webhook_secret = webhook_secret
        builder: ApplicationBuilder = ApplicationBuilder().token(token.reveal())  # type: ignore[type-arg]
        if settings.base_url:
            builder = builder.base_url(settings.base_url)
            builder = builder.base_file_url(settings.base_url.replace("/bot", "/file/bot", 1))
        if request is not None:
            builder = builder.request(request)
        if get_updates_request is not None:
            builder = builder.get_updates_request(get_updates_request)
        # No PTB updater: polling is our own loop (polling.py), which confirms an update only
        # once it is handled; webhook updates come through webhook.py.
        builder = builder.updater(None)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = OutboxSender(
            app.storage,
            CountingSender(TelegramSender(self.application.bot, app.renderer), self.metrics),
            app.settings.outbox,
            clock=sender_clock,
            sleep=sender_sleep,
        )
        self.files: FileFetcher | None = None
        if settings.download_files:
            self.files = FileFetcher(
                self.application.bot,
                app,
                app.settings.storage.data_dir / "files" / CHANNEL,
                settings.max_file_mb * 1024 * 1024,
                clock,
            )
        self.webhook = Webhook(self.application.bot, webhook_secret, self.handle_update)
        self._me: BotIdentity | None = None
        self._sender_task: asyncio.Task[None] | None = None
        self.port: int | None = None  # the webhook server's port, once listening

    # --- updates -----------------------------------------------------------------------

    async def handle_update(self, update: Update) -> None:
        with self.metrics.update(CHANNEL) as outcome:
            if update.callback_query is not None:
                with contextlib.suppress(TelegramError):
                    await update.callback_query.answer()
            me = self._me or BotIdentity(self.application.bot.id, self.application.bot.username)
            codes = [c.code for c in self.app.settings.communes]
            inbound = inbound_from_update(update, me, self.clock(), codes)
            if inbound is None:
                outcome[0] = IGNORED
                return
            await self.app.dispatcher.handle(inbound)
        self.sender.wake()

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await self.handle_update(update)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error(
            "telegram update %s: %s",
            update_id,
            type(context.error).__name__,
            exc_info=context.error,
        )

    async def handle_webhook(self, request: Request) -> Response:
        """Telegram's POST (see `webhook.Webhook.handle`)."""
        return await self.webhook.handle(request)

    def web_routes(self) -> list[BaseRoute]:
        """What this channel adds to the one web server: the webhook, in webhook mode."""
        if self.settings.mode != "webhook":
            return []
        return self.webhook.routes(self.settings.webhook_url)

    def sender_alive(self) -> bool:
        return self._sender_task is not None and not self._sender_task.done()

    # --- lifecycle ---------------------------------------------------------------------

    async def set_commands(self) -> None:
        # The citizens' command menu, as the flows declare it (handlers/flows/*).
        menu = ROUTES.menu(several_communes=len(self.app.settings.communes) > 1)
        commands = [BotCommand(c.name, self.app.renderer.label(c.label)) for c in menu]
        try:
            await self.application.bot.set_my_commands(
                commands, scope=BotCommandScopeAllPrivateChats(), language_code="vi"
            )
            await self.application.bot.set_my_commands(commands)
        except TelegramError as exc:
            log.warning("could not register the bot's commands: %s", type(exc).__name__)

    async def serve(
        self,
        stopping: asyncio.Event,
        ready: asyncio.Event | None = None,
        *,
        own_server: bool = True,
    ) -> None:
        """Run until `stopping` is set, then stop taking updates, finish the ones in
        hand, and send what can be sent in a few seconds. In webhook mode the routes are
        served by a server of the channel's own unless `own_server` is False (`danvan
        run`: the one web server already serves `web_routes()`)."""
        sending = asyncio.Event()
        application = self.application
        async with application:
            self._me = BotIdentity(application.bot.id, application.bot.username)
            await self.set_commands()
            sender_task = asyncio.create_task(self.sender.run(sending), name="telegram-sender")
            self._sender_task = sender_task
            files_task = (
                asyncio.create_task(self.files.run(sending)) if self.files is not None else None
            )
            server: WebServer | None = None
            polling_task: asyncio.Task[None] | None = None
            try:
                if self.settings.mode == "webhook":
                    server = await self._start_webhook(own_server)
                else:
                    await application.bot.delete_webhook()  # getUpdates refuses while one is set
                    poller = Poller(
                        application.bot,
                        self.handle_update,
                        timeout=self.poll_timeout,
                        allowed_updates=ALLOWED_UPDATES,
                    )
                    polling_task = asyncio.create_task(poller.run(stopping))
                await application.start()
                log.info("telegram: serving in %s mode", self.settings.mode)
                if ready is not None:
                    ready.set()
                await _until(stopping, polling_task)
            finally:
                log.info("telegram: stopping")
                if server is not None:
                    await server.stop()
                if polling_task is not None:
                    await polling_task  # the update in hand is finished first
                if application.running:
                    await application.stop()
                sending.set()
                await sender_task
                if files_task is not None:
                    await files_task
                await self.sender.flush(SHUTDOWN_FLUSH_SECONDS)
                await self.sender.release_lease()  # another process may send at once

    async def _start_webhook(self, own_server: bool) -> WebServer | None:
        if self.webhook_secret is None:
            raise RuntimeError("webhook mode needs the secret token")
        server = None
        if own_server:
            server = WebServer(
                build_app(self.web_routes()), self.settings.listen, self.settings.port
            )
            self.port = await server.start()
        await self.application.bot.set_webhook(
            url=self.settings.webhook_url or "",
            secret_token=self.webhook_secret.reveal(),
            allowed_updates=ALLOWED_UPDATES,
        )
        return server


async def _until(stopping: asyncio.Event, task: asyncio.Task[None] | None) -> None:
    """Wait for `stopping`, or for the polling loop to end on its own (a refused token)."""
    if task is None:
        await stopping.wait()
        return
    waiting = asyncio.ensure_future(stopping.wait())
    await asyncio.wait({waiting, task}, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if task.done():
        stopping.set()
