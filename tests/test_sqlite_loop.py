"""SQLite statements run on the event loop; another process's lock is waited for on the
worker thread, with the configured busy timeout, and the loop stays free meanwhile.

Two `SqliteStorage` objects on one file are two processes' connections (each its own
lock, its own thread)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage.sqlite
import storage.sqlite_db
from storage.base import Timeouts
from storage.sqlite import SqliteStorage

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def _mark(store: SqliteStorage, update_id: str) -> bool:
    async with store.transaction() as uow:
        return await uow.updates.mark_processed("test", update_id, NOW)


async def test_a_transaction_runs_its_statements_on_the_loop(tmp_path: Path) -> None:
    store = await SqliteStorage.open(tmp_path / "db.sqlite3")
    threads: list[int] = []
    try:
        store._conn._conn.set_trace_callback(lambda _sql: threads.append(threading.get_ident()))
        assert await _mark(store, "1")
        assert not await _mark(store, "1")  # the mark is there: committed
    finally:
        await store.close()
    assert len(threads) == 6  # BEGIN, INSERT, COMMIT, twice
    assert set(threads) == {threading.get_ident()}


async def test_another_processes_lock_is_waited_for_off_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = await SqliteStorage.open(path)
    second = await SqliteStorage.open(path, Timeouts(busy=10.0))
    holding, release = asyncio.Event(), asyncio.Event()
    ticks = 0

    async def hold() -> None:
        async with first.transaction() as uow:
            await uow.updates.mark_processed("test", "held", NOW)
            holding.set()
            await release.wait()

    async def tick() -> None:
        nonlocal ticks
        while not release.is_set():
            ticks += 1
            await asyncio.sleep(0.01)
        release.set()

    try:
        holder = asyncio.create_task(hold())
        await holding.wait()
        waiter = asyncio.create_task(_mark(second, "after"))
        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0.3)
        assert not waiter.done()  # waiting for the lock, not failed
        assert ticks >= 10  # and the loop went on meanwhile
        release.set()
        await asyncio.gather(holder, ticker)
        assert await waiter  # took the lock once the other committed
        async with second.transaction() as uow:  # and saw what the other wrote
            assert not await uow.updates.mark_processed("test", "held", NOW)
            assert not await uow.updates.mark_processed("test", "after", NOW)
    finally:
        await first.close()
        await second.close()


async def test_a_lock_held_past_the_busy_timeout_fails_and_leaves_nothing_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    first = await SqliteStorage.open(path)
    second = await SqliteStorage.open(path, Timeouts(busy=0.2))
    try:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        started = asyncio.get_running_loop().time()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await _mark(second, "1")
        assert asyncio.get_running_loop().time() - started >= 0.15  # it did wait
        other.execute("ROLLBACK")
        other.close()
        assert not second._conn._conn.in_transaction
        # Back to not waiting on the loop, and working: both connections write again.
        row = second._conn._conn.execute("PRAGMA busy_timeout").fetchone()
        assert row[0] == 0
        assert await _mark(second, "1")
        assert await _mark(first, "2")
    finally:
        await first.close()
        await second.close()


async def test_the_wal_is_copied_beside_the_loop_every_so_many_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No COMMIT checkpoints (SQLite's automatic one is off); every N commits a second
    connection copies the WAL into the database file."""
    monkeypatch.setattr(storage.sqlite, "BACKGROUND_CHECKPOINT_COMMITS", 5)
    path = tmp_path / "db.sqlite3"
    store = await SqliteStorage.open(path)
    try:
        assert store._conn._conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for n in range(4):
            assert await _mark(store, f"marker-{n}")
        assert b"marker-0" not in path.read_bytes()  # in the WAL only
        assert await _mark(store, "marker-4")
        assert store._background is not None
        await store._background
        assert b"marker-4" in path.read_bytes()  # copied
    finally:
        await store.close()


async def test_a_list_and_a_slow_statement_run_on_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list of rows starts on the worker thread; a statement that took longer than the
    loop's budget runs there the next time, and comes back once it is fast again."""
    store = await SqliteStorage.open(tmp_path / "db.sqlite3")
    where: list[tuple[str, bool]] = []
    loop_thread = threading.get_ident()

    def trace(sql: str) -> None:
        if not sql.startswith("PRAGMA"):  # (the thread's busy timeout, set and reset)
            where.append((sql.split()[0], threading.get_ident() == loop_thread))

    store._conn._conn.set_trace_callback(trace)
    count = "SELECT count(*) FROM processed_updates"
    try:
        async with store.transaction() as uow:
            await uow._all("SELECT update_id FROM processed_updates")
            assert where[-1] == ("SELECT", False)  # a list: on the thread
            await uow._all("SELECT update_id FROM processed_updates")
            assert where[-1] == ("SELECT", True)  # it was fast: on the loop
            monkeypatch.setattr(storage.sqlite_db, "LOOP_BUDGET_S", 0.0)  # all is slow
            await uow._one(count)
            assert where[-1] == ("SELECT", True)  # not seen yet: on the loop
            await uow._one(count)
            assert where[-1] == ("SELECT", False)  # slow last time: on the thread
            monkeypatch.setattr(storage.sqlite_db, "LOOP_BUDGET_S", 10.0)
            await uow._one(count)
            await uow._one(count)
            assert where[-1] == ("SELECT", True)  # fast again: back on the loop
    finally:
        await store.close()


async def test_the_filing_conversation_costs_no_thread_round_trip(tmp_path: Path) -> None:
    """The intake benchmark's flow through PTB and the dispatcher, counted: every update
    is one transaction whose statements ran on the loop (the first time a list of rows is
    read it goes to the thread, and a statement a busy machine slowed past the loop's
    budget goes there once: a few trips in all, against nine an update before)."""
    from benchmarks.intake import count

    counted = await count(3, tmp_path)
    assert counted["updates"] == 30  # 10 updates each since the publish step
    assert counted["round_trips_per_update"] < 1
    assert counted["by_kind_per_update"]["BEGIN"] == counted["by_kind_per_update"]["COMMIT"] == 1
    assert 5 <= counted["statements_per_update"] <= 15
    submit = counted["per_step"]["9:submit"]
    assert submit["by_kind"]["INSERT"] >= 4  # the record, its event, the outbox rows


async def test_a_transaction_cancelled_while_it_waits_for_the_lock_leaves_none_open(
    tmp_path: Path,
) -> None:
    """Cancelled while its BEGIN waits on the thread, the BEGIN still goes on there; the
    next unit of work finds that transaction and rolls it back first."""
    path = tmp_path / "db.sqlite3"
    store = await SqliteStorage.open(path, Timeouts(busy=5.0))
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        waiting = asyncio.create_task(_mark(store, "cancelled"))
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        other.execute("ROLLBACK")
        for _ in range(100):  # the thread's BEGIN takes the lock once it is free
            if store._conn._conn.in_transaction:
                break
            await asyncio.sleep(0.01)
        assert store._conn._conn.in_transaction
        assert await _mark(store, "next")
        assert not store._conn._conn.in_transaction
        async with store.transaction() as uow:
            assert await uow.updates.mark_processed("test", "cancelled", NOW)  # never written
    finally:
        other.close()
        await store.close()
