"""Webhook mode: the routes Telegram posts updates to, served by the one web server
(`bot/server`)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Bot, Update

from bot.server.app import QuietServer
from bot.server.limits import BadBody, read_json_object
from bot.settings import Secret

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
PATH = "/telegram/webhook"

OnUpdate = Callable[[Update], Awaitable[None]]

__all__ = ["PATH", "SECRET_HEADER", "OnUpdate", "QuietServer", "Webhook"]


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
            data = await read_json_object(request)
            update_id = data.get("update_id")
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                raise BadBody("no integer update_id")
            update = Update.de_json(data, self.bot)
        except Exception as exc:  # whatever the body holds, a malformed one is a 400
            log.info("telegram webhook: bad update refused (%s)", type(exc).__name__)
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

    def routes(self, url: str | None) -> list[BaseRoute]:
        """`/telegram/webhook`, and the path of the configured public URL when it differs
        (a deployment registered before the one server keeps its address)."""
        paths = [PATH]
        configured = urlsplit(url or "").path.rstrip("/")
        if configured and configured != PATH:
            paths.append(configured)
        return [Route(p, self.handle, methods=["POST"]) for p in paths]
