"""Helpers of the storage contract tests: a fixed time, new records, a planned event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.lifecycle import PlannedEvent
from domain.records import ActorKind, NewRecord, RecordKind, RecordStatus
from storage import UnitOfWork
from storage.repos.rows import ts

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def new_record(citizen_id: int | None = None, **changes: object) -> NewRecord:
    fields: dict[str, object] = {
        "commune_code": "CG",
        "citizen_id": citizen_id,
        "channel": "test",
        "kind": RecordKind.PHAN_ANH,
        "topic": None,
        "office_code": "VP",
        "description": "Đèn hỏng",
        "hamlet": "Thôn 1",
        "place": None,
        "latitude": None,
        "longitude": None,
        "anonymous": True,
        "contact_name": None,
        "contact_phone": None,
        "created_at": NOW,
        "due_at": NOW + timedelta(days=10),
    }
    fields.update(changes)
    return NewRecord(**fields)  # type: ignore[arg-type]


async def insert_before_013(uow: UnitOfWork, code: str) -> int:
    """A record written with the columns of a schema older than migration 013 (the
    repository writes `publishable`); returns its id."""
    row = await uow._one(
        "INSERT INTO records (code, commune_code, channel, kind, office_code, status, "
        "description, anonymous, created_at, due_at) "
        "VALUES (?, 'CG', 'test', 'phan_anh', 'VP', 'received', 'Đèn hỏng', 1, ?, ?) "
        "RETURNING id",
        (code, ts(NOW), ts(NOW + timedelta(days=10))),
    )
    assert row is not None
    return int(row["id"])


def step(from_status: RecordStatus, to_status: RecordStatus, action: str = "take") -> PlannedEvent:
    """The event of a lifecycle step, as `domain.lifecycle.plan` would make it."""
    return PlannedEvent(NOW, ActorKind.OFFICIAL, "1", action, from_status, to_status, None, True)
