"""Helpers of the lifecycle tests (tests/lifecycle/): a fixed time, officials and
records to ask permissions about, and a record put in a status on a real database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from domain.lifecycle import (
    PlannedEvent,
)
from domain.records import (
    ActorKind,
    NewRecord,
    Official,
    OfficialRole,
    Record,
    RecordKind,
    RecordStatus,
    Stage,
)
from storage import Storage

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
S = RecordStatus


def official(
    role: OfficialRole, office: str = "VP", oid: int = 7, commune: str = "CG", active: bool = True
) -> Official:
    return Official(oid, commune, "test", f"o{oid}", "Lan", office, role, active, NOW)


def record(kind: RecordKind = RecordKind.PHAN_ANH, **changes: object) -> Record:
    base = Record(
        id=1,
        code="CG-2611-AAAAAA",
        commune_code="CG",
        citizen_id=5,
        channel="test",
        kind=kind,
        topic=None,
        office_code="VP",
        status=S.RECEIVED,
        description="x",
        hamlet=None,
        place=None,
        latitude=None,
        longitude=None,
        anonymous=False,
        contact_name="Trần Văn Bình",
        contact_phone="0987654321",
        created_at=NOW,
        due_at=NOW + timedelta(days=10),
        resolved_at=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def new_in(
    store: Storage, status: RecordStatus, kind: RecordKind, stage: Stage = Stage.INTAKE
) -> Record:
    async with store.transaction() as uow:
        rec = await uow.records.insert(
            f"CG-2611-{status.value[:5].upper():A<5}"[:13] + str(len(kind.value)),
            NewRecord(
                "CG",
                None,
                "test",
                kind,
                None,
                "VP",
                "x",
                None,
                None,
                None,
                None,
                True,
                None,
                None,
                NOW,
                NOW + timedelta(days=10),
            ),
        )
        assert rec is not None
        if status is not S.RECEIVED or stage is not Stage.INTAKE:
            setup = PlannedEvent(
                NOW, ActorKind.SYSTEM, None, "setup", rec.status, status, None, False
            )
            rec = await uow.transition(rec, rec.version, {"status": status, "stage": stage}, setup)
        assert rec is not None
        return rec
