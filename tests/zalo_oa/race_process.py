"""One bot process in the token race (run by test_tokens.py as its own OS process):
open the shared database, get an access token (refreshing it if due), send one message."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.channels.zalo_oa.api import ZaloOaApi
from bot.channels.zalo_oa.tokens import TokenKeeper
from storage import SqliteStorage, Storage
from tests.zalo_oa.standin import APP_ID, APP_SECRET, OA_ID


async def open_storage(backend: str, where: str, schema: str) -> Storage:
    if backend == "sqlite":
        return await SqliteStorage.open(Path(where))
    from storage.postgres import PostgresStorage

    return await PostgresStorage.open(where, schema=schema, pool_size=2)


async def main(backend: str, where: str, schema: str, base: str, user: str) -> int:
    storage = await open_storage(backend, where, schema)
    api = ZaloOaApi(APP_ID, APP_SECRET, base, base)
    try:
        keeper = TokenKeeper(storage, api, OA_ID, lambda: datetime.now(UTC))
        token = await keeper.access_token()
        await api.send_cs(token, {"text": f"Xin chào {user}"}, user)
    finally:
        await api.close()
        await storage.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:6])))
