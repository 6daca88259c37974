"""`/healthz`: is this process able to do its work?

Healthy means: storage answers a query; every channel's outbox sender task is running;
and the outbox is not stuck (its oldest pending message is younger than
`server.max_outbox_age_seconds`). The body is JSON either way, with 200 or 503, and holds
counts and ages only: never a chat, user or text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.server.metrics import Metrics
from storage import Storage

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class HealthReport:
    storage: bool
    senders: dict[str, bool]
    pending: dict[str, int]
    oldest_pending_seconds: float
    max_outbox_age_seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.healthy else "unhealthy",
            "storage": "ok" if self.storage else "unreachable",
            "senders": {
                name: "alive" if alive else "stopped" for name, alive in self.senders.items()
            },
            "outbox": {
                "pending": sum(self.pending.values()),
                "pending_by_channel": self.pending,
                "oldest_pending_seconds": round(self.oldest_pending_seconds, 1),
            },
            "problems": self.problems,
        }


class Health:
    """Checks the process; `watch` registers a channel's sender task."""

    def __init__(
        self,
        storage: Storage,
        metrics: Metrics | None = None,
        max_outbox_age_seconds: float = 900.0,
        clock: Clock = _utcnow,
    ) -> None:
        self.storage = storage
        self.metrics = metrics
        self.max_outbox_age_seconds = max_outbox_age_seconds
        self.clock = clock
        self._senders: dict[str, Callable[[], bool]] = {}
        self.notes: dict[str, str] = {}  # a channel's own problem (e.g. a failed OA refresh)

    def watch(self, name: str, alive: Callable[[], bool]) -> None:
        self._senders[name] = alive

    def watch_task(self, name: str, task: asyncio.Task[Any]) -> None:
        self.watch(name, lambda: not task.done())

    async def check(self) -> HealthReport:
        senders = {name: alive() for name, alive in self._senders.items()}
        pending: dict[str, int] = {}
        oldest = 0.0
        reachable = True
        try:
            async with self.storage.transaction() as uow:
                by_channel = await uow.outbox.counts_by_channel()
                head = await uow.outbox.oldest_pending()
            for (channel, status, _priority), n in by_channel.items():
                if status == "pending":
                    pending[channel] = pending.get(channel, 0) + n
            if head is not None:
                oldest = max(0.0, (self.clock() - head.created_at).total_seconds())
        except Exception as exc:  # any failure to reach storage is the answer itself
            log.warning("healthz: storage unreachable (%s)", type(exc).__name__)
            reachable = False
        report = HealthReport(reachable, senders, pending, oldest, self.max_outbox_age_seconds)
        if not reachable:
            report.problems.append("storage unreachable")
        report.problems.extend(f"sender {n} stopped" for n, alive in senders.items() if not alive)
        if oldest > self.max_outbox_age_seconds:
            report.problems.append("outbox stuck")
        report.problems.extend(self.notes.values())
        if self.metrics is not None and reachable:
            watched = dict.fromkeys(self._senders, 0)  # a watched channel reads 0, not nothing
            self.metrics.set_outbox({**watched, **pending}, oldest)
        return report
