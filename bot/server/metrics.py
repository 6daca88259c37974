"""The process's Prometheus metrics, in one registry owned by the running server.

Channels count what they handle (`update`), the outbox's senders count what they deliver
(`CountingSender` wraps a channel's `ChannelSender`), the outbox depth is read from
storage when `/metrics` is scraped, and the Zalo OA channel sets its token's age. Labels
are channel names and fixed outcome words only: never a user, chat or text.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.outbox import ChannelSender, SendError
from domain.messages import Reply

# Outcomes of one update: handled by the core, ignored by the channel (chatter in a group,
# an event the core does not take), or failed (an exception; the channel retries or logs).
HANDLED, IGNORED, FAILED = "handled", "ignored", "failed"


class Metrics:
    """One registry per process (tests make their own), exposed on `/metrics`."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "danvan_updates",
            "Updates received, by channel and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.handling = Histogram(
            "danvan_update_handling_seconds",
            "Time to handle one update, by channel",
            ["channel"],
            registry=self.registry,
        )
        self.replies = Counter(
            "danvan_replies",
            "Messages delivered by the outbox, by channel and result (sent, failed)",
            ["channel", "result"],
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "danvan_outbox_pending",
            "Outbox messages waiting to be sent, by channel",
            ["channel"],
            registry=self.registry,
        )
        self.outbox_oldest = Gauge(
            "danvan_outbox_oldest_pending_seconds",
            "Age of the oldest pending outbox message (0 when none)",
            registry=self.registry,
        )
        self.zalo_token_age = Gauge(
            "danvan_zalo_oa_token_age_seconds",
            "Age of the Zalo OA access token in use (set by the Zalo OA channel)",
            registry=self.registry,
        )
        self._seen: set[str] = set()

    @contextmanager
    def update(self, channel: str) -> Iterator[list[str]]:
        """Count one update and time it: `with metrics.update("telegram") as outcome:`;
        set `outcome[0] = IGNORED` for an update the core never saw. An exception counts
        as FAILED and is raised again."""
        outcome = [HANDLED]
        started = time.perf_counter()
        try:
            yield outcome
        except BaseException:
            outcome[0] = FAILED
            raise
        finally:
            self.updates.labels(channel, outcome[0]).inc()
            if outcome[0] != IGNORED:
                self.handling.labels(channel).observe(time.perf_counter() - started)

    def set_outbox(self, pending: dict[str, int], oldest_seconds: float) -> None:
        self._seen.update(pending)
        for channel in self._seen:  # a channel that drained reads 0, not its last depth
            self.outbox_depth.labels(channel).set(pending.get(channel, 0))
        self.outbox_oldest.set(oldest_seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class CountingSender:
    """A channel's sender with each part's fate counted; otherwise the sender itself."""

    def __init__(self, sender: ChannelSender, metrics: Metrics) -> None:
        self.inner = sender
        self.metrics = metrics

    @property
    def channel(self) -> str:
        return self.inner.channel

    def split(self, reply: Reply) -> Sequence[Reply]:
        return self.inner.split(reply)

    def is_group(self, chat_id: str) -> bool:
        return self.inner.is_group(chat_id)

    async def send(self, part: Reply) -> str:
        try:
            message_id = await self.inner.send(part)
        except SendError:
            self.metrics.replies.labels(self.channel, "failed").inc()
            raise
        self.metrics.replies.labels(self.channel, "sent").inc()
        return message_id
