"""The daily jobs beside the bot: deadline reminders and escalations, follow-ups,
deleting old messages from the outbox, retention, reminders of tomorrow's dialogues, and
closing polls past their last day.

Once a day at `bot.daily_jobs_time` (the default commune's local time), exactly once
across processes: a lease row per job and day (`job_leases`, shared with the weekly
digest; see `bot/scheduler.py`) picks one process; a process started later that day
catches up. The jobs themselves are also safe to repeat (a notice is recorded per record
and day), so a lease lost to a crash costs at most a retry, never a duplicate message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.app import App
from bot.datacare import retention_job
from bot.dialogue_jobs import run_dialogue_reminders
from bot.jobs import JobReport, run_deadline_reminders, run_followups, run_outbox_purge
from bot.polls import run_poll_closing
from bot.scheduler import Clock, Lease, Run, Scheduler, utcnow

Job = Callable[[App, datetime], Awaitable[JobReport]]
JOBS: tuple[tuple[str, Job], ...] = (
    ("reminders", run_deadline_reminders),
    ("followups", run_followups),
    ("outbox-purge", run_outbox_purge),
    ("retention", retention_job),
    ("dialogue-reminders", run_dialogue_reminders),
    ("polls", run_poll_closing),
)


def due_today(app: App, now: datetime) -> list[Run]:
    """Today's runs of every job once `bot.daily_jobs_time` has passed, else none."""
    settings = app.settings
    commune = settings.commune(settings.bot.default_commune) or settings.communes[0]
    local = now.astimezone(commune.timezone)
    if local.time() < settings.bot.daily_jobs_time:
        return []
    return [Run(f"{name}:{local.date().isoformat()}", _work(app, job)) for name, job in JOBS]


def _work(app: App, job: Job) -> Callable[[datetime, Lease], Awaitable[None]]:
    async def work(now: datetime, _lease: Lease) -> None:
        await job(app, now)

    return work


class DailyJobs(Scheduler):
    """Runs the day's jobs when due; call `run_due` often (e.g. every minute)."""

    def __init__(self, app: App, *, holder: str | None = None, clock: Clock = utcnow) -> None:
        super().__init__(app.storage, lambda now: due_today(app, now), holder=holder, clock=clock)
