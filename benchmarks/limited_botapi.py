"""A Bot API stand-in that enforces Telegram's sending limits, for `benchmarks outbox`.

Served by uvicorn in its own process (so its work does not share the sender's CPU time
slice), it answers `getMe` and `sendMessage` as the Bot API does and refuses with 429 and
`retry_after` a message that would make more than `30 × scale` arrive in any sliding
second, or a second message to one chat within `1 / scale` seconds. `GET /stats` returns
what arrived (text, chat, arrival time on the machine's wall clock) and the 429 count.
"""

from __future__ import annotations

import collections
import json
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "123456:BENCHMARK"  # noqa: S105 - the stand-in's own made-up token
GLOBAL_PER_SECOND = 30
PER_CHAT_SECONDS = 1.0


class Limits:
    def __init__(self, scale: float) -> None:
        self.per_second = round(GLOBAL_PER_SECOND * scale)
        self.per_chat = PER_CHAT_SECONDS / scale
        self.window: collections.deque[float] = collections.deque()
        self.last_to: dict[str, float] = {}
        self.arrivals: list[tuple[str, str, float]] = []
        self.refused = 0
        self.next_id = 1

    def admit(self, chat_id: str, now: float) -> bool:
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        last = self.last_to.get(chat_id)
        if len(self.window) >= self.per_second or (last is not None and now - last < self.per_chat):
            self.refused += 1
            return False
        self.window.append(now)
        self.last_to[chat_id] = now
        return True


ME = {"id": 123456, "is_bot": True, "first_name": "danvan", "username": "danvan_bot"}


async def bot_api_call(request: Request) -> tuple[str, dict[str, Any]] | Response:
    """(method, parameters) of a Bot API call, or the answer to a wrong token."""
    if request.path_params["token"] != TOKEN:
        return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
    body = (await request.body()).decode()
    if request.headers.get("content-type", "").startswith("application/json"):
        params: dict[str, Any] = json.loads(body or "{}")
    else:
        params = dict(parse_qsl(body))
    return request.path_params["method"], params


def limited_app(scale: float) -> Starlette:
    limits = Limits(scale)

    async def method(request: Request) -> Response:
        call = await bot_api_call(request)
        if isinstance(call, Response):
            return call
        name, params = call
        if name == "getMe":
            return JSONResponse({"ok": True, "result": ME})
        if name != "sendMessage":
            return JSONResponse({"ok": True, "result": True})
        chat_id, now = str(params["chat_id"]), time.time()
        if not limits.admit(chat_id, now):
            error = {"ok": False, "error_code": 429, "description": "Too Many Requests"}
            return JSONResponse({**error, "parameters": {"retry_after": 1}}, 429)
        limits.arrivals.append((chat_id, str(params.get("text", "")), now))
        message_id, limits.next_id = limits.next_id, limits.next_id + 1
        chat = {"id": int(chat_id), "type": "private"}
        result = {"message_id": message_id, "date": int(now), "chat": chat, "text": params["text"]}
        return JSONResponse({"ok": True, "result": result})

    async def stats(_request: Request) -> Response:
        return JSONResponse({"refused": limits.refused, "arrivals": limits.arrivals})

    return Starlette(
        routes=[
            Route("/stats", stats, methods=["GET"]),
            Route("/bot{token}/{method}", method, methods=["GET", "POST"]),
        ]
    )


def serve(port: int, scale: float) -> None:
    """The child process's entry point."""
    import uvicorn

    uvicorn.run(
        limited_app(scale), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
