"""The daily job `polls`: polls past their last day are closed and everyone who answered is
told the result (handlers.polls.close_poll; once per poll, `results_sent_at`), each commune
in its own transaction. `danvan poll close ID` does the same for one poll at once."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.app import App
from bot.jobs import JobReport
from handlers.polls import close_poll

log = logging.getLogger(__name__)


async def run_poll_closing(app: App, now: datetime) -> JobReport:
    report = JobReport()
    for commune in app.settings.communes:
        async with app.storage.transaction() as uow:
            for poll in await uow.polls.list_due(commune.code, now):
                report.messages += await close_poll(uow, app.renderer, commune, poll, now)
                log.info("poll %s closed", poll.id)
    return report
