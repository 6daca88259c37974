"""Scheduled work, as plain async functions of the app and the time.

The scheduler (python-telegram-bot's job queue, wired later) and `danvan jobs …` call the
same entry points. Each commune's run is one transaction; the notices it sends are
remembered per record and day (`deadline_notices`), so running a job twice the same day
sends nothing twice.

- `run_deadline_reminders`: each office hears about its records due within
  `bot.reminder_days` and those overdue; overdue ones are escalated to the commune's
  leaders.
- `run_followups`: a record answered but not rated for `bot.followup_quiet_days` is closed
  (if it was only answered) and the citizen is asked once whether it was resolved.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.app import App
from domain import lifecycle
from domain.deadlines import due_within, local_day
from domain.lifecycle import Action, LifecycleError
from domain.messages import Priority, Reply
from domain.permissions import SYSTEM_ACTOR
from domain.records import OfficialRole, Record, RecordStatus
from handlers import records
from handlers.notify import Notifier
from storage import UnitOfWork

log = logging.getLogger(__name__)

SCAN_LIMIT = 1000
# Outbox rows deleted per transaction by the daily purge.
PURGE_BATCH = 500


@dataclass(slots=True)
class JobReport:
    reminded: int = 0
    escalated: int = 0
    followed_up: int = 0
    messages: int = 0
    purged: int = 0
    offices: dict[str, int] = field(default_factory=dict)


def _item(record: Record, notifier: Notifier) -> dict[str, Any]:
    return {
        "code": record.code,
        "kind": record.kind.value,
        "status": record.status.value,
        "due": record.due_at.astimezone(notifier.commune.timezone),
        "office": record.office_code,
        "overdue": record.due_at < notifier.now,
    }


async def run_deadline_reminders(app: App, now: datetime) -> JobReport:
    report = JobReport()
    days = app.settings.bot.reminder_days
    for commune in app.settings.communes:
        async with app.storage.transaction() as uow:
            notifier = Notifier(uow, app.renderer, commune, now)
            today = local_day(now, commune.timezone).isoformat()
            due = await uow.records.list_open(
                commune.code,
                None,
                lifecycle.OPEN,
                SCAN_LIMIT,
                due_before=now + timedelta(days=days + 1),
            )
            by_office: dict[str, list[Record]] = defaultdict(list)
            overdue: list[Record] = []
            for record in due:
                late = record.due_at < now
                if not late and not due_within(record.due_at, now, days, commune.timezone):
                    continue
                kind = "overdue" if late else "due_soon"
                if not await uow.records.add_deadline_notice(record.id, kind, today, now):
                    continue  # already told today
                by_office[record.office_code].append(record)
                if late:
                    overdue.append(record)
            escalated_to = await _escalate(notifier, overdue, days, commune.code)
            if escalated_to is not None:
                report.escalated += len(overdue)
            for office_code, items in by_office.items():
                office = commune.office(office_code)
                told = escalated_to is not None and any(r.due_at < now for r in items)
                readers = await notifier.office_readers(office_code)
                if not readers:
                    log.warning("office %s has no chat and no active official", office_code)
                    continue
                for channel, chat_id, _viewer in readers:
                    notifier.out.append(
                        _digest(
                            notifier,
                            channel,
                            chat_id,
                            "office_reminder",
                            items,
                            days,
                            office.name if office else office_code,
                            escalated_to=escalated_to.value if told and escalated_to else None,
                        )
                    )
                report.reminded += len(items)
                report.offices[office_code] = len(items)
            await enqueue_notifications(uow, notifier, now)
            report.messages += len(notifier.out)
    log.info("deadline reminders: %s reminded, %s escalated", report.reminded, report.escalated)
    return report


# Who hears of overdue records, in this order: the first role that has anyone.
ESCALATION_ROLES = (OfficialRole.LEADER, OfficialRole.HEAD, OfficialRole.ADMIN)


async def _escalate(
    notifier: Notifier, overdue: list[Record], days: int, commune_code: str
) -> OfficialRole | None:
    """Tell the commune's leaders of overdue records — or, with no leader, its heads, or
    else its administrators. Returns the role told, None when nothing was sent."""
    if not overdue:
        return None
    for role in ESCALATION_ROLES:
        recipients = await notifier.officials_with_role(role)
        if not recipients:
            continue
        if role is not OfficialRole.LEADER:
            log.warning(
                "commune %s has no active leader: %d overdue records escalated to %s",
                commune_code,
                len(overdue),
                role.value,
            )
        for official in recipients:
            notifier.out.append(
                _digest(
                    notifier,
                    official.channel,
                    official.external_id,
                    "leader_escalation",
                    overdue,
                    days,
                    None,
                )
            )
        return role
    log.warning(
        "commune %s: %d overdue records and no leader, head or admin to escalate to",
        commune_code,
        len(overdue),
    )
    return None


def _digest(
    notifier: Notifier,
    channel: str,
    chat_id: str,
    template: str,
    records: list[Record],
    days: int,
    office_name: str | None,
    *,
    escalated_to: str | None = None,
) -> Reply:
    return Reply(
        channel=channel,
        chat_id=chat_id,
        text=notifier.render(
            template,
            items=[_item(r, notifier) for r in records],
            days=days,
            office_name=office_name,
            escalated_to=escalated_to,
        ),
        priority=Priority.NOTIFICATION,
    )


async def run_followups(app: App, now: datetime) -> JobReport:
    report = JobReport()
    quiet = timedelta(days=app.settings.bot.followup_quiet_days)
    for commune in app.settings.communes:
        async with app.storage.transaction() as uow:
            notifier = Notifier(uow, app.renderer, commune, now)
            for record in await uow.records.list_followup_due(now - quiet, SCAN_LIMIT):
                if record.commune_code != commune.code:
                    continue
                current = record
                if record.status is RecordStatus.ANSWERED:
                    try:
                        step = await records.apply(
                            uow, commune, record, Action.CLOSE, SYSTEM_ACTOR, now
                        )
                    except LifecycleError:
                        continue
                    current = step.after
                await uow.records.mark_followup_sent(record.id, now)
                if await notifier.to_citizen(
                    current, "citizen_followup", notifier.rating_rows(current)
                ):
                    report.followed_up += 1
            await enqueue_notifications(uow, notifier, now)
            report.messages += len(notifier.out)
    log.info("follow-ups: %s sent", report.followed_up)
    return report


async def run_outbox_purge(app: App, now: datetime) -> JobReport:
    """Delete messages sent or failed more than `outbox.keep_days` ago (their texts may
    hold personal data; records keep their own history)."""
    purged = 0
    before = now - timedelta(days=app.settings.outbox.keep_days)
    while True:  # short transactions: the bot's turns get the database in between
        async with app.storage.transaction() as uow:
            batch = await uow.outbox.purge(before, PURGE_BATCH)
        purged += batch
        if batch < PURGE_BATCH:
            break
        await asyncio.sleep(0)
    async with app.storage.transaction() as uow:  # the digests' stored files, as old
        await uow.files.purge(before)
    log.info("outbox purge: %s messages deleted", purged)
    return JobReport(purged=purged)


async def enqueue_notifications(uow: UnitOfWork, notifier: Notifier, now: datetime) -> None:
    for reply in notifier.out:
        await uow.outbox.enqueue(reply, now)
