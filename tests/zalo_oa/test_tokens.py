"""The OA's token across processes: two OS processes that find the token due at once
refresh it once between them, each refresh token is used once, and both send with the new
access token; a refused refresh is recorded and reported."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.zalo_oa.api import Grant, ZaloOaApi
from bot.channels.zalo_oa.tokens import NotAuthorized, TokenKeeper
from storage import Storage
from tests.botapi_http import serve_app
from tests.conftest import BACKENDS, POSTGRES_DSN, Clock, postgres_schema
from tests.zalo_oa.standin import APP_ID, APP_SECRET, OA_ID, ZaloOaStandIn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=BACKENDS)
async def shared(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Storage, list[str]]]:
    """A database two processes share, and the arguments that open it in another."""
    if request.param == "sqlite":
        from storage import SqliteStorage

        path = tmp_path / "shared.sqlite3"
        store: Storage = await SqliteStorage.open(path)
        try:
            yield store, ["sqlite", str(path), ""]
        finally:
            await store.close()
        return
    from storage.postgres import PostgresStorage

    async with postgres_schema() as schema:
        store = await PostgresStorage.open(POSTGRES_DSN, schema=schema, pool_size=2)
        try:
            yield store, ["postgres", POSTGRES_DSN, schema]
        finally:
            await store.close()


async def run_process(args: list[str]) -> int:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.zalo_oa.race_process", *args, cwd=ROOT
    )
    return await process.wait()


async def test_two_processes_refresh_once_and_each_refresh_token_is_used_once(
    shared: tuple[Storage, list[str]],
) -> None:
    storage, args = shared
    standin = ZaloOaStandIn(Clock())
    async with serve_app(standin.app()) as port:
        base = f"http://127.0.0.1:{port}"
        api = ZaloOaApi(APP_ID, APP_SECRET, base, base)
        keeper = TokenKeeper(storage, api, OA_ID, lambda: datetime.now(UTC))
        for user in ("u1", "u2"):
            standin.user_wrote(user, f"m-{user}")
        access, refresh = standin.issue_pair()
        await keeper.store_grant(Grant(access, refresh, 90000))
        for round_ in range(3):
            # The stored token is due: both processes find it so at the same moment.
            async with storage.transaction() as uow:
                pair = await uow.zalo_tokens.get(OA_ID)
                assert pair is not None
                await uow._exec(
                    "UPDATE zalo_oa_tokens SET expires_at = ? WHERE oa_id = ?",
                    (datetime.now(UTC) - timedelta(minutes=1), OA_ID),
                )
            codes = await asyncio.gather(
                run_process([*args, base, "u1"]), run_process([*args, base, "u2"])
            )
            assert codes == [0, 0]
            assert sum(standin.refresh_uses.values()) == round_ + 1
        await api.close()
    assert standin.reused == []
    assert set(standin.refresh_uses.values()) == {1}
    assert len(standin.sent) == 6
    final = await keeper.current()
    assert final is not None
    assert final.version == 4
    assert standin.refresh_tokens[final.refresh_token] is False  # the stored one is unused


async def test_a_refused_refresh_is_recorded_and_reported(tmp_path: Path) -> None:
    from storage import SqliteStorage

    storage = await SqliteStorage.open(tmp_path / "t.sqlite3")
    standin = ZaloOaStandIn(Clock())
    reported: list[str] = []

    async def report(error: str) -> None:
        reported.append(error)

    try:
        async with serve_app(standin.app()) as port:
            base = f"http://127.0.0.1:{port}"
            api = ZaloOaApi(APP_ID, APP_SECRET, base, base)
            clock = Clock()
            keeper = TokenKeeper(storage, api, OA_ID, clock, on_failure=report)
            with pytest.raises(NotAuthorized):
                await keeper.access_token()  # nothing stored yet
            await keeper.store_grant(Grant("at-x", "rt-never-issued", 90000))
            clock.advance(hours=25)
            with pytest.raises(NotAuthorized):
                await keeper.access_token()
            await api.close()
        pair = await keeper.current()
        assert pair is not None
        assert pair.failed_at == clock()
        assert pair.last_error == "refresh refused: error -14014"
        assert reported == ["refresh refused: error -14014"]
    finally:
        await storage.close()
