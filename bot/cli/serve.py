"""`danvan run`: serve the configured channels, with the daily jobs and the weekly digest
running beside them, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal

import click

from bot.app import App
from bot.cli.common import config_option, fail, run_async, settings_command
from bot.config import ConfigError, Settings
from bot.daily import DailyJobs
from bot.digest.job import DigestScheduler
from bot.digest.render import DigestRenderer


@click.command()
@config_option
@settings_command(log="stderr")
def run(settings: Settings) -> int:
    """Serve the configured channels (Telegram) until stopped."""
    return run_async(serve(settings))


async def serve(settings: Settings) -> int:
    # why: python-telegram-bot, starlette and uvicorn take seconds to import: only `run` pays.
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.channels.telegram import TelegramChannel  # why: as above

    telegram = settings.telegram
    if telegram is None:
        return fail(
            "no channel to run — add a [telegram] table to the configuration "
            "(see config.example.toml and the README, section Telegram)"
        )
    try:
        token = telegram.token(os.environ)
        secret = telegram.webhook_secret(os.environ) if telegram.mode == "webhook" else None
    except ConfigError as exc:
        return fail(f"configuration problem: {exc}")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    async with await App.open(settings) as app:
        channel = TelegramChannel(app, telegram, token, webhook_secret=secret)
        schedules = [asyncio.create_task(DailyJobs(app).run_forever(), name="daily-jobs")]
        digest = _start_digest_schedule(settings, app)
        if digest is not None:
            schedules.append(digest)
        try:
            await channel.serve(stopping)
        except InvalidToken:
            return fail(
                f"Telegram refused the bot token in {telegram.token_env} — copy it again "
                "from @BotFather"
            )
        except NetworkError as exc:
            return fail(
                f"cannot reach the Telegram Bot API ({type(exc).__name__}); check the network"
            )
        except TelegramError as exc:
            return fail(f"Telegram refused to start the bot: {exc.message}")
        finally:
            for task in schedules:
                task.cancel()
            await asyncio.gather(*schedules, return_exceptions=True)
    return 0


def _start_digest_schedule(settings: Settings, app: App) -> asyncio.Task[None] | None:
    """The weekly digest runs beside the channel: due digests (and missed ones) at start,
    then a check every minute; the lease keeps it to one process (bot/scheduler.py)."""
    if not settings.digest.enabled:
        return None
    scheduler = DigestScheduler(settings, app.storage, DigestRenderer(settings.bot.templates_dir))
    return asyncio.create_task(scheduler.run_forever(), name="digest-schedule")
