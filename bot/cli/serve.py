"""`danvan run`: one process serving every configured channel — the one web server
(webhooks, /healthz, /metrics, Open311, the public page /public/CG/), the polling
channels beside it, the daily jobs and the weekly digest — until SIGTERM or Ctrl-C.

A channel here is anything with `web_routes()` (its webhook routes, none when it polls),
`serve(stopping, ready, own_server=False)` and `sender_alive()`; `_channels` builds one
per configured table. With no chat channel configured the server still runs (the web
console at /console/, health and metrics), and says so in the log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import TYPE_CHECKING, Any, Protocol

import click

from bot.app import App, open_when_reachable
from bot.cli.common import config_option, fail, run_async, settings_command
from bot.config import ConfigError, Settings
from bot.daily import DailyJobs
from bot.digest.job import DigestScheduler
from bot.digest.render import DigestRenderer

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from bot.server.metrics import Metrics

log = logging.getLogger(__name__)


class Channel(Protocol):
    def web_routes(self) -> list[BaseRoute]: ...

    def sender_alive(self) -> bool: ...

    async def serve(
        self, stopping: asyncio.Event, ready: asyncio.Event | None = None, *, own_server: bool
    ) -> None: ...


@click.command()
@config_option
@settings_command(log="stderr")
def run(settings: Settings) -> int:
    """Serve every configured channel, with the web server, until stopped."""
    return run_async(serve(settings))


def _channels(settings: Settings, app: App, metrics: Metrics) -> dict[str, Channel]:
    """One channel per configured table; raises `ConfigError` for a missing secret."""
    channels: dict[str, Channel] = {}
    if settings.telegram is not None:
        # why: python-telegram-bot takes seconds to import: only `run` pays.
        from bot.channels.telegram import TelegramChannel

        telegram = settings.telegram
        token = telegram.token(os.environ)
        secret = telegram.webhook_secret(os.environ) if telegram.mode == "webhook" else None
        channels["telegram"] = TelegramChannel(
            app, telegram, token, webhook_secret=secret, metrics=metrics
        )
    if settings.zalo_bot is not None:
        from bot.channels.zalo_bot import ZaloBotChannel  # why: as above, only `run` needs it

        zalo = settings.zalo_bot
        zalo_secret = zalo.webhook_secret(os.environ) if zalo.mode == "webhook" else None
        channels["zalo_bot"] = ZaloBotChannel(
            app, zalo, zalo.token(os.environ), webhook_secret=zalo_secret, metrics=metrics
        )
    if settings.zalo_oa is not None:
        from bot.channels.zalo_oa.channel import ZaloOaChannel  # why: as above

        channels["zalo_oa"] = ZaloOaChannel.open(app, settings.zalo_oa, os.environ)
    return channels


async def serve(settings: Settings) -> int:
    from bot.open311.routes import open311_routes  # why: the web routes, only for `run`

    # why: starlette, uvicorn and prometheus-client are imported only by `run`
    from bot.server import Health, Metrics, WebServer, build_app
    from bot.web.console import ACT_MAX_BODY, ACT_PATH, console_routes  # why: as above
    from bot.web.public import public_routes  # why: the public page's routes, only for `run`

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    metrics = Metrics()
    opened = await open_when_reachable(settings, stopping)
    if opened is None:
        log.info("stopped while waiting for the database")
        return 0
    async with opened as app:
        try:
            channels = _channels(settings, app, metrics)
        except ConfigError as exc:
            return fail(f"configuration problem: {exc}")
        if not channels:
            log.warning(
                "no chat channel configured ([telegram], [zalo_bot], [zalo_oa]): serving "
                "the web console, the public page, Open311, health and metrics only (see "
                "config.example.toml)"
            )
        health = Health(app.storage, metrics, settings.server.max_outbox_age_seconds)
        for name, channel in channels.items():
            health.watch(name, channel.sender_alive)
            report = getattr(channel, "health", None)
            if report is not None:
                health.describe(name, report)  # the OA: its authorization and token age
        routes = [route for channel in channels.values() for route in channel.web_routes()]
        routes += open311_routes(app)
        routes += public_routes(app)
        routes += await console_routes(app)
        web = WebServer(
            build_app(
                routes,
                health,
                metrics,
                max_body=settings.server.max_body_bytes,
                body_limits={ACT_PATH: ACT_MAX_BODY},
            ),
            settings.server.listen,
            settings.server.port,
        )
        schedules = [asyncio.create_task(DailyJobs(app).run_forever(), name="daily-jobs")]
        digest = _start_digest_schedule(settings, app)
        if digest is not None:
            schedules.append(digest)
        readies = {name: asyncio.Event() for name in channels}
        served = {
            name: asyncio.create_task(
                channel.serve(stopping, readies[name], own_server=False), name=name
            )
            for name, channel in channels.items()
        }
        listening = False
        try:
            # The server opens once every channel is ready to take an update (a webhook
            # posted a moment before is retried by its platform).
            if await _all_ready(stopping, readies, list(served.values())):
                try:
                    port = await web.start()
                except (OSError, SystemExit) as exc:
                    return fail(f"the web server cannot listen on {settings.server.listen}: {exc}")
                listening = True
                log.info("server: listening on %s:%s", settings.server.listen, port)
                await _until_stopped_or_failed(stopping, list(served.values()))
        finally:
            stopping.set()
            results = await asyncio.gather(*served.values(), return_exceptions=True)
            if listening:
                await web.stop()
            for task in schedules:
                task.cancel()
            await asyncio.gather(*schedules, return_exceptions=True)
        for name, result in zip(served, results, strict=True):
            if isinstance(result, BaseException):
                return fail(_explain(name, result, settings))
    return 0


async def _all_ready(
    stopping: asyncio.Event, readies: dict[str, asyncio.Event], tasks: list[asyncio.Task[Any]]
) -> bool:
    """Wait until every channel is ready; False when stopped or a channel ended first."""
    while not all(ready.is_set() for ready in readies.values()):
        waiters = [asyncio.create_task(e.wait()) for e in (stopping, *readies.values())]
        try:
            await asyncio.wait([*waiters, *tasks], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        if stopping.is_set() or any(task.done() for task in tasks):
            return False
    return True


async def _until_stopped_or_failed(stopping: asyncio.Event, tasks: list[asyncio.Task[Any]]) -> None:
    """Wait for a signal, or for a channel to stop on its own (an error at start)."""
    waiter = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()


def _explain(name: str, error: BaseException, settings: Settings) -> str:
    """What went wrong starting a channel, in words an administrator can act on."""
    if name == "telegram" and settings.telegram is not None:
        # why: python-telegram-bot is imported only by `run`
        from telegram.error import InvalidToken, NetworkError, TelegramError

        if isinstance(error, InvalidToken):
            return (
                f"Telegram refused the bot token in {settings.telegram.token_env} — copy it "
                "again from @BotFather"
            )
        if isinstance(error, NetworkError):
            return f"cannot reach the Telegram Bot API ({type(error).__name__}); check the network"
        if isinstance(error, TelegramError):
            return f"Telegram refused to start the bot: {error.message}"
    if name == "zalo_bot" and settings.zalo_bot is not None:
        from bot.channels.zalo_bot import ZaloBotError  # why: as above

        if isinstance(error, ZaloBotError) and error.code == 401:
            return (
                f"Zalo refused the bot token in {settings.zalo_bot.token_env} — copy it again "
                "from the Zalo Bot Creator message"
            )
        if isinstance(error, ZaloBotError):
            return f"Zalo refused to start the bot: {error.code} {error.description[:80]}"
    return f"{name}: stopped on {type(error).__name__}: {error}"


def _start_digest_schedule(settings: Settings, app: App) -> asyncio.Task[None] | None:
    """The weekly digest runs beside the channels: due digests (and missed ones) at start,
    then a check every minute; the lease keeps it to one process (bot/scheduler.py)."""
    if not settings.digest.enabled:
        return None
    scheduler = DigestScheduler(settings, app.storage, DigestRenderer(settings.bot.templates_dir))
    return asyncio.create_task(scheduler.run_forever(), name="digest-schedule")
