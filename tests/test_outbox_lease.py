"""The outbox sender's lease (bot/outbox.py): one sender per channel across processes,
taken over when its holder goes quiet, and at once from a holder on this host that is gone."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from datetime import timedelta

import pytest
from telegram import Bot

from bot.app import App
from bot.channels.telegram import TelegramSender
from bot.outbox import HEARTBEAT_SECONDS, SENDER_LEASE, OutboxSender
from tests.botapi import TOKEN, BotApiStandIn, FakeClock
from tests.botapi_http import StandInRequest
from tests.conftest import T0
from tests.test_outbox import PACE, enqueue


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def standin(fake_clock: FakeClock) -> BotApiStandIn:
    return BotApiStandIn(clock=fake_clock)


async def test_one_sender_per_channel_across_processes(
    app: App, standin: BotApiStandIn, fake_clock: FakeClock
) -> None:
    bot = Bot(TOKEN, request=StandInRequest(standin))
    async with bot:
        senders = [
            OutboxSender(
                app.storage,
                TelegramSender(bot, app.renderer),
                PACE,
                clock=fake_clock,
                sleep=fake_clock.sleep,
                holder=name,
            )
            for name in ("process-a", "process-b")
        ]
        a, b = senders
        assert await a.hold_lease()
        assert not await b.hold_lease()  # a is the sender
        fake_clock.now += timedelta(seconds=HEARTBEAT_SECONDS)
        assert await a.hold_lease()  # renewed, as its heartbeat does every second
        last_renewal = fake_clock.now
        fake_clock.now += SENDER_LEASE - timedelta(seconds=0.5)
        assert not await b.hold_lease()  # still a's
        fake_clock.now += timedelta(seconds=HEARTBEAT_SECONDS)
        assert await b.hold_lease()  # a went quiet: b took over at its next look
        assert fake_clock.now - last_renewal < timedelta(seconds=5)
        assert not await a.hold_lease()
        await b.release_lease()
        assert await a.hold_lease()  # released at shutdown: a may send at once
        for i in range(3):
            await enqueue(app, "42", f"tin {i}")
        stopping = asyncio.Event()
        runs = [asyncio.create_task(s.run(stopping)) for s in senders]
        for _ in range(3000):  # a bounded wait: the database works in a thread of its own
            await asyncio.sleep(0.01)
            if len(standin.to("42")) >= 3:
                break
        stopping.set()
        await asyncio.gather(*runs)
    assert [m.text for m in standin.to("42")] == ["tin 0", "tin 1", "tin 2"]


async def test_a_sender_killed_on_this_host_is_replaced_at_once(
    app: App, standin: BotApiStandIn, fake_clock: FakeClock
) -> None:
    """kill -9 leaves the sender lease held; the successor on the same host sees the pid
    gone and sends at once. A holder on another host, or one that still runs, keeps it."""
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    host = socket.gethostname()
    bot = Bot(TOKEN, request=StandInRequest(standin))
    async with bot:

        def sender(holder: str) -> OutboxSender:
            return OutboxSender(
                app.storage,
                TelegramSender(bot, app.renderer),
                PACE,
                clock=fake_clock,
                sleep=fake_clock.sleep,
                holder=holder,
            )

        for alive in (f"{host}:{os.getppid()}:parent00", f"elsewhere:{gone.pid}:far00000"):
            held = sender(alive)
            assert await held.hold_lease()
            assert not await sender(f"{host}:{os.getpid()}:new00000").hold_lease()
            await held.release_lease()
        dead = sender(f"{host}:{gone.pid}:dead0000")
        assert await dead.hold_lease()
        successor = sender(f"{host}:{os.getpid()}:next0000")
        assert await successor.hold_lease()  # no wait for SENDER_LEASE to run out
        async with app.storage.transaction() as uow:
            assert await uow.leases.holder(successor.lease_name) == successor.holder
