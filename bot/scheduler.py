"""Scheduled work that runs exactly once across processes: one leased-job loop.

Several bot processes may share one database. A job's run has a name (e.g.
`reminders:2026-11-30`, `digest:CG:2026-W47`); a process runs it only after taking the
lease row of that name (`job_leases`), and marks the lease done when the run is over, so
no other process runs it again. The lease is short (`LEASE`) and renewed by a heartbeat
while the work runs (`HEARTBEAT`), so a process that dies mid-run leaves it to expire
within seconds; a run another process holds is looked at again after `RETRY_SECONDS`,
not after the minute's `interval`, and then retried here or elsewhere: a crash (or a
restart after kill -9) costs a retry of seconds, never a duplicate. A run that must commit
its effect and the lease together (the digest's outbox row) finishes the lease itself, in
its own transaction, through `Lease.finish`.

`run_forever` lets the process start serving first: its first check waits `START_AFTER`
seconds, so the day's jobs never hold the database while the channel starts.

The outbox sender's lease (`bot/outbox.py`) is held, not finished, but uses the same
holder name.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from storage import Storage, UnitOfWork

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=15)
HEARTBEAT = LEASE / 3
RETRY_SECONDS = 5.0
START_AFTER = 5.0
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def lease_holder() -> str:
    """This process's name on the leases it holds: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_is_gone(holder: str) -> bool:
    """Whether `holder` (from `lease_holder`) was a process on this host that no longer runs.

    A process killed with SIGKILL (an OOM kill, `kill -9`) cannot release its leases; when
    its successor starts on the same host, the missing pid tells it so at once instead of
    after the lease runs out. A holder on another host, or a pid that runs (even if reused
    by another program), is not gone: then the lease's expiry decides, as before.
    """
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it runs, as another user
    return False


class LeaseLost(Exception):
    """Another process took the lease over while this one was still working."""


@dataclass(slots=True)
class Lease:
    """A lease this process holds for one run."""

    name: str
    holder: str
    clock: Clock
    finished: bool = field(default=False)

    async def finish(self, uow: UnitOfWork) -> None:
        """Mark the run done in `uow`'s transaction; raises `LeaseLost` if it was taken."""
        if not await uow.leases.finish(self.name, self.holder, self.clock()):
            raise LeaseLost(self.name)
        self.finished = True


@dataclass(frozen=True, slots=True)
class Run:
    """One run that is due: the lease's name and the work (given the time and the lease)."""

    name: str
    work: Callable[[datetime, Lease], Awaitable[None]]


class Scheduler:
    """Runs what `due(now)` names, each under its lease; call `run_due` often."""

    def __init__(
        self,
        storage: Storage,
        due: Callable[[datetime], Iterable[Run]],
        *,
        holder: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.storage = storage
        self.due = due
        self.holder = holder or lease_holder()
        self.clock = clock
        #: runs found due but held by another process at the last check
        self.waiting: list[str] = []

    async def run_due(self) -> list[str]:
        """The runs this process did now (empty before their time, or when already done)."""
        done: list[str] = []
        self.waiting = []
        for run in self.due(self.clock()):
            try:
                if await self._run(run):
                    done.append(run.name)
            except LeaseLost:
                log.warning("%s: lease lost to another process; its run counts", run.name)
            except Exception:
                # The lease expires and the run is retried, here or in another process.
                log.exception("%s failed; it will be retried when the lease expires", run.name)
        return done

    async def _run(self, run: Run) -> bool:
        now = self.clock()
        async with self.storage.transaction() as uow:
            if not await uow.leases.acquire(run.name, self.holder, now, now + LEASE):
                if not await uow.leases.is_done(run.name):
                    self.waiting.append(run.name)
                return False
        lease = Lease(run.name, self.holder, self.clock)
        heartbeat = asyncio.create_task(self._heartbeat(run.name), name=f"lease:{run.name}")
        try:
            await run.work(now, lease)
        finally:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
        if not lease.finished:
            async with self.storage.transaction() as uow:
                await uow.leases.finish(run.name, self.holder, self.clock())
        return True

    async def _heartbeat(self, name: str) -> None:
        """Keep the lease of a run in progress; a renewal that fails lets it run out."""
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            now = self.clock()
            try:
                async with self.storage.transaction() as uow:
                    kept = await uow.leases.acquire(name, self.holder, now, now + LEASE)
                    done = not kept and await uow.leases.is_done(name)
            except Exception as exc:
                log.warning("%s: lease renewal failed: %s", name, type(exc).__name__)
                continue
            if not kept:
                if not done:  # done: the run itself finished the lease just now
                    log.warning("%s: the lease went to another process", name)
                return

    async def run_forever(self, interval: float = 60.0, start_after: float = START_AFTER) -> None:
        """Check every `interval` seconds until cancelled (start it with the bot); the
        first check after `start_after` seconds, so serving starts first, and a run held
        by another process again after `RETRY_SECONDS`."""
        await asyncio.sleep(start_after)
        while True:
            try:
                await self.run_due()
            except Exception:
                log.exception("scheduled jobs: the check failed; trying again")
            await asyncio.sleep(min(interval, RETRY_SECONDS) if self.waiting else interval)
