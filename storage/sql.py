"""The repository, written once in portable SQL for every backend.

SQL uses `?` placeholders; a backend's `Db` adapter translates them (PostgreSQL wants
`$1`), converts parameters (SQLite stores times as ISO 8601 text, PostgreSQL as
timestamptz) and reports affected rows. Rows behave like mappings and sequences on both
(`aiosqlite.Row`, `asyncpg.Record`). Only what truly differs between dialects goes
through `Db.dialect`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from domain.records import (
    ActorKind,
    Citizen,
    Conversation,
    DurationStats,
    Event,
    Invite,
    NewRecord,
    Official,
    OfficialRole,
    OutboxMessage,
    OverdueRecord,
    Pending,
    Rating,
    Record,
    RecordKind,
    RecordStatus,
    Stage,
    StoredAttachment,
    Subscription,
)
from storage.base import CommuneRow, OfficeRow

Row = Any  # aiosqlite.Row or asyncpg.Record: row["name"] and row[0] both work


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between backends' SQL."""

    #: appended to a SELECT that must lock the rows it reads until commit
    for_update: str
    #: hours from time {b} to time {a}, as a floating-point SQL expression
    hours_between: str = "((julianday({a}) - julianday({b})) * 24.0)"


class Db(Protocol):
    """What the repository needs from a backend's connection inside a transaction."""

    dialect: Dialect

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...


def _ts(value: datetime) -> datetime:
    """A time as storage takes it: timezone-aware, in UTC."""
    if value.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return value.astimezone(UTC)


def _dt(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value)


def _dt_required(value: str | datetime) -> datetime:
    result = _dt(value)
    if result is None:
        raise ValueError("a required time is missing")
    return result


def _returned(row: Row | None) -> Row:
    """The row an INSERT … RETURNING must give back."""
    if row is None:
        raise RuntimeError("INSERT … RETURNING returned no row")
    return row


def _citizen(row: Row) -> Citizen:
    return Citizen(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        commune_code=row["commune_code"],
        name=row["name"],
        phone=row["phone"],
        consent_at=_dt(row["consent_at"]),
        consent_version=row["consent_version"],
        created_at=_dt_required(row["created_at"]),
    )


def _record(row: Row) -> Record:
    return Record(
        id=row["id"],
        code=row["code"],
        commune_code=row["commune_code"],
        citizen_id=row["citizen_id"],
        channel=row["channel"],
        kind=RecordKind(row["kind"]),
        topic=row["topic"],
        office_code=row["office_code"],
        status=RecordStatus(row["status"]),
        description=row["description"],
        hamlet=row["hamlet"],
        place=row["place"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        anonymous=bool(row["anonymous"]),
        contact_name=row["contact_name"],
        contact_phone=row["contact_phone"],
        created_at=_dt_required(row["created_at"]),
        due_at=_dt_required(row["due_at"]),
        resolved_at=_dt(row["resolved_at"]),
        handler_id=row["handler_id"],
        version=row["version"],
        stage=Stage(row["stage"]),
        extensions=row["extensions"],
        accepted_at=_dt(row["accepted_at"]),
        answered_at=_dt(row["answered_at"]),
        followup_at=_dt(row["followup_at"]),
        rated_at=_dt(row["rated_at"]),
    )


def _official(row: Row) -> Official:
    return Official(
        id=row["id"],
        commune_code=row["commune_code"],
        channel=row["channel"],
        external_id=row["external_id"],
        display_name=row["display_name"],
        office_code=row["office_code"],
        role=OfficialRole(row["role"]),
        active=bool(row["active"]),
        created_at=_dt_required(row["created_at"]),
        step_interrupted=bool(row["step_interrupted"]),
    )


def _invite(row: Row) -> Invite:
    return Invite(
        code=row["code"],
        commune_code=row["commune_code"],
        office_code=row["office_code"],
        role=OfficialRole(row["role"]),
        display_name=row["display_name"],
        created_by=row["created_by"],
        created_at=_dt_required(row["created_at"]),
        expires_at=_dt_required(row["expires_at"]),
        used_at=_dt(row["used_at"]),
    )


# Columns a lifecycle step may change (see `SqlUnitOfWork.update_record`).
_LIFECYCLE_COLUMNS = frozenset(
    {
        "status",
        "office_code",
        "handler_id",
        "due_at",
        "stage",
        "extensions",
        "accepted_at",
        "answered_at",
        "resolved_at",
        "followup_at",
        "rated_at",
    }
)


def _event(row: Row) -> Event:
    return Event(
        id=row["id"],
        record_id=row["record_id"],
        at=_dt_required(row["at"]),
        actor_kind=ActorKind(row["actor_kind"]),
        actor_ref=row["actor_ref"],
        action=row["action"],
        from_status=RecordStatus(row["from_status"]) if row["from_status"] else None,
        to_status=RecordStatus(row["to_status"]) if row["to_status"] else None,
        note=row["note"],
        visible_to_citizen=bool(row["visible_to_citizen"]),
    )


class SqlUnitOfWork:
    """The repository operations available inside one transaction."""

    def __init__(self, db: Db) -> None:
        self._db = db

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._db.one(sql, params)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._db.all(sql, params)

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._db.execute(sql, params)

    # --- idempotency -------------------------------------------------------------------

    async def mark_update_processed(self, channel: str, update_id: str, at: datetime) -> bool:
        """Record that an update was handled; False if it already was (a redelivery)."""
        changed = await self._exec(
            "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (channel, update_id, _ts(at)),
        )
        return changed == 1

    # --- communes and offices ----------------------------------------------------------

    async def sync_communes(self, communes: Iterable[CommuneRow], at: datetime) -> None:
        """Make the communes and offices tables match the configuration."""
        for commune in communes:
            await self._exec(
                "INSERT INTO communes (code, name, synced_at) VALUES (?, ?, ?) "
                "ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                "synced_at = excluded.synced_at",
                (commune.code, commune.name, _ts(at)),
            )
            await self._exec(
                "UPDATE offices SET active = 0 WHERE commune_code = ?", (commune.code,)
            )
            for office in commune.offices:
                await self._exec(
                    "INSERT INTO offices (commune_code, code, name, chat_id, active) "
                    "VALUES (?, ?, ?, ?, 1) ON CONFLICT (commune_code, code) DO UPDATE SET "
                    "name = excluded.name, chat_id = excluded.chat_id, active = 1",
                    (commune.code, office.code, office.name, office.chat_id),
                )

    async def list_offices(self, commune_code: str) -> list[OfficeRow]:
        rows = await self._all(
            "SELECT code, name, chat_id FROM offices WHERE commune_code = ? AND active = 1 "
            "ORDER BY code",
            (commune_code,),
        )
        return [OfficeRow(r["code"], r["name"], r["chat_id"]) for r in rows]

    # --- citizens ----------------------------------------------------------------------

    async def get_citizen(self, channel: str, external_id: str) -> Citizen | None:
        """The citizen, locked until the end of the unit of work where the backend can."""
        row = await self._one(
            "SELECT * FROM citizens WHERE channel = ? AND external_id = ?"  # noqa: S608 - constant
            + self._db.dialect.for_update,
            (channel, external_id),
        )
        return _citizen(row) if row else None

    async def get_citizen_by_id(self, citizen_id: int) -> Citizen | None:
        row = await self._one("SELECT * FROM citizens WHERE id = ?", (citizen_id,))
        return _citizen(row) if row else None

    async def create_citizen(self, channel: str, external_id: str, at: datetime) -> Citizen:
        """A new citizen (or the one a concurrent unit of work just created)."""
        row = await self._one(
            "INSERT INTO citizens (channel, external_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT (channel, external_id) DO NOTHING RETURNING *",
            (channel, external_id, _ts(at)),
        )
        if row is None:
            existing = await self.get_citizen(channel, external_id)
            if existing is None:
                raise RuntimeError("citizen vanished between insert and select")
            return existing
        return _citizen(row)

    async def set_citizen_commune(self, citizen_id: int, commune_code: str) -> None:
        await self._exec(
            "UPDATE citizens SET commune_code = ? WHERE id = ?", (commune_code, citizen_id)
        )

    async def set_consent(self, citizen_id: int, at: datetime | None, version: str | None) -> None:
        """Give (at set) or withdraw (at None) consent; withdrawing also clears name/phone."""
        if at is None:
            await self._exec(
                "UPDATE citizens SET consent_at = NULL, consent_version = NULL, name = NULL, "
                "phone = NULL WHERE id = ?",
                (citizen_id,),
            )
        else:
            await self._exec(
                "UPDATE citizens SET consent_at = ?, consent_version = ? WHERE id = ?",
                (_ts(at), version, citizen_id),
            )

    async def set_citizen_contact(
        self, citizen_id: int, name: str | None, phone: str | None
    ) -> None:
        """Save the name and phone a consenting citizen gave (the CHECK refuses it otherwise)."""
        await self._exec(
            "UPDATE citizens SET name = ?, phone = ? WHERE id = ?", (name, phone, citizen_id)
        )

    async def erase_citizen(self, citizen_id: int, at: datetime) -> int:
        """Erase a citizen's personal data. Records stay, de-identified; returns their count."""
        records = await self._exec(
            "UPDATE records SET citizen_id = NULL, contact_name = NULL, contact_phone = NULL "
            "WHERE citizen_id = ?",
            (citizen_id,),
        )
        await self._exec("DELETE FROM conversations WHERE citizen_id = ?", (citizen_id,))
        # Every message to or about their chat goes too: sent texts hold what they wrote.
        chat = (
            "SELECT id FROM outbox WHERE channel = (SELECT channel FROM citizens WHERE id = ?) "
            "AND chat_id = (SELECT external_id FROM citizens WHERE id = ?)"
        )
        await self._exec(
            f"DELETE FROM outbox_deliveries WHERE outbox_id IN ({chat})",  # noqa: S608
            (citizen_id, citizen_id),
        )
        await self._exec(f"DELETE FROM outbox WHERE id IN ({chat})", (citizen_id, citizen_id))  # noqa: S608
        await self._exec("DELETE FROM citizens WHERE id = ?", (citizen_id,))
        return records

    async def purge_outbox(self, before: datetime) -> int:
        """Delete messages sent or failed before `before`; how many went."""
        old = "SELECT id FROM outbox WHERE status <> 'pending' AND created_at < ?"
        await self._exec(
            f"DELETE FROM outbox_deliveries WHERE outbox_id IN ({old})",  # noqa: S608
            (_ts(before),),
        )
        return await self._exec(f"DELETE FROM outbox WHERE id IN ({old})", (_ts(before),))  # noqa: S608

    # --- conversations -----------------------------------------------------------------

    async def get_conversation(self, citizen_id: int) -> Conversation | None:
        row = await self._one("SELECT * FROM conversations WHERE citizen_id = ?", (citizen_id,))
        if row is None:
            return None
        return Conversation(
            citizen_id=row["citizen_id"],
            flow=row["flow"],
            state=row["state"],
            data=json.loads(row["data"]),
            nonce=row["nonce"],
            updated_at=_dt_required(row["updated_at"]),
        )

    async def save_conversation(self, conversation: Conversation) -> None:
        await self._exec(
            "INSERT INTO conversations (citizen_id, flow, state, data, nonce, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE SET "
            "flow = excluded.flow, state = excluded.state, data = excluded.data, "
            "nonce = excluded.nonce, updated_at = excluded.updated_at",
            (
                conversation.citizen_id,
                conversation.flow,
                conversation.state,
                json.dumps(conversation.data, ensure_ascii=False),
                conversation.nonce,
                _ts(conversation.updated_at),
            ),
        )

    # --- records -----------------------------------------------------------------------

    async def insert_record(self, code: str, record: NewRecord) -> Record | None:
        """Insert a record under `code`; None if the code is taken (the caller retries)."""
        row = await self._one(
            "INSERT INTO records (code, commune_code, citizen_id, channel, kind, topic, "
            "office_code, status, description, hamlet, place, latitude, longitude, anonymous, "
            "contact_name, contact_phone, created_at, due_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (code) DO NOTHING RETURNING *",
            (
                code,
                record.commune_code,
                record.citizen_id,
                record.channel,
                record.kind.value,
                record.topic,
                record.office_code,
                record.description,
                record.hamlet,
                record.place,
                record.latitude,
                record.longitude,
                int(record.anonymous),
                record.contact_name,
                record.contact_phone,
                _ts(record.created_at),
                _ts(record.due_at),
            ),
        )
        return _record(row) if row else None

    async def get_record(self, code: str) -> Record | None:
        row = await self._one("SELECT * FROM records WHERE code = ?", (code,))
        return _record(row) if row else None

    async def list_citizen_records(self, citizen_id: int, limit: int) -> list[Record]:
        rows = await self._all(
            "SELECT * FROM records WHERE citizen_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (citizen_id, limit),
        )
        return [_record(r) for r in rows]

    async def count_citizen_records(self, citizen_id: int) -> int:
        row = await self._one("SELECT count(*) FROM records WHERE citizen_id = ?", (citizen_id,))
        return int(row[0]) if row else 0

    async def add_attachment(self, record_id: int, kind: str, ref: str, at: datetime) -> None:
        await self._exec(
            "INSERT INTO attachments (record_id, kind, ref, created_at) VALUES (?, ?, ?, ?)",
            (record_id, kind, ref, _ts(at)),
        )

    async def list_attachments(self, record_id: int) -> list[StoredAttachment]:
        rows = await self._all(
            "SELECT * FROM attachments WHERE record_id = ? ORDER BY id", (record_id,)
        )
        return [
            StoredAttachment(
                r["id"], r["record_id"], r["kind"], r["ref"], _dt_required(r["created_at"])
            )
            for r in rows
        ]

    async def attachments_to_fetch(self, channel: str, limit: int) -> list[StoredAttachment]:
        """Attachments of records from `channel` with no local copy yet (nor a reason why)."""
        rows = await self._all(
            "SELECT a.* FROM attachments a JOIN records r ON r.id = a.record_id "
            "LEFT JOIN attachment_files f ON f.attachment_id = a.id "
            "WHERE r.channel = ? AND f.attachment_id IS NULL ORDER BY a.id LIMIT ?",
            (channel, limit),
        )
        return [
            StoredAttachment(
                r["id"], r["record_id"], r["kind"], r["ref"], _dt_required(r["created_at"])
            )
            for r in rows
        ]

    async def record_attachment_file(
        self,
        attachment_id: int,
        at: datetime,
        *,
        path: str | None = None,
        size: int | None = None,
        error: str | None = None,
    ) -> None:
        """Record the local copy of an attachment, or why there is none."""
        await self._exec(
            "INSERT INTO attachment_files (attachment_id, path, size, error, fetched_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (attachment_id) DO UPDATE SET "
            "path = excluded.path, size = excluded.size, error = excluded.error, "
            "fetched_at = excluded.fetched_at",
            (attachment_id, path, size, error[:300] if error else None, _ts(at)),
        )

    async def attachment_file(self, attachment_id: int) -> tuple[str | None, str | None]:
        """(path, error) of an attachment's local copy; (None, None) if not fetched yet."""
        row = await self._one(
            "SELECT path, error FROM attachment_files WHERE attachment_id = ?", (attachment_id,)
        )
        return (row["path"], row["error"]) if row else (None, None)

    # --- audit events ------------------------------------------------------------------

    async def add_event(
        self,
        record_id: int,
        at: datetime,
        actor_kind: ActorKind,
        actor_ref: str | None,
        action: str,
        from_status: RecordStatus | None,
        to_status: RecordStatus | None,
        note: str | None,
        visible_to_citizen: bool,
    ) -> None:
        await self._exec(
            "INSERT INTO events (record_id, at, actor_kind, actor_ref, action, from_status, "
            "to_status, note, visible_to_citizen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_id,
                _ts(at),
                actor_kind.value,
                actor_ref,
                action,
                from_status.value if from_status else None,
                to_status.value if to_status else None,
                note,
                int(visible_to_citizen),
            ),
        )

    async def list_events(self, record_id: int, *, visible_only: bool) -> list[Event]:
        sql = "SELECT * FROM events WHERE record_id = ?"
        if visible_only:
            sql += " AND visible_to_citizen = 1"
        rows = await self._all(sql + " ORDER BY id", (record_id,))
        return [_event(r) for r in rows]

    # --- officials ----------------------------------------------------------------------

    async def upsert_official(
        self,
        commune_code: str,
        channel: str,
        external_id: str,
        display_name: str,
        office_code: str,
        role: OfficialRole,
        at: datetime,
    ) -> Official:
        """Bind a channel identity to an office and role (re-activating a revoked one)."""
        row = await self._one(
            "INSERT INTO officials (commune_code, channel, external_id, display_name, "
            "office_code, role, active, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?) "
            "ON CONFLICT (channel, external_id) DO UPDATE SET "
            "commune_code = excluded.commune_code, display_name = excluded.display_name, "
            "office_code = excluded.office_code, role = excluded.role, active = 1, "
            "revoked_at = NULL, step_interrupted = 0 RETURNING *",
            (commune_code, channel, external_id, display_name, office_code, role.value, _ts(at)),
        )
        return _official(_returned(row))

    async def get_official(self, channel: str, external_id: str) -> Official | None:
        """The official bound to this identity, active or revoked."""
        row = await self._one(
            "SELECT * FROM officials WHERE channel = ? AND external_id = ?",
            (channel, external_id),
        )
        return _official(row) if row else None

    async def get_official_by_id(self, official_id: int) -> Official | None:
        row = await self._one("SELECT * FROM officials WHERE id = ?", (official_id,))
        return _official(row) if row else None

    async def list_officials(
        self, commune_code: str | None = None, office_code: str | None = None
    ) -> list[Official]:
        """Active officials, optionally of one commune and office."""
        sql = "SELECT * FROM officials WHERE active = 1"
        params: list[Any] = []
        if commune_code is not None:
            sql += " AND commune_code = ?"
            params.append(commune_code)
        if office_code is not None:
            sql += " AND office_code = ?"
            params.append(office_code)
        rows = await self._all(sql + " ORDER BY commune_code, office_code, id", params)
        return [_official(r) for r in rows]

    async def revoke_official(self, official_id: int, at: datetime) -> bool:
        """Revoke, dropping a waiting typed step (and remembering that one was dropped)."""
        changed = await self._exec(
            "UPDATE officials SET active = 0, revoked_at = ?, step_interrupted = "
            "(CASE WHEN EXISTS (SELECT 1 FROM official_pending WHERE official_id = ?) "
            "THEN 1 ELSE 0 END) WHERE id = ? AND active = 1",
            (_ts(at), official_id, official_id),
        )
        await self._exec("DELETE FROM official_pending WHERE official_id = ?", (official_id,))
        return changed == 1

    async def clear_step_interrupted(self, official_id: int) -> None:
        await self._exec("UPDATE officials SET step_interrupted = 0 WHERE id = ?", (official_id,))

    async def list_handled_open_records(
        self, official_id: int, statuses: Sequence[RecordStatus]
    ) -> list[Record]:
        """Open records whose handler is `official_id` (to reassign after a revoke)."""
        rows = await self._all(
            "SELECT * FROM records WHERE handler_id = ? AND status IN ("  # noqa: S608
            + ", ".join("?" for _ in statuses)
            + ") ORDER BY due_at, id",
            (official_id, *(s.value for s in statuses)),
        )
        return [_record(r) for r in rows]

    async def create_invite(self, invite: Invite) -> bool:
        """Store a new invite; False if the code is taken (the caller retries)."""
        changed = await self._exec(
            "INSERT INTO invites (code, commune_code, office_code, role, display_name, "
            "created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (code) DO NOTHING",
            (
                invite.code,
                invite.commune_code,
                invite.office_code,
                invite.role.value,
                invite.display_name,
                invite.created_by,
                _ts(invite.created_at),
                _ts(invite.expires_at),
            ),
        )
        return changed == 1

    async def get_invite(self, code: str) -> Invite | None:
        row = await self._one("SELECT * FROM invites WHERE code = ?", (code,))
        return _invite(row) if row else None

    async def use_invite(self, code: str, official_id: int, at: datetime) -> bool:
        """Spend an invite once, before it expires; False if used, expired or unknown."""
        changed = await self._exec(
            "UPDATE invites SET used_at = ?, used_by = ? "
            "WHERE code = ? AND used_at IS NULL AND expires_at > ?",
            (_ts(at), official_id, code, _ts(at)),
        )
        return changed == 1

    async def set_pending(
        self,
        official_id: int,
        record_id: int,
        action: str,
        chat_id: str,
        at: datetime,
        version: int | None = None,
    ) -> None:
        """Remember the step an official is about to type, and the record's version then."""
        await self._exec(
            "INSERT INTO official_pending "
            "(official_id, record_id, action, chat_id, created_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (official_id) DO UPDATE SET "
            "record_id = excluded.record_id, action = excluded.action, "
            "chat_id = excluded.chat_id, created_at = excluded.created_at, "
            "version = excluded.version",
            (official_id, record_id, action, chat_id, _ts(at), version),
        )

    async def get_pending(self, official_id: int) -> Pending | None:
        row = await self._one(
            "SELECT * FROM official_pending WHERE official_id = ?", (official_id,)
        )
        if row is None:
            return None
        return Pending(
            row["official_id"],
            row["record_id"],
            row["action"],
            row["chat_id"],
            _dt_required(row["created_at"]),
            row["version"],
        )

    async def clear_pending(self, official_id: int) -> None:
        await self._exec("DELETE FROM official_pending WHERE official_id = ?", (official_id,))

    # --- the records' lifecycle --------------------------------------------------------

    async def get_record_by_id(self, record_id: int) -> Record | None:
        row = await self._one("SELECT * FROM records WHERE id = ?", (record_id,))
        return _record(row) if row else None

    async def update_record(
        self, record_id: int, expected_version: int, changes: dict[str, Any]
    ) -> Record | None:
        """Apply a lifecycle step if the record is still at `expected_version`.

        Bumps the version; None when another step got there first (the caller says so).
        Only `handlers.records.apply` calls this, together with `add_event`.
        """
        unknown = set(changes) - _LIFECYCLE_COLUMNS
        if unknown:
            raise ValueError(f"not a lifecycle column: {sorted(unknown)}")
        names = sorted(changes)
        values = [
            _ts(v) if isinstance(v, datetime) else (v.value if isinstance(v, StrEnum) else v)
            for v in (changes[n] for n in names)
        ]
        assignments = "".join(f"{n} = ?, " for n in names)
        row = await self._one(
            f"UPDATE records SET {assignments}version = version + 1 "  # noqa: S608 - whitelisted
            "WHERE id = ? AND version = ? RETURNING *",
            (*values, record_id, expected_version),
        )
        return _record(row) if row else None

    async def list_open_records(
        self,
        commune_code: str,
        office_code: str | None,
        statuses: Sequence[RecordStatus],
        limit: int,
        offset: int = 0,
        due_before: datetime | None = None,
    ) -> list[Record]:
        """Records in `statuses` (of one office, or the whole commune), oldest due first."""
        sql = "SELECT * FROM records WHERE commune_code = ?"
        params: list[Any] = [commune_code]
        if office_code is not None:
            sql += " AND office_code = ?"
            params.append(office_code)
        sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
        params.extend(s.value for s in statuses)
        if due_before is not None:
            sql += " AND due_at <= ?"
            params.append(_ts(due_before))
        rows = await self._all(
            sql + " ORDER BY due_at, id LIMIT ? OFFSET ?", (*params, limit, offset)
        )
        return [_record(r) for r in rows]

    async def count_open_records(
        self, commune_code: str, office_code: str | None, statuses: Sequence[RecordStatus]
    ) -> int:
        sql = "SELECT count(*) FROM records WHERE commune_code = ?"
        params: list[Any] = [commune_code]
        if office_code is not None:
            sql += " AND office_code = ?"
            params.append(office_code)
        sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
        params.extend(s.value for s in statuses)
        row = await self._one(sql, params)
        return int(row[0]) if row else 0

    async def add_rating(
        self, record_id: int, at: datetime, value: Rating, reason: str | None
    ) -> int:
        row = await self._one(
            "INSERT INTO ratings (record_id, at, value, reason) VALUES (?, ?, ?, ?) RETURNING id",
            (record_id, _ts(at), value.value, reason),
        )
        return int(_returned(row)[0])

    async def set_rating_reason(self, rating_id: int, reason: str) -> None:
        await self._exec("UPDATE ratings SET reason = ? WHERE id = ?", (reason, rating_id))

    async def latest_rating(self, record_id: int) -> tuple[Rating, str | None] | None:
        row = await self._one(
            "SELECT value, reason FROM ratings WHERE record_id = ? ORDER BY id DESC LIMIT 1",
            (record_id,),
        )
        return (Rating(row["value"]), row["reason"]) if row else None

    async def list_followup_due(self, answered_before: datetime, limit: int) -> list[Record]:
        """Answered or closed records, never rated nor followed up, quiet since the answer."""
        rows = await self._all(
            "SELECT * FROM records WHERE status IN ('answered', 'closed') "
            "AND followup_at IS NULL AND rated_at IS NULL AND answered_at IS NOT NULL "
            "AND answered_at <= ? ORDER BY answered_at, id LIMIT ?",
            (_ts(answered_before), limit),
        )
        return [_record(r) for r in rows]

    async def mark_followup_sent(self, record_id: int, at: datetime) -> None:
        """Note the one follow-up question (not a lifecycle step: no version bump)."""
        await self._exec("UPDATE records SET followup_at = ? WHERE id = ?", (_ts(at), record_id))

    async def add_deadline_notice(
        self, record_id: int, kind: str, local_day: str, at: datetime
    ) -> bool:
        """Note a reminder/escalation for a day; False if one was already sent that day."""
        changed = await self._exec(
            "INSERT INTO deadline_notices (record_id, kind, local_day, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (record_id, kind, local_day, _ts(at)),
        )
        return changed == 1

    # --- questions the bot could not answer -------------------------------------------

    async def log_question(
        self,
        commune_code: str,
        at: datetime,
        question: str,
        intent: str,
        answered: bool,
        confidence: float,
        best_faq_id: str | None,
    ) -> None:
        """Keep a redacted question for the digest (callers pass no personal data)."""
        await self._exec(
            "INSERT INTO question_log (commune_code, at, question, intent, answered, "
            "confidence, best_faq_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                commune_code,
                _ts(at),
                question,
                intent,
                int(answered),
                max(0.0, min(1.0, confidence)),
                best_faq_id,
            ),
        )

    async def top_unanswered_questions(
        self, commune_code: str, since: datetime, until: datetime, limit: int
    ) -> list[tuple[str, int]]:
        """The most frequent unanswered questions in [since, until), with their counts."""
        rows = await self._all(
            "SELECT question, count(*) AS n FROM question_log WHERE commune_code = ? "
            "AND at >= ? AND at < ? AND answered = 0 GROUP BY question "
            "ORDER BY n DESC, question LIMIT ?",
            (commune_code, _ts(since), _ts(until), limit),
        )
        return [(r["question"], int(r["n"])) for r in rows]

    # --- outbox ------------------------------------------------------------------------

    async def enqueue(
        self, channel: str, chat_id: str, priority: int, payload: dict[str, Any], at: datetime
    ) -> int:
        row = await self._one(
            "INSERT INTO outbox (channel, chat_id, priority, payload, created_at, not_before) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (channel, chat_id, priority, json.dumps(payload, ensure_ascii=False), _ts(at), _ts(at)),
        )
        return int(_returned(row)[0])

    async def pending_outbox(
        self, channel: str, now: datetime, limit: int, chat_id: str | None = None
    ) -> list[OutboxMessage]:
        """Pending messages due by `now`, highest priority first, oldest first."""
        sql = "SELECT * FROM outbox WHERE channel = ? AND status = 'pending' AND not_before <= ?"
        params: list[Any] = [channel, _ts(now)]
        if chat_id is not None:
            sql += " AND chat_id = ?"
            params.append(chat_id)
        rows = await self._all(sql + " ORDER BY priority, id LIMIT ?", (*params, limit))
        return [_outbox(r) for r in rows]

    async def mark_sent(self, message_id: int, at: datetime) -> bool:
        """Mark a message sent; False if it was not pending (never send twice)."""
        changed = await self._exec(
            "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
            "WHERE id = ? AND status = 'pending'",
            (_ts(at), message_id),
        )
        return changed == 1

    async def mark_failed(self, message_id: int, error: str, *, retry_at: datetime | None) -> None:
        """Record a failed attempt: retried at `retry_at`, or failed for good if None."""
        if retry_at is None:
            await self._exec(
                "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 "
                "WHERE id = ? AND status = 'pending'",
                (error[:500], message_id),
            )
        else:
            await self._exec(
                "UPDATE outbox SET last_error = ?, attempts = attempts + 1, not_before = ? "
                "WHERE id = ? AND status = 'pending'",
                (error[:500], _ts(retry_at), message_id),
            )

    async def outbox_counts(self) -> dict[str, int]:
        rows = await self._all("SELECT status, count(*) AS n FROM outbox GROUP BY status")
        return {r["status"]: int(r["n"]) for r in rows}

    async def outbox_heads(
        self, channel: str, now: datetime, limit: int, exclude_chats: Sequence[str] = ()
    ) -> list[OutboxMessage]:
        """The first pending message of each chat, if it is due, highest priority first.

        Only a chat's first message (by priority, then age) is offered, so one chat's
        messages go out in order and a message waiting for a retry holds back the ones
        queued after it. `exclude_chats` leaves out chats the sender is pacing.
        """
        excluded = ""
        if exclude_chats:
            excluded = f"AND chat_id NOT IN ({', '.join('?' for _ in exclude_chats)}) "
        rows = await self._all(
            "SELECT * FROM (SELECT *, row_number() OVER "  # noqa: S608 - placeholders only
            "(PARTITION BY chat_id ORDER BY priority, id) AS place FROM outbox "
            "WHERE channel = ? AND status = 'pending' " + excluded + ") AS heads "
            "WHERE place = 1 AND not_before <= ? ORDER BY priority, id LIMIT ?",
            (channel, *exclude_chats, _ts(now), limit),
        )
        return [_outbox(r) for r in rows]

    async def next_outbox_due(self, channel: str) -> datetime | None:
        """When the earliest pending message of the channel becomes due."""
        row = await self._one(
            "SELECT min(not_before) FROM outbox WHERE channel = ? AND status = 'pending'",
            (channel,),
        )
        return _dt(row[0]) if row else None

    async def outbox_is_pending(self, outbox_id: int) -> bool:
        row = await self._one("SELECT status FROM outbox WHERE id = ?", (outbox_id,))
        return row is not None and row[0] == "pending"

    async def sent_parts(self, outbox_id: int) -> int:
        """How many parts of a (possibly split) message were already sent."""
        row = await self._one(
            "SELECT count(*) FROM outbox_deliveries WHERE outbox_id = ?", (outbox_id,)
        )
        return int(row[0]) if row else 0

    async def record_delivery(
        self,
        outbox_id: int,
        part: int,
        channel: str,
        chat_id: str,
        channel_message_id: str,
        at: datetime,
    ) -> None:
        """Record the channel's id of one message sent for an outbox row."""
        await self._exec(
            "INSERT INTO outbox_deliveries (outbox_id, part, channel, chat_id, "
            "channel_message_id, sent_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (outbox_id, part, channel, chat_id, channel_message_id, _ts(at)),
        )

    async def record_code_for_message(
        self, channel: str, chat_id: str, channel_message_id: str
    ) -> str | None:
        """The record a message the bot sent was about (a reply to it concerns that record)."""
        row = await self._one(
            "SELECT o.payload FROM outbox_deliveries d JOIN outbox o ON o.id = d.outbox_id "
            "WHERE d.channel = ? AND d.chat_id = ? AND d.channel_message_id = ?",
            (channel, chat_id, channel_message_id),
        )
        code = json.loads(row[0]).get("record_code") if row else None
        return str(code) if code else None

    async def oldest_pending_outbox(self, channel: str | None = None) -> OutboxMessage | None:
        sql = "SELECT * FROM outbox WHERE status = 'pending'"
        params: tuple[str, ...] = ()
        if channel is not None:
            sql += " AND channel = ?"
            params = (channel,)
        row = await self._one(sql + " ORDER BY created_at, id LIMIT 1", params)
        return _outbox(row) if row else None

    async def outbox_counts_by_channel(self) -> dict[tuple[str, str, int], int]:
        """(channel, status, priority) → number of messages."""
        rows = await self._all(
            "SELECT channel, status, priority, count(*) AS n FROM outbox "
            "GROUP BY channel, status, priority"
        )
        return {(r["channel"], r["status"], r["priority"]): int(r["n"]) for r in rows}

    async def outbox_progress(self, first_id: int, last_id: int) -> dict[str, int]:
        """Counts by status of one broadcast's rows: ids first_id..last_id at broadcast
        priority (rows another process queued meanwhile may interleave the ids)."""
        rows = await self._all(
            "SELECT status, count(*) AS n FROM outbox WHERE id BETWEEN ? AND ? "
            "AND priority = 2 GROUP BY status",
            (first_id, last_id),
        )
        return {r["status"]: int(r["n"]) for r in rows}

    # --- announcements -----------------------------------------------------------------

    async def subscribe(
        self, citizen_id: int, commune_code: str, hamlet: str | None, at: datetime
    ) -> None:
        await self._exec(
            "INSERT INTO subscriptions (citizen_id, commune_code, hamlet, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (citizen_id) DO UPDATE SET "
            "commune_code = excluded.commune_code, hamlet = excluded.hamlet",
            (citizen_id, commune_code, hamlet, _ts(at)),
        )

    async def unsubscribe(self, citizen_id: int) -> bool:
        """Stop announcements; False if the citizen was not subscribed."""
        return (
            await self._exec("DELETE FROM subscriptions WHERE citizen_id = ?", (citizen_id,)) == 1
        )

    async def get_subscription(self, citizen_id: int) -> Subscription | None:
        row = await self._one(
            "SELECT s.*, c.channel, c.external_id FROM subscriptions s "
            "JOIN citizens c ON c.id = s.citizen_id WHERE s.citizen_id = ?",
            (citizen_id,),
        )
        return _subscription(row) if row else None

    async def list_subscriptions(
        self, commune_code: str, hamlet: str | None = None
    ) -> list[Subscription]:
        """Who gets an announcement: for a hamlet, its subscribers and the whole commune's."""
        sql = (
            "SELECT s.*, c.channel, c.external_id FROM subscriptions s "
            "JOIN citizens c ON c.id = s.citizen_id WHERE s.commune_code = ?"
        )
        params: list[Any] = [commune_code]
        if hamlet is not None:
            sql += " AND (s.hamlet IS NULL OR s.hamlet = ?)"
            params.append(hamlet)
        rows = await self._all(sql + " ORDER BY s.citizen_id", params)
        return [_subscription(r) for r in rows]

    # --- the weekly digest: aggregates over [since, until), never personal data ----------

    async def digest_received(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[RecordKind, str, str | None, str | None, int]]:
        """Records received, counted per (kind, office, topic, hamlet)."""
        rows = await self._all(
            "SELECT kind, office_code, topic, hamlet, count(*) AS n FROM records "
            "WHERE commune_code = ? AND created_at >= ? AND created_at < ? "
            "GROUP BY kind, office_code, topic, hamlet",
            (commune_code, _ts(since), _ts(until)),
        )
        return [
            (RecordKind(r["kind"]), r["office_code"], r["topic"], r["hamlet"], int(r["n"]))
            for r in rows
        ]

    async def digest_daily(
        self, commune_code: str, days: Sequence[tuple[datetime, datetime]]
    ) -> list[tuple[int, int]]:
        """(received, closed) for each [start, end) in `days`, in order."""
        result = []
        for start, end in days:
            row = await self._one(
                "SELECT (SELECT count(*) FROM records WHERE commune_code = ? "
                "AND created_at >= ? AND created_at < ?) AS received, "
                "(SELECT count(DISTINCT e.record_id) FROM events e "
                "JOIN records r ON r.id = e.record_id WHERE e.to_status = 'closed' "
                "AND (e.from_status IS NULL OR e.from_status <> 'closed') "
                "AND e.at >= ? AND e.at < ? AND r.commune_code = ?) AS closed",
                (commune_code, _ts(start), _ts(end), _ts(start), _ts(end), commune_code),
            )
            result.append((int(row["received"]), int(row["closed"])) if row else (0, 0))
        return result

    async def digest_actions(
        self, commune_code: str, since: datetime, until: datetime, actions: Sequence[str]
    ) -> list[tuple[str, str, int]]:
        """(action, office, distinct records) for events with one of `actions`."""
        if not actions:
            return []
        marks = ", ".join("?" for _ in actions)
        sql = (
            "SELECT e.action, r.office_code, count(DISTINCT e.record_id) AS n FROM events e "  # noqa: S608
            f"JOIN records r ON r.id = e.record_id WHERE e.action IN ({marks}) "
            "AND e.at >= ? AND e.at < ? AND r.commune_code = ? "
            "GROUP BY e.action, r.office_code"
        )
        rows = await self._all(sql, (*actions, _ts(since), _ts(until), commune_code))
        return [(r["action"], r["office_code"], int(r["n"])) for r in rows]

    async def digest_closed(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, int]]:
        """(office, distinct records) that entered `closed` in the range, whichever action
        closed them (done, a rating, the quiet-period close)."""
        rows = await self._all(
            "SELECT r.office_code, count(DISTINCT e.record_id) AS n FROM events e "
            "JOIN records r ON r.id = e.record_id WHERE e.to_status = 'closed' "
            "AND (e.from_status IS NULL OR e.from_status <> 'closed') "
            "AND e.at >= ? AND e.at < ? AND r.commune_code = ? GROUP BY r.office_code",
            (_ts(since), _ts(until), commune_code),
        )
        return [(r["office_code"], int(r["n"])) for r in rows]

    async def digest_resolved(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, int, int]]:
        """(office, resolved, resolved by the deadline) for records resolved in the range."""
        rows = await self._all(
            "SELECT office_code, count(*) AS n, "
            "sum(CASE WHEN resolved_at <= due_at THEN 1 ELSE 0 END) AS on_time "
            "FROM records WHERE commune_code = ? AND resolved_at >= ? AND resolved_at < ? "
            "GROUP BY office_code",
            (commune_code, _ts(since), _ts(until)),
        )
        return [(r["office_code"], int(r["n"]), int(r["on_time"])) for r in rows]

    async def digest_overdue_counts(
        self, commune_code: str, at: datetime
    ) -> list[tuple[str, RecordKind, int]]:
        """(office, kind, count) of records open at `at` whose deadline had passed."""
        rows = await self._all(
            f"SELECT office_code, kind, count(*) AS n FROM ({_OVERDUE}) o "  # noqa: S608
            "GROUP BY office_code, kind",
            _overdue_params(commune_code, at),
        )
        return [(r["office_code"], RecordKind(r["kind"]), int(r["n"])) for r in rows]

    async def digest_overdue_records(
        self, commune_code: str, at: datetime, limit: int, exclude: Sequence[RecordKind]
    ) -> list[OverdueRecord]:
        """The records open at `at` and longest past their deadline, except `exclude` kinds."""
        skip = ", ".join("?" for _ in exclude) or "''"
        rows = await self._all(
            f"SELECT * FROM ({_OVERDUE}) o WHERE kind NOT IN ({skip}) "  # noqa: S608
            "ORDER BY due_at, code LIMIT ?",
            (*_overdue_params(commune_code, at), *(k.value for k in exclude), limit),
        )
        return [
            OverdueRecord(
                r["code"], r["office_code"], RecordKind(r["kind"]), _dt_required(r["due_at"])
            )
            for r in rows
        ]

    async def digest_first_response(
        self, commune_code: str, since: datetime, until: datetime
    ) -> DurationStats:
        """From receipt to an official's first event, for first events in the range."""
        hours = self._db.dialect.hours_between.format(a="f.first_at", b="r.created_at")
        row = await self._one(
            "WITH firsts AS (SELECT record_id, min(at) AS first_at FROM events "  # noqa: S608
            "WHERE actor_kind = 'official' AND at >= ? AND at < ? GROUP BY record_id), "
            f"d AS (SELECT {hours} AS h FROM firsts f JOIN records r ON r.id = f.record_id "
            "WHERE r.commune_code = ? AND NOT EXISTS (SELECT 1 FROM events p "
            "WHERE p.record_id = f.record_id AND p.actor_kind = 'official' AND p.at < ?))"
            + _PERCENTILES,
            (_ts(since), _ts(until), commune_code, _ts(since)),
        )
        return _durations(row)

    async def digest_time_to_close(
        self, commune_code: str, since: datetime, until: datetime
    ) -> DurationStats:
        """From receipt to closing, for records closed in the range."""
        hours = self._db.dialect.hours_between.format(a="x.closed_at", b="r.created_at")
        row = await self._one(
            "WITH closes AS (SELECT e.record_id, min(e.at) AS closed_at FROM events e "  # noqa: S608
            "WHERE e.to_status = 'closed' AND (e.from_status IS NULL "
            "OR e.from_status <> 'closed') AND e.at >= ? AND e.at < ? "
            "GROUP BY e.record_id), "
            f"d AS (SELECT {hours} AS h FROM closes x JOIN records r ON r.id = x.record_id "
            "WHERE r.commune_code = ?)" + _PERCENTILES,
            (_ts(since), _ts(until), commune_code),
        )
        return _durations(row)

    async def digest_ratings(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, str, int]]:
        """(office, level, count) of citizens' ratings given in the range; a record rated
        twice counts its latest rating in the range."""
        rows = await self._all(
            "WITH latest AS (SELECT record_id, max(id) AS id FROM ratings "
            "WHERE at >= ? AND at < ? GROUP BY record_id) "
            "SELECT r.office_code, g.value AS level, count(*) AS n FROM latest l "
            "JOIN ratings g ON g.id = l.id JOIN records r ON r.id = l.record_id "
            "WHERE r.commune_code = ? GROUP BY r.office_code, g.value",
            (_ts(since), _ts(until), commune_code),
        )
        return [(r["office_code"], r["level"], int(r["n"])) for r in rows]

    # --- leases: one process runs each scheduled job -----------------------------------

    async def acquire_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take the lease `name` until `until`; False if it is done or another holds it."""
        changed = await self._exec(
            "INSERT INTO job_leases (name, holder, leased_until) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
            "leased_until = excluded.leased_until WHERE job_leases.done_at IS NULL "
            "AND (job_leases.leased_until <= ? OR job_leases.holder = excluded.holder)",
            (name, holder, _ts(until), _ts(now)),
        )
        return changed == 1

    async def finish_lease(self, name: str, holder: str, at: datetime) -> bool:
        """Mark the job done; False if `holder` no longer holds the lease."""
        changed = await self._exec(
            "UPDATE job_leases SET done_at = ? WHERE name = ? AND holder = ? AND done_at IS NULL",
            (_ts(at), name, holder),
        )
        return changed == 1

    async def release_lease(self, name: str, holder: str, at: datetime) -> None:
        """Give a lease up early (a process shutting down), so another may take it now."""
        await self._exec(
            "UPDATE job_leases SET leased_until = ? WHERE name = ? AND holder = ? "
            "AND done_at IS NULL",
            (_ts(at), name, holder),
        )

    async def lease_done(self, name: str) -> bool:
        row = await self._one("SELECT done_at FROM job_leases WHERE name = ?", (name,))
        return bool(row and row["done_at"])


# Nearest-rank median and 90th percentile (the k-th smallest, k = ceil(n·p)) of the hours
# `h` of a CTE named `d`, appended to a WITH clause.
_PERCENTILES = (
    ", ranked AS (SELECT h, row_number() OVER (ORDER BY h) AS rn, count(*) OVER () AS n "
    "FROM d) SELECT max(n) AS n, max(CASE WHEN rn = (n * 50 + 99) / 100 THEN h END) AS p50, "
    "max(CASE WHEN rn = (n * 90 + 99) / 100 THEN h END) AS p90 FROM ranked"
)

# Records open at a moment (not resolved, or resolved later) and past their deadline; both
# halves are ranges of records_commune_resolved. (A deadline comes after the receipt, so
# due_at < at also means the record existed at `at`; saying created_at < at as well lets
# SQLite's planner pick the created_at index and walk every older record.)
_OVERDUE = (
    "SELECT code, office_code, kind, due_at FROM records "
    "WHERE commune_code = ? AND resolved_at IS NULL AND due_at < ? "
    "UNION ALL SELECT code, office_code, kind, due_at FROM records "
    "WHERE commune_code = ? AND resolved_at > ? AND due_at < ?"
)


def _overdue_params(commune_code: str, at: datetime) -> list[Any]:
    return [commune_code, _ts(at), commune_code, _ts(at), _ts(at)]


def _durations(row: Row | None) -> DurationStats:
    if row is None or not row["n"]:
        return DurationStats(0, None, None)
    return DurationStats(int(row["n"]), float(row["p50"]), float(row["p90"]))


def _outbox(r: Row) -> OutboxMessage:
    return OutboxMessage(
        id=r["id"],
        channel=r["channel"],
        chat_id=r["chat_id"],
        priority=r["priority"],
        payload=json.loads(r["payload"]),
        created_at=_dt_required(r["created_at"]),
        attempts=r["attempts"],
        not_before=_dt_required(r["not_before"]),
    )


def _subscription(r: Row) -> Subscription:
    return Subscription(
        citizen_id=r["citizen_id"],
        channel=r["channel"],
        chat_id=r["external_id"],
        commune_code=r["commune_code"],
        hamlet=r["hamlet"],
    )
