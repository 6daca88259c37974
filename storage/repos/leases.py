"""Leases: one process runs each scheduled job (a digest, a daily pass)."""

from __future__ import annotations

from datetime import datetime

from storage.repos.rows import Repo, ts


class LeasesRepo(Repo):
    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take the lease `name` until `until`; False if it is done or another holds it."""
        changed = await self._exec(
            "INSERT INTO job_leases (name, holder, leased_until) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "leased_until = excluded.leased_until WHERE job_leases.done_at IS NULL "
            "AND (job_leases.leased_until <= ? OR job_leases.holder = excluded.holder)",
            (name, holder, ts(until), ts(now)),
        )
        return changed == 1

    async def holder(self, name: str) -> str | None:
        """Who holds (or last held) the unfinished lease `name`."""
        row = await self._one(
            "SELECT holder FROM job_leases WHERE name = ? AND done_at IS NULL", (name,)
        )
        return str(row["holder"]) if row else None

    async def take_over(self, name: str, dead: str, holder: str, until: datetime) -> bool:
        """Take the lease from `dead`, a holder known to be gone, before it runs out."""
        changed = await self._exec(
            "UPDATE job_leases SET holder = ?, leased_until = ? "
            "WHERE name = ? AND holder = ? AND done_at IS NULL",
            (holder, ts(until), name, dead),
        )
        return changed == 1

    async def finish(self, name: str, holder: str, at: datetime) -> bool:
        """Mark the job done; False if `holder` no longer holds the lease."""
        changed = await self._exec(
            "UPDATE job_leases SET done_at = ? WHERE name = ? AND holder = ? AND done_at IS NULL",
            (ts(at), name, holder),
        )
        return changed == 1

    async def release(self, name: str, holder: str, at: datetime) -> None:
        """Give a lease up early (a process shutting down), so another may take it now."""
        await self._exec(
            "UPDATE job_leases SET leased_until = ? WHERE name = ? AND holder = ? "
            "AND done_at IS NULL",
            (ts(at), name, holder),
        )

    async def is_done(self, name: str) -> bool:
        row = await self._one("SELECT done_at FROM job_leases WHERE name = ?", (name,))
        return bool(row and row["done_at"])
