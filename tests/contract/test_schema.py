"""The schema: migrations, and the constraints that hold whatever the code does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from domain.records import ActorKind, RecordStatus
from storage import SqliteStorage, Storage
from storage.migrations import migrations, split_sql
from tests.conftest import INTEGRITY_ERRORS, POSTGRES_DSN, postgres_schema
from tests.contract.support import NOW, new_record


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


def test_a_sqlite_migration_splits_into_whole_statements() -> None:
    sql = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (a TEXT DEFAULT 'x;y');\n\n"
        "CREATE TRIGGER t_no_update BEFORE UPDATE ON t\n"
        "BEGIN SELECT RAISE(ABORT, 'no; never'); END;\n"
        "CREATE INDEX t_a ON t(a);\n"
    )
    statements = split_sql(sql)
    assert len(statements) == 3
    assert statements[1].startswith("CREATE TRIGGER")
    assert statements[1].endswith("END;")
    for _, _, migration in migrations("sqlite"):
        assert all(sqlite3.complete_statement(s) for s in split_sql(migration))


@pytest.mark.skipif(not POSTGRES_DSN, reason="DANVAN_TEST_POSTGRES_DSN not set")
async def test_both_dialects_migrate_to_the_same_tables_and_columns(tmp_path: Path) -> None:
    import asyncpg

    from storage.postgres import PostgresStorage

    await (await SqliteStorage.open(tmp_path / "s.sqlite3")).close()
    conn = sqlite3.connect(tmp_path / "s.sqlite3")
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    sqlite_columns = {
        (table, row[1]) for table in tables for row in conn.execute(f"PRAGMA table_info({table})")
    }
    conn.close()
    async with postgres_schema() as schema:
        await (await PostgresStorage.open(POSTGRES_DSN, schema=schema, pool_size=1)).close()
        pg = await asyncpg.connect(POSTGRES_DSN)
        try:
            rows = await pg.fetch(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = $1",
                schema,
            )
        finally:
            await pg.close()
    postgres_columns = {(r["table_name"], r["column_name"]) for r in rows}
    assert len(sqlite_columns) > 50
    assert sqlite_columns == postgres_columns


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
        citizen = await uow.citizens.create("test", "u1", NOW)
        record = await uow.records.insert("CG-2611-AAAAA0", new_record(citizen.id))
        assert record is not None
        await uow.events.add(
            record.id,
            at=NOW,
            actor_kind=ActorKind.CITIZEN,
            action="created",
            to_status=RecordStatus.RECEIVED,
            visible_to_citizen=True,
        )
    with pytest.raises(INTEGRITY_ERRORS):
        async with storage.transaction() as uow:
            await uow._exec(sql, params)


async def test_constraints_refuse_unknown_roles_stages_and_ratings(storage: Storage) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
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
