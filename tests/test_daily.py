"""The daily jobs' schedule: once a day at the configured time, once across processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.daily import DailyJobs
from bot.scheduler import LEASE
from tests.conftest import Chat, Clock, make_official, receive
from tests.support.records import file_report


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


async def test_the_days_jobs_run_once_at_their_time(app: App, chat: Chat, clock: Clock) -> None:
    await make_official(app, "lan", "KT", "member", "chị Lan")
    await chat.agree()
    code = await file_report(chat)  # Thursday 26/11, due Monday 07/12 (not Sunday 06/12)
    assert len(await receive(app, "lan")) == 1  # the new record's card
    clock.now = datetime(2026, 12, 5, 0, 30, tzinfo=UTC)  # Saturday 07:30 in Việt Nam
    first, second = DailyJobs(app, holder="a", clock=clock), DailyJobs(app, holder="b", clock=clock)
    assert await first.run_due() == []  # before 08:00
    clock.now = datetime(2026, 12, 5, 1, 5, tzinfo=UTC)  # 08:05
    ran = await asyncio.gather(first.run_due(), second.run_due())
    assert sorted(ran[0] + ran[1]) == [
        "followups:2026-12-05",
        "outbox-purge:2026-12-05",
        "reminders:2026-12-05",
    ]
    reminders = [r.text for r in await receive(app, "lan")]
    assert len(reminders) == 1
    assert code in reminders[0]
    assert "Nhắc hạn" in reminders[0]
    clock.advance(hours=3)
    assert await first.run_due() == []  # done for today, whoever did it
    assert await receive(app, "lan") == []
    clock.advance(days=1)
    assert await second.run_due() == [
        "reminders:2026-12-06",
        "followups:2026-12-06",
        "outbox-purge:2026-12-06",
    ]
    clock.advance(days=40)
    await second.run_due()
    async with app.storage.transaction() as uow:  # what was sent is gone; pending stays
        counts = await uow.outbox.counts()
    assert "sent" not in counts
    assert counts["pending"] > 0


async def test_a_killed_processs_lease_is_taken_over_in_seconds(app: App, clock: Clock) -> None:
    clock.now = datetime(2026, 12, 5, 1, 5, tzinfo=UTC)  # Saturday 08:05 in Việt Nam
    async with app.storage.transaction() as uow:  # a process took a lease, then was killed
        assert await uow.leases.acquire(
            "reminders:2026-12-05", "killed", clock.now, clock.now + LEASE
        )
    restarted = DailyJobs(app, holder="restarted", clock=clock)
    assert await restarted.run_due() == ["followups:2026-12-05", "outbox-purge:2026-12-05"]
    assert restarted.waiting == ["reminders:2026-12-05"]  # looked at again in 5 s, not 60
    clock.advance(seconds=LEASE.total_seconds())  # no heartbeat renewed it
    assert await restarted.run_due() == ["reminders:2026-12-05"]
    assert restarted.waiting == []
