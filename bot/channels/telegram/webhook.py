"""Webhook mode: the small Starlette app Telegram posts updates to, and its server."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Bot, Update

from bot.settings import Secret

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)

OnUpdate = Callable[[Update], Awaitable[None]]


class QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: `danvan run` owns SIGTERM and SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Webhook:
    """Telegram's POSTs: the secret is checked in constant time before anything else."""

    def __init__(self, bot: Bot, secret: Secret | None, on_update: OnUpdate) -> None:
        self.bot = bot
        self.secret = secret
        self.on_update = on_update

    async def handle(self, request: Request) -> Response:
        expected = self.secret.reveal() if self.secret else ""
        given = request.headers.get(SECRET_HEADER, "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, self.bot)
        except (ValueError, KeyError, TypeError):
            return PlainTextResponse("bad update", status_code=400)
        # Handled before answering: if the process dies now, or storage fails (500),
        # Telegram sends it again, and the processed-update mark makes that harmless.
        # (PTB's process_update would swallow the error and let us answer 200.)
        try:
            await self.on_update(update)
        except Exception:
            log.exception("telegram update %s not handled; Telegram will retry", update.update_id)
            return PlainTextResponse("retry", status_code=500)
        return Response(status_code=200)

    def app(self, url: str | None) -> Starlette:
        path = urlsplit(url or "").path or "/telegram"

        async def health(_request: Request) -> Response:
            return PlainTextResponse("ok")

        return Starlette(
            routes=[
                Route(path, self.handle, methods=["POST"]),
                Route("/healthz", health, methods=["GET"]),
            ]
        )


async def start_server(
    app: Starlette, host: str, port: int
) -> tuple[QuietServer, asyncio.Task[None], int]:
    """Start serving `app`; returns the server once it listens, its task and its port."""
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="off"
    )
    server = QuietServer(config)
    server_task = asyncio.create_task(server.serve())
    while not server.started:
        if server_task.done():
            await server_task
            raise RuntimeError("the webhook server stopped at start")
        await asyncio.sleep(0.01)
    return server, server_task, server.servers[0].sockets[0].getsockname()[1]
