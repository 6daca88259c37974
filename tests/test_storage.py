"""The storage contract, run against every backend: a real SQLite file, and a real
PostgreSQL database where DANVAN_TEST_POSTGRES_DSN is set (CI sets it)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.records import ActorKind, NewRecord, RecordKind, RecordStatus
from storage import SqliteStorage, Storage
from storage.base import CommuneRow, OfficeRow
from storage.migrations import migrations
from tests.conftest import BACKENDS, INTEGRITY_ERRORS, open_backend

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    async with open_backend(request.param, tmp_path) as store:
        async with store.transaction() as uow:
            await uow.sync_communes(
                [CommuneRow("CG", "xã Cát Giang", (OfficeRow("VP", "Văn phòng", None),))], NOW
            )
        yield store


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


async def test_migrations_apply_once_and_are_numbered(tmp_path: Path) -> None:
    assert next(n for n, _, _ in migrations("sqlite")) == 1
    store = await SqliteStorage.open(tmp_path / "m.sqlite3")
    assert await store.migrate() == []  # already applied at open
    await store.close()
    conn = sqlite3.connect(tmp_path / "m.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(
        migrations("sqlite")
    )


async def test_update_ids_are_processed_once(storage: Storage) -> None:
    async with storage.transaction() as uow:
        assert await uow.mark_update_processed("telegram", "42", NOW)
        assert not await uow.mark_update_processed("telegram", "42", NOW)
        assert await uow.mark_update_processed("zalo", "42", NOW)


async def test_a_failed_unit_of_work_leaves_nothing(storage: Storage) -> None:
    async def crashing_update() -> None:
        async with storage.transaction() as uow:
            await uow.mark_update_processed("telegram", "7", NOW)
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        await crashing_update()
    async with storage.transaction() as uow:
        assert await uow.mark_update_processed("telegram", "7", NOW)


async def test_code_collision_returns_none(storage: Storage) -> None:
    async with storage.transaction() as uow:
        first = await uow.insert_record("CG-2611-AAAAA0", new_record())
        again = await uow.insert_record("CG-2611-AAAAA0", new_record())
    assert first is not None
    assert first.status is RecordStatus.RECEIVED
    assert again is None


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE records SET status = 'lost'", ()),
        ("UPDATE records SET kind = 'gossip'", ()),
        ("UPDATE records SET anonymous = 1, contact_name = 'An'", ()),
        ("UPDATE records SET office_code = 'NOPE'", ()),
        ("UPDATE citizens SET name = 'An'", ()),  # no consent yet
        ("UPDATE events SET note = 'rewritten'", ()),
        ("DELETE FROM events", ()),
    ],
)
async def test_constraints_refuse_bad_rows(storage: Storage, sql: str, params: tuple[()]) -> None:
    async with storage.transaction() as uow:
        citizen = await uow.create_citizen("test", "u1", NOW)
        record = await uow.insert_record("CG-2611-AAAAA0", new_record(citizen.id))
        assert record is not None
        await uow.add_event(
            record.id,
            NOW,
            ActorKind.CITIZEN,
            None,
            "created",
            None,
            RecordStatus.RECEIVED,
            None,
            True,
        )
    with pytest.raises(INTEGRITY_ERRORS):
        async with storage.transaction() as uow:
            await uow._exec(sql, params)


async def test_consent_gates_contact_details(storage: Storage) -> None:
    async with storage.transaction() as uow:
        citizen = await uow.create_citizen("test", "u1", NOW)
        await uow.set_consent(citizen.id, NOW, "v1")
        await uow.set_citizen_contact(citizen.id, "An", "0912345678")
        await uow.set_consent(citizen.id, None, None)  # withdrawing clears them
        reloaded = await uow.get_citizen_by_id(citizen.id)
    assert reloaded is not None
    assert (reloaded.name, reloaded.phone, reloaded.consent_at) == (None, None, None)


async def test_outbox_order_and_never_twice(storage: Storage) -> None:
    async with storage.transaction() as uow:
        low = await uow.enqueue("telegram", "1", 2, {"text": "broadcast"}, NOW)
        high = await uow.enqueue("telegram", "1", 0, {"text": "reply"}, NOW)
        later = await uow.enqueue("telegram", "2", 1, {"text": "note"}, NOW)
        await uow.mark_failed(later, "429", retry_at=NOW + timedelta(seconds=30))
        pending = await uow.pending_outbox("telegram", NOW, 10)
        assert [m.id for m in pending] == [high, low]
        assert [
            m.id for m in await uow.pending_outbox("telegram", NOW + timedelta(minutes=1), 10)
        ] == [
            high,
            later,
            low,
        ]
        assert await uow.mark_sent(high, NOW)
        assert not await uow.mark_sent(high, NOW)
        await uow.mark_failed(low, "chat not found", retry_at=None)
        counts = await uow.outbox_counts()
    assert counts == {"sent": 1, "failed": 1, "pending": 1}


async def test_officials_invites_and_record_versions(storage: Storage) -> None:
    from domain.records import Invite, OfficialRole

    async with storage.transaction() as uow:
        lan = await uow.upsert_official("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        again = await uow.upsert_official("CG", "test", "lan", "Lan", "VP", OfficialRole.HEAD, NOW)
        assert (again.id, again.role) == (lan.id, OfficialRole.HEAD)  # one row per identity
        invite = Invite("ABCDEFGH", "CG", "VP", OfficialRole.MEMBER, None, "t", NOW, NOW, None)
        assert await uow.create_invite(replace(invite, expires_at=NOW + timedelta(hours=1)))
        assert not await uow.create_invite(invite)  # the code is taken
        assert await uow.use_invite("ABCDEFGH", lan.id, NOW)
        assert not await uow.use_invite("ABCDEFGH", lan.id, NOW)  # single use
        record = await uow.insert_record("CG-2611-AAAAAA", new_record())
        assert record is not None
        moved = await uow.update_record(record.id, 0, {"status": RecordStatus.ACCEPTED})
        assert moved is not None
        assert moved.version == 1
        assert await uow.update_record(record.id, 0, {"status": RecordStatus.CLOSED}) is None
        with pytest.raises(ValueError, match="not a lifecycle column"):
            await uow.update_record(record.id, 1, {"description": "x"})
        assert await uow.revoke_official(lan.id, NOW)
        assert await uow.list_officials("CG") == []
    for sql, params in [
        (
            "INSERT INTO officials (commune_code, channel, external_id, display_name, "
            "office_code, role, created_at) VALUES ('CG', 't', 'x', 'X', 'VP', 'boss', ?)",
            (NOW,),
        ),
        ("UPDATE records SET stage = 'appeal'", ()),
        ("INSERT INTO ratings (record_id, at, value) VALUES (?, ?, 'meh')", (record.id, NOW)),
    ]:
        with pytest.raises(INTEGRITY_ERRORS):
            async with storage.transaction() as uow:
                await uow._exec(sql, params)


async def test_leases_are_exclusive_until_expiry_and_final_when_done(
    storage: Storage,
) -> None:
    name, later = "digest:CG:2026-W47", NOW + timedelta(minutes=10)
    async with storage.transaction() as uow:
        assert await uow.acquire_lease(name, "a", NOW, later)
        assert not await uow.acquire_lease(name, "b", NOW + timedelta(minutes=5), later)
        assert await uow.acquire_lease(name, "a", NOW + timedelta(minutes=5), later)  # renew
        assert await uow.acquire_lease(name, "b", later, later + timedelta(minutes=10))
        assert not await uow.finish_lease(name, "a", later)  # "a" lost it
        assert not await uow.lease_done(name)
        assert await uow.finish_lease(name, "b", later)
        assert await uow.lease_done(name)
        assert not await uow.acquire_lease(name, "c", NOW + timedelta(days=1), later)
        assert not await uow.finish_lease(name, "b", later)  # done once


async def test_digest_aggregates_of_an_empty_commune(storage: Storage) -> None:
    since, until = NOW - timedelta(days=7), NOW
    async with storage.transaction() as uow:
        assert await uow.digest_received("CG", since, until) == []
        assert await uow.digest_daily("CG", [(since, until)]) == [(0, 0)]
        assert await uow.digest_actions("CG", since, until, ("closed",)) == []
        assert await uow.digest_actions("CG", since, until, ()) == []
        assert await uow.digest_resolved("CG", since, until) == []
        assert await uow.digest_overdue_counts("CG", until) == []
        assert await uow.digest_overdue_records("CG", until, 5, ()) == []
        assert (await uow.digest_first_response("CG", since, until)).count == 0
        assert (await uow.digest_time_to_close("CG", since, until)).median_hours is None
        assert await uow.digest_ratings("CG", since, until) == []
