"""The Open311 tests' HTTP client: the app's routes served by uvicorn on 127.0.0.1, and
every JSON answer checked against its GeoReport v2 schema as it arrives."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import App
from bot.open311.routes import open311_routes
from bot.server import build_app
from tests.botapi_http import serve_app
from tests.open311.support import BASE, check, schema_for

JSON_TYPE = "application/json; charset=utf-8"


async def _validated(response: httpx.Response) -> None:
    await response.aread()
    name = schema_for(response.request.method, response.request.url.path, response.status_code)
    if name is not None:
        assert response.headers["content-type"] == JSON_TYPE
        check(name, response.json())


@pytest.fixture
async def base_url(app: App) -> AsyncIterator[str]:
    async with serve_app(build_app(open311_routes(app))) as port:
        yield f"http://127.0.0.1:{port}{BASE}"


@pytest.fixture
async def http(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=base_url, event_hooks={"response": [_validated]}
    ) as client:
        yield client
