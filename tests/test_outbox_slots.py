"""The outbox's global pacing by slots (issue 17): the time a send takes does not stretch
the period, and network delays never let one second at the channel's end see more than
`messages_per_second` messages. Real Telegram sender and PTB against the Bot API stand-in,
on a fake clock; the channel's latency is modelled by advancing that clock inside a send."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from telegram import Bot

from bot.app import App
from bot.channels.telegram import TelegramSender
from bot.outbox import OutboxSender
from domain.messages import Priority, Reply
from tests.botapi import TOKEN, BotApiStandIn, FakeClock
from tests.botapi_http import StandInRequest
from tests.conftest import T0
from tests.test_outbox import PACE, enqueue


class SlowChannel:
    """The real Telegram sender behind a network that takes `delays[n % len]` seconds
    before the n-th request arrives and as long again for its answer."""

    def __init__(self, inner: TelegramSender, clock: FakeClock, delays: Sequence[float]) -> None:
        self.inner = inner
        self.clock = clock
        self.delays = itertools.cycle(delays)

    @property
    def channel(self) -> str:
        return self.inner.channel

    def is_group(self, chat_id: str) -> bool:
        return self.inner.is_group(chat_id)

    def split(self, reply: Reply) -> Sequence[Reply]:
        return self.inner.split(reply)

    async def send(self, part: Reply) -> str:
        delay = next(self.delays)
        await self.clock.sleep(delay)
        channel_id = await self.inner.send(part)
        await self.clock.sleep(delay)
        return channel_id


def most_in_one_second(times: list[datetime]) -> int:
    return max(
        sum(1 for t in times[i:] if t - start < timedelta(seconds=1))
        for i, start in enumerate(times)
    )


async def deliver(app: App, delays: Sequence[float], count: int) -> list[datetime]:
    clock = FakeClock(T0)
    standin = BotApiStandIn(clock=clock)
    for n in range(count):
        await enqueue(app, str(1000 + n), f"thông báo {n}", Priority.BROADCAST)
    async with Bot(TOKEN, request=StandInRequest(standin)) as bot:
        channel = SlowChannel(TelegramSender(bot, app.renderer), clock, delays)
        sender = OutboxSender(app.storage, channel, PACE, clock=clock, sleep=clock.sleep)
        assert await sender.drain() == count
    assert len(standin.sent) == count
    return [m.at for m in standin.sent]


async def test_a_send_that_takes_time_does_not_stretch_the_period(app: App) -> None:
    # 10 ms each way: pacing from the end of each send would give 30 messages in
    # 30 × (33.3 + 20) ms = 1.6 s; by slots they keep to 30 a second.
    times = await deliver(app, [0.010], 300)
    elapsed = (times[-1] - times[0]).total_seconds()
    assert elapsed < 10.6, elapsed  # 300 messages at 30/s, plus one round trip per second
    assert most_in_one_second(times) <= 30


async def test_uneven_network_delays_never_crowd_one_second(app: App) -> None:
    # A slow request followed by fast ones would let 31 arrive within a second if the
    # pacing looked only at when sends start.
    times = await deliver(app, [0.030, 0.0, 0.0, 0.001, 0.025], 200)
    assert most_in_one_second(times) <= 30
    assert (times[-1] - times[0]).total_seconds() < 7.5
