"""Helpers of the storage contract tests: a fixed time, new records, a planned event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.lifecycle import PlannedEvent
from domain.records import ActorKind, NewRecord, RecordKind, RecordStatus

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


def step(from_status: RecordStatus, to_status: RecordStatus, action: str = "take") -> PlannedEvent:
    """The event of a lifecycle step, as `domain.lifecycle.plan` would make it."""
    return PlannedEvent(NOW, ActorKind.OFFICIAL, "1", action, from_status, to_status, None, True)
