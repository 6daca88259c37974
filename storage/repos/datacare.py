"""Data care: what `danvan export`, `danvan retention` and `danvan migrate` read and change.

Export reads records (by their receipt time) with their events; retention de-identifies
closed records, prunes processed-update marks and conversations nobody touched for long.
Portable SQL, both backends.
"""

from __future__ import annotations

from datetime import datetime

from storage.base import Row
from storage.repos.rows import Repo, ts

RECORD_COLUMNS = (
    "id",
    "code",
    "commune_code",
    "citizen_id",
    "channel",
    "kind",
    "topic",
    "office_code",
    "status",
    "stage",
    "description",
    "hamlet",
    "place",
    "latitude",
    "longitude",
    "anonymous",
    "contact_name",
    "contact_phone",
    "created_at",
    "due_at",
    "accepted_at",
    "answered_at",
    "resolved_at",
    "extensions",
)
EVENT_COLUMNS = (
    "id",
    "record_id",
    "at",
    "actor_kind",
    "actor_ref",
    "action",
    "from_status",
    "to_status",
    "note",
    "visible_to_citizen",
)

# A closed record still identified, whose last event (its closing) is older than the
# parameter: what de-identification changes.
_DEIDENTIFY = (
    "UPDATE records SET citizen_id = NULL, contact_name = NULL, contact_phone = NULL "
    "WHERE status = 'closed' "
    "AND (citizen_id IS NOT NULL OR contact_name IS NOT NULL OR contact_phone IS NOT NULL) "
    "AND (SELECT MAX(e.at) FROM events e WHERE e.record_id = records.id) < ?"
)


class DataCareRepo(Repo):
    async def export_records(self, start: datetime, end: datetime) -> list[Row]:
        """Records received in [start, end), oldest first."""
        columns = ", ".join(RECORD_COLUMNS)
        return await self._all(
            f"SELECT {columns} FROM records "  # noqa: S608 - fixed column names
            "WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id",
            (ts(start), ts(end)),
        )

    async def export_events(self, start: datetime, end: datetime) -> list[Row]:
        """The events of those records, in order."""
        columns = ", ".join(f"e.{c}" for c in EVENT_COLUMNS)
        return await self._all(
            f"SELECT {columns}, r.code AS record_code FROM events e "  # noqa: S608
            "JOIN records r ON r.id = e.record_id "
            "WHERE r.created_at >= ? AND r.created_at < ? ORDER BY e.record_id, e.id",
            (ts(start), ts(end)),
        )

    async def deidentify_closed(self, closed_before: datetime) -> int:
        """Closed records whose last event is older than `closed_before` lose their link to
        the citizen and their contact details; returns how many changed. The content stays
        as the commune's file (as after `/xoadulieu`)."""
        return await self._exec(_DEIDENTIFY, (ts(closed_before),))

    async def prune_processed_updates(self, before: datetime) -> int:
        """Processed-update marks older than `before`, except each channel's newest (a
        redelivery that old is no longer possible; the newest says where a channel is)."""
        return await self._exec(
            "DELETE FROM processed_updates WHERE processed_at < ? AND processed_at < "
            "(SELECT MAX(p.processed_at) FROM processed_updates p "
            "WHERE p.channel = processed_updates.channel)",
            (ts(before),),
        )

    async def prune_conversations(self, before: datetime) -> int:
        """Citizens' and officials' conversations untouched since `before` (a draft or a
        waiting step left that long); the next message starts afresh."""
        citizens = await self._exec("DELETE FROM conversations WHERE updated_at < ?", (ts(before),))
        officials = await self._exec(
            "DELETE FROM official_conversations WHERE updated_at < ?", (ts(before),)
        )
        return citizens + officials

    async def migrations(self) -> list[Row]:
        """The applied schema migrations, in order."""
        return await self._all(
            "SELECT number, name, applied_at FROM schema_migrations ORDER BY number"
        )

    async def count_records(self) -> int:
        row = await self._one("SELECT COUNT(*) AS n FROM records")
        return int(row["n"]) if row else 0
