"""Start-up and the database's limits: the backend `config check` names, one clear line
when the database cannot be reached, bounded waits, `danvan run` waiting for a database
that boots with it (and stopping on SIGTERM meanwhile), and the WAL cleared after erasure."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from bot.config import Settings
from storage import SqliteStorage
from storage.base import StorageUnavailable, Timeouts
from tests.conftest import POSTGRES_DSN, Chat, postgres_schema
from tests.support.cli import ROOT
from tests.support.labels import label
from tests.support.records import file_report

needs_postgres = pytest.mark.skipif(not POSTGRES_DSN, reason="DANVAN_TEST_POSTGRES_DSN not set")


def danvan(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`danvan ARGS…` with the example config and these environment variables."""
    config = cwd / "config.toml"
    example = (ROOT / "config.example.toml").read_text("utf-8")
    config.write_text(example.replace('backend = "sqlite"', 'backend = "postgres"'), "utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, **env, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_config_check_names_postgres_without_the_password(tmp_path: Path) -> None:
    dsn = "postgresql://danvan:s3cret-pw@db.example:5433/xa"
    result = danvan(tmp_path, "config", "check", DANVAN_DATABASE_URL=dsn)
    assert result.returncode == 0, result.stderr
    assert "database: PostgreSQL, db.example:5433/xa (pool of 10)" in result.stdout
    assert "s3cret" not in result.stdout
    assert "sqlite" not in result.stdout.lower()


def test_unreachable_postgres_at_start_is_one_line(tmp_path: Path) -> None:
    dsn = f"postgresql://danvan:pw@127.0.0.1:{closed_port()}/xa"
    result = danvan(tmp_path, "outbox", "status", DANVAN_DATABASE_URL=dsn)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("danvan: cannot open the PostgreSQL database at 127.0.0.1:")
    assert "(connection refused)" in lines[0]
    assert "storage.postgres_dsn_env" in lines[0]
    assert "danvan:pw" not in lines[0]


@asynccontextmanager
async def silent_server() -> AsyncIterator[int]:
    """A TCP server that accepts connections and never answers (a network partition)."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_silent_postgres_fails_at_the_connect_timeout() -> None:
    from storage.postgres import PostgresStorage

    async with silent_server() as port:
        with pytest.raises(StorageUnavailable, match=r"127\.0\.0\.1:\d+/xa \(no answer in time\)"):
            await PostgresStorage.open(
                f"postgresql://danvan@127.0.0.1:{port}/xa", timeouts=Timeouts(connect=0.5)
            )


@needs_postgres
async def test_postgres_statement_and_acquire_timeouts() -> None:
    import asyncpg

    from storage.postgres import PostgresStorage

    async with postgres_schema() as schema:
        store = await PostgresStorage.open(
            POSTGRES_DSN,
            schema=schema,
            pool_size=1,
            timeouts=Timeouts(statement=1, acquire=0.5),
        )
        try:
            with pytest.raises((asyncpg.QueryCanceledError, TimeoutError)):
                async with store.transaction() as uow:
                    await uow._one("SELECT pg_sleep(5)")
            async with store.transaction():
                with pytest.raises(TimeoutError):  # the only connection is taken
                    async with store.transaction():
                        pass
            async with store.transaction() as uow:  # the pool recovered
                assert await uow._one("SELECT 1") is not None
        finally:
            await store.close()


def test_unopenable_sqlite_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder", "utf-8")
    with pytest.raises(StorageUnavailable, match=r"check storage\.sqlite_path"):
        asyncio.run(SqliteStorage.open(tmp_path / "file" / "db.sqlite3"))


def read(path: Path) -> bytes:
    return path.read_bytes()


def wal(path: Path) -> bytes:
    """What the SQLite write-ahead log beside `path` holds now."""
    return read(Path(f"{path}-wal"))


async def test_erasure_leaves_nothing_in_the_wal(chat: Chat, settings: Settings) -> None:
    await chat.agree()
    await file_report(chat, anonymous=False)
    path = settings.storage.sqlite_path
    assert "Nguyễn Văn An".encode() in wal(path)  # the bot is running: not yet copied
    await chat.send("/xoadulieu")
    await chat.press(label("btn.erase_yes"))
    assert chat.says("erase_done")
    assert wal(path) == b""  # checkpointed and truncated with the bot still running
    assert "Nguyễn Văn An".encode() not in read(path)


async def test_the_wal_is_checkpointed_at_intervals(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = await SqliteStorage.open(path, checkpoint_every=timedelta(hours=1))
    try:
        async with store.transaction() as uow:
            await uow._exec(
                "INSERT INTO job_leases (name, holder, leased_until) VALUES ('a', 'h', 'x')"
            )
        assert wal(path)  # within the interval: left alone
        store.checkpoint_every = timedelta(0)
        async with store.transaction() as uow:
            await uow._exec(
                "INSERT INTO job_leases (name, holder, leased_until) VALUES ('b', 'h', 'x')"
            )
        assert wal(path) == b""
    finally:
        await store.close()


@needs_postgres
async def test_closing_postgres_cuts_a_connection_stuck_in_a_statement() -> None:
    import asyncpg

    from storage.postgres import PostgresStorage

    async with postgres_schema() as schema:
        store = await PostgresStorage.open(
            POSTGRES_DSN, schema=schema, pool_size=2, timeouts=Timeouts(statement=120, acquire=0.5)
        )
        started = asyncio.Event()

        async def stuck() -> None:
            async with store.transaction() as uow:
                started.set()
                await uow._one("SELECT pg_sleep(120)")  # a handler waiting on a silent server

        task = asyncio.create_task(stuck())
        await started.wait()
        await store.close()  # waits `acquire` seconds for the pool, then terminates it
        with pytest.raises((asyncpg.InterfaceError, asyncpg.ConnectionDoesNotExistError)):
            await task  # the connection was cut, not left waiting two minutes


def run_config(folder: Path, server_port: int, **storage: int) -> Path:
    """The example config on PostgreSQL with no chat channel (health and metrics only)."""
    text = (ROOT / "config.example.toml").read_text("utf-8")
    text = re.sub(r"\n# The Telegram channel.*?(?=\n# The one web server)", "", text, flags=re.S)
    text = re.sub(r"\n# The Zalo Bot Platform channel.*?(?=\n# Pacing)", "", text, flags=re.S)
    text = text.replace('backend = "sqlite"', 'backend = "postgres"', 1)
    text = text.replace("port = 8080", f"port = {server_port}", 1)
    for key, value in storage.items():
        text, count = re.subn(rf"(?m)^{key} = \d+$", f"{key} = {value}", text, count=1)
        assert count == 1, key
    config = folder / "config.toml"
    config.write_text(text, "utf-8")
    return config


def spawn_run(folder: Path, config: Path, dsn: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    if "DANVAN_MODEL_CACHE" in os.environ:  # the model the test run trained once
        env["DANVAN_MODEL_CACHE"] = os.environ["DANVAN_MODEL_CACHE"]
    with (folder / "stderr.log").open("w") as log:  # the child keeps its own copy
        return subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            [sys.executable, "-m", "bot.cli", "--config", str(config), "run"],
            cwd=folder,
            env={**env, "PYTHONPATH": str(ROOT), "DANVAN_DATABASE_URL": dsn},
            stdout=subprocess.DEVNULL,
            stderr=log,
            text=True,
        )


def stderr_of(folder: Path) -> str:
    return (folder / "stderr.log").read_text("utf-8")


async def ended(proc: subprocess.Popen[str], within: float) -> tuple[int, str]:
    """The exit status and stderr of `proc`, which must end within `within` seconds."""
    folder = Path(str(proc.args[-2])).parent  # the config's folder (spawn_run's arguments)
    try:
        await asyncio.to_thread(proc.wait, timeout=within)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"still running after {within} s") from None
    return proc.returncode, stderr_of(folder)


async def test_sigterm_while_the_database_is_silent_stops_at_once(tmp_path: Path) -> None:
    """A partition at start: the connect would hang for its whole timeout (60 s here);
    SIGTERM still ends `danvan run` in bounded time, cleanly."""
    async with silent_server() as port:
        config = run_config(tmp_path, closed_port(), connect_timeout_seconds=60)
        proc = spawn_run(tmp_path, config, f"postgresql://danvan@127.0.0.1:{port}/xa")
        await asyncio.sleep(2.0)  # importing, then hanging in the connect
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        code, stderr = await ended(proc, 10)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "stopped while waiting for the database" in stderr


async def test_a_database_that_stays_down_is_given_up_after_the_wait(tmp_path: Path) -> None:
    config = run_config(tmp_path, closed_port(), start_wait_seconds=3)
    proc = spawn_run(tmp_path, config, f"postgresql://danvan:pw@127.0.0.1:{closed_port()}/xa")
    code, stderr = await ended(proc, 30)
    assert code == 1
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert "trying again in 1 s" in lines[0]
    assert "trying again in 2 s" in lines[1]
    assert lines[-1].startswith("danvan: cannot open the PostgreSQL database at 127.0.0.1:")
    assert "danvan:pw" not in stderr


@asynccontextmanager
async def forwarder(port: int, to_host: str, to_port: int) -> AsyncIterator[None]:
    """A TCP forwarder on `port` (the database's address coming up)."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(to_host, to_port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(accept, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()


@needs_postgres
async def test_run_waits_for_a_database_that_comes_up(tmp_path: Path) -> None:
    """Booting with its database: `danvan run` keeps trying and serves once it answers."""
    real = urlsplit(POSTGRES_DSN)
    port, web = closed_port(), closed_port()
    async with postgres_schema() as schema:
        dsn = urlunsplit(
            real._replace(
                netloc=f"{real.username or 'postgres'}@127.0.0.1:{port}",
                query=f"options=-csearch_path%3D{schema}",
            )
        )
        proc = spawn_run(tmp_path, run_config(tmp_path, web, start_wait_seconds=60), dsn)
        try:
            for _ in range(600):  # until it has been refused once (the model may train first)
                if "trying again in" in stderr_of(tmp_path):
                    break
                assert proc.poll() is None, stderr_of(tmp_path)
                await asyncio.sleep(0.1)
            async with forwarder(port, real.hostname or "127.0.0.1", real.port or 5432):
                async with httpx.AsyncClient() as client:
                    for _ in range(300):
                        try:
                            if (await client.get(f"http://127.0.0.1:{web}/healthz")).is_success:
                                break
                        except httpx.TransportError:
                            pass
                        await asyncio.sleep(0.1)
                    else:
                        raise AssertionError("not serving 30 s after the database came up")
                proc.send_signal(signal.SIGTERM)
                code, stderr = await ended(proc, 20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert code == 0, stderr
    assert "trying again in 1 s" in stderr
    assert "Traceback" not in stderr
