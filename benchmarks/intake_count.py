"""What one intake update costs the database: statements and worker-thread round trips.

    python -m benchmarks intake --count [--citizens 50]

Runs the intake benchmark's filing conversation (danvan only, no baseline, nothing timed)
and counts, per step of the flow, the SQL statements SQLite ran (a `sqlite3` trace
callback on the connection) and the calls handed to aiosqlite's worker thread (a counter
around its `_execute`, which passes every call through unchanged). A statement run on the
event loop is a statement without a round trip; the figures say how many of each a turn
costs, so a change to the write path can be judged by them and not only by a noisy clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import Application

from storage.sqlite import SqliteStorage


class Counts:
    """Counters the trace callback and the thread wrapper add to."""

    def __init__(self) -> None:
        self.statements: Counter[str] = Counter()
        self.trips = 0

    def trace(self, sql: str) -> None:
        self.statements[sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"] += 1

    def total(self) -> int:
        return sum(self.statements.values())


async def install(storage: SqliteStorage, counts: Counts) -> None:
    """Count every statement and every worker-thread call of `storage`'s connection."""
    conn = storage._conn
    await conn.set_trace_callback(counts.trace)
    inner = conn._execute

    async def counted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        counts.trips += 1
        return await inner(fn, *args, **kwargs)

    conn._execute = counted  # type: ignore[method-assign]


async def count_steps(
    application: Application,  # type: ignore[type-arg]
    storage: SqliteStorage,
    batch: list[dict[str, Any]],
    steps: list[tuple[str, str]],
    citizens: int,
) -> dict[str, Any]:
    """Feed `batch` (the steps round-robin over `citizens`) and report counts per step."""
    counts = Counts()
    await install(storage, counts)
    per_step: dict[str, Any] = {}
    bot = application.bot
    for index, (_kind, value) in enumerate(steps):
        before_total, before_trips = counts.total(), counts.trips
        before = Counter(counts.statements)
        for data in batch[index * citizens : (index + 1) * citizens]:
            await application.process_update(Update.de_json(data, bot))
        kinds = counts.statements - before
        per_step[value] = {
            "statements": round((counts.total() - before_total) / citizens, 2),
            "round_trips": round((counts.trips - before_trips) / citizens, 2),
            "by_kind": {k: round(v / citizens, 2) for k, v in sorted(kinds.items())},
        }
    updates = len(steps) * citizens
    return {
        "benchmark": "intake-count",
        "citizens": citizens,
        "updates": updates,
        "statements_per_update": round(counts.total() / updates, 2),
        "round_trips_per_update": round(counts.trips / updates, 2),
        "by_kind_per_update": {
            k: round(v / updates, 2) for k, v in sorted(counts.statements.items())
        },
        "per_step": per_step,
    }
