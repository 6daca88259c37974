"""The daily job `dialogue-reminders`: registrants hear of a dialogue the day before.

Run once a day with the other daily jobs (bot/daily.py, at `bot.daily_jobs_time`), one
transaction per commune. Each registration is reminded once (`reminded_at`, set by a
conditional update), so a second run the same day, or a run by another process, sends
nothing twice. The messages go through the outbox at notification priority.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.app import App
from bot.jobs import JobReport
from handlers import dialogues

log = logging.getLogger(__name__)


async def run_dialogue_reminders(app: App, now: datetime) -> JobReport:
    sent = 0
    for commune in app.settings.communes:
        async with app.storage.transaction() as uow:
            sent += await dialogues.reminders(uow, app.renderer, commune, now)
    log.info("dialogue reminders: %s sent", sent)
    return JobReport(messages=sent)
