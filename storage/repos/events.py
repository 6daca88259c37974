"""Audit events: append-only (the schema refuses edits and deletions), one per step."""

from __future__ import annotations

from datetime import datetime

from domain.lifecycle import PlannedEvent
from domain.records import ActorKind, Event, RecordStatus
from storage.repos.rows import Repo, load, ts


class EventsRepo(Repo):
    async def append(self, record_id: int, event: PlannedEvent) -> None:
        """Append the event a step planned (`domain.lifecycle`): a record's creation here;
        a lifecycle step's through `UnitOfWork.transition`, with its record change."""
        await self.add(
            record_id,
            at=event.at,
            actor_kind=event.actor_kind,
            actor_ref=event.actor_ref,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            visible_to_citizen=event.visible_to_citizen,
            channel=event.channel,
        )

    async def add(
        self,
        record_id: int,
        *,
        at: datetime,
        actor_kind: ActorKind,
        action: str,
        actor_ref: str | None = None,
        from_status: RecordStatus | None = None,
        to_status: RecordStatus | None = None,
        note: str | None = None,
        visible_to_citizen: bool,
        channel: str | None = None,
    ) -> None:
        """Append an event that changes no record's columns (a record's creation); a
        lifecycle step appends its event through `UnitOfWork.transition`."""
        await self._exec(
            "INSERT INTO events (record_id, at, actor_kind, actor_ref, action, from_status, "
            "to_status, note, visible_to_citizen, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                ts(at),
                actor_kind.value,
                actor_ref,
                action,
                from_status.value if from_status else None,
                to_status.value if to_status else None,
                note,
                int(visible_to_citizen),
                channel,
            ),
        )

    async def list_for(self, record_id: int, *, visible_only: bool) -> list[Event]:
        sql = "SELECT * FROM events WHERE record_id = ?"
        if visible_only:
            sql += " AND visible_to_citizen = 1"
        rows = await self._all(sql + " ORDER BY id", (record_id,))
        return [load(Event, r) for r in rows]
