"""The daily jobs' schedule: once a day at the configured time, once across processes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot import scheduler
from bot.app import App
from bot.daily import DailyJobs
from bot.scheduler import LEASE, Lease, Run, Scheduler
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
        "dialogue-reminders:2026-12-05",
        "followups:2026-12-05",
        "outbox-purge:2026-12-05",
        "polls:2026-12-05",
        "reminders:2026-12-05",
        "retention:2026-12-05",
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
        "retention:2026-12-06",
        "dialogue-reminders:2026-12-06",
        "polls:2026-12-06",
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
    assert await restarted.run_due() == [
        "followups:2026-12-05",
        "outbox-purge:2026-12-05",
        "retention:2026-12-05",
        "dialogue-reminders:2026-12-05",
        "polls:2026-12-05",
    ]
    assert restarted.waiting == ["reminders:2026-12-05"]  # looked at again in 5 s, not 60
    clock.advance(seconds=LEASE.total_seconds())  # no heartbeat renewed it
    assert await restarted.run_due() == ["reminders:2026-12-05"]
    assert restarted.waiting == []


async def test_a_long_run_keeps_its_lease_by_heartbeat(
    app: App, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scheduler, "HEARTBEAT", timedelta(milliseconds=10))
    stolen: list[bool] = []

    async def work(_now: datetime, _lease: Lease) -> None:
        clock.advance(seconds=10)  # the run takes a while
        for _ in range(1000):  # a safety limit: the heartbeat renews within a few turns
            async with app.storage.transaction() as uow:
                row = await uow._one("SELECT leased_until FROM job_leases WHERE name = 'long'")
            until = row[0] if row is not None else None
            if isinstance(until, str):
                until = datetime.fromisoformat(until)  # SQLite keeps ISO text
            if until is not None and until >= clock.now + LEASE:
                break
            await asyncio.sleep(0.01)
        clock.advance(seconds=10)  # past the first lease: without the renewal it is free
        async with app.storage.transaction() as uow:
            stolen.append(await uow.leases.acquire("long", "other", clock.now, clock.now + LEASE))

    runner = Scheduler(app.storage, lambda _now: [Run("long", work)], holder="a", clock=clock)
    assert await runner.run_due() == ["long"]
    assert stolen == [False]  # still held by the running process
