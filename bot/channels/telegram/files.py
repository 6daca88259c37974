"""Attachments: copies of the photos and documents of filed records, where every process
can read them (`bot.shared_files`: the database, or `storage.shared_files_dir`), so the
web console of any process can show them and any sender can forward them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from telegram import Bot
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.app import App
from bot.channels.telegram.inbound import CHANNEL
from bot.shared_files import share, stored_file_id

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class FileFetcher:
    """Copies the photos and documents of filed records where every process reads them.

    Only attachments of committed records are fetched (never what someone sent before
    consenting or then abandoned). A file too large or gone is recorded with the reason;
    a network problem leaves it for the next round.
    """

    def __init__(
        self, bot: Bot, app: App, folder: Path, max_bytes: int, clock: Clock = utcnow
    ) -> None:
        self.bot = bot
        self.app = app
        self.folder = folder  # scratch space for downloads
        self.shared_dir = app.settings.storage.shared_files_dir
        self.max_bytes = max_bytes
        self.clock = clock

    async def fetch_pending(self, limit: int = 20) -> int:
        """Fetch up to `limit` attachments; returns how many were settled."""
        async with self.app.storage.transaction() as uow:
            waiting = await uow.attachments.list_to_fetch(CHANNEL, limit)
        settled = 0
        for attachment in waiting:
            path: str | None = None
            size: int | None = None
            error: str | None = None
            try:
                remote = await self.bot.get_file(attachment.ref)
                if remote.file_size is not None and remote.file_size > self.max_bytes:
                    error = f"too large ({remote.file_size} bytes)"
                else:
                    suffix = PurePosixPath(remote.file_path or "").suffix or ".bin"
                    self.folder.mkdir(parents=True, exist_ok=True)
                    target = self.folder / f"{attachment.record_id}-{attachment.id}{suffix}"
                    await remote.download_to_drive(target)
                    size = target.stat().st_size
            except (NetworkError, RetryAfter) as exc:
                log.info("attachment %s: %s; trying later", attachment.id, type(exc).__name__)
                break
            except TelegramError as exc:
                error = f"{type(exc).__name__}: {exc.message}"
            file_id: int | None = None
            async with self.app.storage.transaction() as uow:
                if error is None:
                    path = await share(uow, target, self.shared_dir, self.clock())
                    file_id = stored_file_id(path)
                await uow.attachments.save_file(
                    attachment.id, self.clock(), path=path, size=size, error=error, file_id=file_id
                )
            if error is None:
                target.unlink(missing_ok=True)  # the download's scratch copy
            settled += 1
        return settled

    async def run(self, stopping: asyncio.Event, idle_seconds: float = 30.0) -> None:
        while not stopping.is_set():
            try:
                fetched = await self.fetch_pending()
            except Exception:
                log.exception("fetching attachments failed; trying again later")
                fetched = 0
            if not fetched:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), idle_seconds)
