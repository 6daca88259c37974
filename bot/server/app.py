"""The application the one web server serves, and the server itself.

`build_app` joins the routes the channels offer with `/healthz` and `/metrics`, behind
`BodyLimit`. `WebServer` runs it under uvicorn in the bot's own event loop, without
uvicorn's signal handling (`danvan run` owns SIGTERM and SIGINT) and without its access
log (a webhook's path may carry nothing secret, but its query could).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping, Sequence

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.server.health import Health
from bot.server.limits import DEFAULT_MAX_BODY, BodyLimit
from bot.server.metrics import Metrics


def build_app(
    routes: Sequence[BaseRoute],
    health: Health | None = None,
    metrics: Metrics | None = None,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    body_limits: Mapping[str, int] = {},
) -> Starlette:
    """One Starlette app: the channels' routes, `/healthz` (with `health`) and `/metrics`
    (with `metrics`), every body bounded by `max_body` unless `body_limits` names its path."""

    async def healthz(_request: Request) -> Response:
        if health is None:
            return JSONResponse({"status": "ok"})
        report = await health.check()
        return JSONResponse(report.as_json(), status_code=200 if report.healthy else 503)

    async def prometheus(_request: Request) -> Response:
        assert metrics is not None  # noqa: S101 (the route exists only with metrics)
        if health is not None:
            await health.check()  # refreshes the outbox gauges from storage
        return Response(metrics.render(), media_type=metrics.content_type)

    own: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    if metrics is not None:
        own.append(Route("/metrics", prometheus, methods=["GET"]))
    return Starlette(
        routes=[*routes, *own],
        middleware=[Middleware(BodyLimit, default=max_body, limits=dict(body_limits))],
    )


class QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: `danvan run` owns SIGTERM and SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """Serves one ASGI app on `host:port` until `stop`; `port` is the bound port (useful
    with port 0)."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_config=None, access_log=False, lifespan="off"
        )
        self.server = QuietServer(config)
        self._task: asyncio.Task[None] | None = None
        self.port: int | None = None

    async def start(self) -> int:
        self._task = asyncio.create_task(self.server.serve(), name="web-server")
        while not self.server.started:
            if self._task.done():
                await self._task  # raises what stopped it (e.g. the port is taken)
                raise RuntimeError("the web server stopped at start")
            await asyncio.sleep(0.01)
        self.port = int(self.server.servers[0].sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        await self._task
        self._task = None
