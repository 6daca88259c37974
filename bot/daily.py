"""The daily jobs beside the bot: deadline reminders and escalations, follow-ups, and
deleting old messages from the outbox.

Once a day at `bot.daily_jobs_time` (the default commune's local time), exactly once
across processes: a lease row per job and day (`job_leases`, shared with the weekly
digest) picks one process; a process started later that day catches up. The jobs
themselves are also safe to repeat (a notice is recorded per record and day), so a lease
lost to a crash costs at most a retry, never a duplicate message.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.jobs import JobReport, run_deadline_reminders, run_followups, run_outbox_purge

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
Job = Callable[[App, datetime], Awaitable[JobReport]]
JOBS: tuple[tuple[str, Job], ...] = (
    ("reminders", run_deadline_reminders),
    ("followups", run_followups),
    ("outbox-purge", run_outbox_purge),
)


class DailyJobs:
    """Runs the day's jobs when due; call `run_due` often (e.g. every minute)."""

    def __init__(
        self,
        app: App,
        *,
        holder: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.clock = clock

    async def run_due(self) -> list[str]:
        """The jobs this process ran now (empty before the time, or when already done)."""
        now = self.clock()
        settings = self.app.settings
        commune = settings.commune(settings.bot.default_commune) or settings.communes[0]
        local = now.astimezone(commune.timezone)
        if local.time() < settings.bot.daily_jobs_time:
            return []
        ran = []
        for name, job in JOBS:
            lease = f"{name}:{local.date().isoformat()}"
            async with self.app.storage.transaction() as uow:
                if not await uow.leases.acquire(lease, self.holder, now, now + LEASE):
                    continue
            try:
                await job(self.app, now)
            except Exception:
                log.exception("%s failed; it will be retried when the lease expires", lease)
                continue
            async with self.app.storage.transaction() as uow:
                await uow.leases.finish(lease, self.holder, self.clock())
            ran.append(lease)
        return ran

    async def run_forever(self, interval: float = 60.0) -> None:
        """Check every `interval` seconds until cancelled (start it with the bot)."""
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("daily jobs: the check failed; trying again")
            await asyncio.sleep(interval)
