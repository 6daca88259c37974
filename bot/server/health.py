"""`/healthz`: is this process able to do its work?

Healthy means: storage answers a query; every channel's outbox sender task is running;
and the outbox is not stuck (its oldest pending message is younger than
`server.max_outbox_age_seconds`). The body is JSON either way, with 200 or 503, and holds
counts and ages only: never a chat, user or text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
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
    # What a channel reports of itself (the Zalo OA: its authorization and token age).
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)

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
            **({"channels": self.channels} if self.channels else {}),
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
        self._reports: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {}

    def watch(self, name: str, alive: Callable[[], bool]) -> None:
        self._senders[name] = alive

    def describe(self, name: str, report: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        """A channel's own state for /healthz (`ok` False makes it a problem); a
        `token_age_seconds` in it sets the Zalo OA token gauge of /metrics."""
        self._reports[name] = report

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
        await self._channel_reports(report, reachable)
        if self.metrics is not None and reachable:
            watched = dict.fromkeys(self._senders, 0)  # a watched channel reads 0, not nothing
            self.metrics.set_outbox({**watched, **pending}, oldest)
        return report

    async def _channel_reports(self, report: HealthReport, reachable: bool) -> None:
        if not reachable:
            return  # each report reads storage too
        for name, describe in self._reports.items():
            try:
                info = await describe()
            except Exception as exc:  # a report that fails is the answer itself
                info = {"ok": False, "error": type(exc).__name__}
            report.channels[name] = info
            if info.get("ok") is False:
                report.problems.append(f"{name}: {info.get('authorization') or 'not ok'}")
            age = info.get("token_age_seconds")
            if self.metrics is not None and isinstance(age, int | float):
                self.metrics.zalo_token_age.set(age)
