"""Request bodies: bounded before they are read, and JSON checked before it is used.

`BodyLimit` is plain ASGI middleware. A request that declares a Content-Length over the
limit is answered 413 without reading a byte; otherwise the body is read chunk by chunk and
the request is answered 413 as soon as the bytes streamed pass the limit (a chunked body
declares no length). The body read is handed on to the application unchanged, so a
handler's `await request.body()` sees exactly what came.

`read_json_object` is what a webhook calls: it refuses (with `BadBody`, which the handler
turns into a 400) a body that is not `application/json`, not UTF-8 JSON, or JSON that is
not an object. What the object must hold is the channel's own check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 1024 * 1024  # 1 MB: the largest Telegram or Zalo update is far smaller


class BadBody(ValueError):
    """The body is not what the endpoint accepts; the message is for the log only."""


class BodyLimit:
    """Bounds each request's body: `limits` maps a path to its own bound (a channel that
    needs more), every other path gets `default`."""

    def __init__(
        self, app: ASGIApp, default: int = DEFAULT_MAX_BODY, limits: Mapping[str, int] = {}
    ) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope.get("path", ""), self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # a garbled length: the streamed bytes are still counted
    return None


async def _too_large(send: Send) -> None:
    body = b'{"error":"body too large"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def read_json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object, or `BadBody`."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise BadBody("not application/json")
    raw = await request.body()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadBody(f"not JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise BadBody(f"JSON {type(data).__name__}, not an object")
    return data
