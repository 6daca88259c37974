"""The Bot API stand-in over HTTP (a Starlette app under uvicorn on 127.0.0.1) and through
PTB's `BaseRequest` (in process): the two ways tests reach `tests.botapi.BotApiStandIn`."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram import QuietServer
from tests.botapi import TIMEOUT, BotApiStandIn

# --- over HTTP -------------------------------------------------------------------------


def standin_app(standin: BotApiStandIn, timeout_delay: float) -> Starlette:
    async def endpoint(request: Request) -> Response:
        if request.path_params["token"] != standin.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        body = (await request.body()).decode()
        if request.headers.get("content-type", "").startswith("application/json"):
            params = json.loads(body or "{}")
        else:
            params = dict(parse_qsl(body))
        answer = await standin.call(request.path_params["method"], params)
        if answer == TIMEOUT:
            await asyncio.sleep(timeout_delay)  # longer than the client waits
            return JSONResponse({"ok": False, "error_code": 500, "description": "late"}, 500)
        assert not isinstance(answer, str)
        return JSONResponse(answer[1], answer[0])

    async def file(request: Request) -> Response:
        if request.path_params["token"] != standin.token:
            return Response(status_code=404)
        file_id = request.path_params["path"].rsplit("/", 1)[-1].removesuffix(".jpg")
        return Response(standin.files[file_id], media_type="image/jpeg")

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", endpoint, methods=["POST", "GET"]),
            Route("/file/bot{token}/{path:path}", file, methods=["GET"]),
        ]
    )


@contextlib.asynccontextmanager
async def serve_app(app: Starlette) -> AsyncIterator[int]:
    """Serve an ASGI app on 127.0.0.1 with a random free port; yields the port."""
    import uvicorn

    server = QuietServer(
        uvicorn.Config(
            app, host="127.0.0.1", port=0, log_config=None, access_log=False, lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
        await asyncio.sleep(0.005)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


# --- in process ------------------------------------------------------------------------


class StandInRequest(BaseRequest):
    """PTB's request seam wired straight to the stand-in (no sockets)."""

    def __init__(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        params = dict(request_data.parameters) if request_data else {}
        answer = await self.standin.call(url.rsplit("/", 1)[-1], params)
        if answer == TIMEOUT:
            raise TimedOut("stand-in timeout")
        assert not isinstance(answer, str)
        return answer[0], json.dumps(answer[1]).encode()
