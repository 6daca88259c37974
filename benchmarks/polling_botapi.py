"""A Bot API stand-in for a real `danvan run` in polling mode, for `benchmarks memory`.

Served by uvicorn in its own process. It answers `getMe`, long-polls `getUpdates` from a
queue (honouring `offset`, `limit` and `timeout` as Telegram does), records every
`sendMessage` (chat, arrival time) and answers the other methods with `true`.

It also plays citizens: `POST /script` with `{"chats": [...], "steps": [...],
"in_flight": N}` starts one conversation per chat, at most N at a time. A chat's next step
is queued when the bot's first reply to its previous step arrives, as a person reads the
answer before typing again. `GET /stats` gives the number of replies, the conversations
finished and, per chat, the first reply's arrival time (the machine's wall clock).
"""

from __future__ import annotations

import asyncio
import collections
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from benchmarks.limited_botapi import ME, TOKEN, bot_api_call

__all__ = ["TOKEN", "polling_app", "serve"]


class Citizens:
    """The update queue and the scripted conversations."""

    def __init__(self) -> None:
        self.queue: list[dict[str, Any]] = []
        self.next_update = 1
        self.arrived = asyncio.Event()
        self.replies = 0
        self.first_reply: dict[str, float] = {}
        self.steps: list[str] = []
        self.position: dict[str, int] = {}  # chat -> index of the step awaiting a reply
        self.waiting: collections.deque[str] = collections.deque()
        self.finished = 0
        self.next_message = 1

    def push_text(self, chat: str, text: str) -> None:
        user = {"id": int(chat), "is_bot": False, "first_name": "Dân"}
        message = {
            "message_id": self.next_message,
            "date": int(time.time()),
            "chat": {"id": int(chat), "type": "private"},
            "from": user,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self.next_message += 1
        self.queue.append({"update_id": self.next_update, "message": message})
        self.next_update += 1
        self.arrived.set()

    def start_script(self, chats: list[str], steps: list[str], in_flight: int) -> None:
        self.steps = steps
        self.waiting.extend(chats)
        for _ in range(in_flight):
            self._begin_next()

    def _begin_next(self) -> None:
        if self.waiting:
            chat = self.waiting.popleft()
            self.position[chat] = 0
            self.push_text(chat, self.steps[0])

    def reply_to(self, chat: str, now: float) -> None:
        self.replies += 1
        self.first_reply.setdefault(chat, now)
        step = self.position.get(chat)
        if step is None:
            return
        if step + 1 < len(self.steps):
            self.position[chat] = step + 1
            self.push_text(chat, self.steps[step + 1])
        else:
            del self.position[chat]
            self.finished += 1
            self._begin_next()

    async def updates(self, offset: int, limit: int, wait: float) -> list[dict[str, Any]]:
        self.queue = [u for u in self.queue if u["update_id"] >= offset]
        if not self.queue and wait > 0:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), wait)
            except TimeoutError:
                return []
        return self.queue[:limit]


def polling_app() -> Starlette:
    citizens = Citizens()

    async def method(request: Request) -> Response:
        call = await bot_api_call(request)
        if isinstance(call, Response):
            return call
        name, params = call
        if name == "getMe":
            return JSONResponse({"ok": True, "result": ME})
        if name == "getUpdates":
            result = await citizens.updates(
                int(params.get("offset") or 0),
                int(params.get("limit") or 100),
                float(params.get("timeout") or 0),
            )
            return JSONResponse({"ok": True, "result": result})
        if name != "sendMessage":
            return JSONResponse({"ok": True, "result": True})
        chat_id, now = str(params["chat_id"]), time.time()
        citizens.reply_to(chat_id, now)
        message_id, citizens.next_message = citizens.next_message, citizens.next_message + 1
        chat = {"id": int(chat_id), "type": "private"}
        result = {"message_id": message_id, "date": int(now), "chat": chat, "text": params["text"]}
        return JSONResponse({"ok": True, "result": result})

    async def push(request: Request) -> Response:
        body = await request.json()
        citizens.push_text(str(body["chat"]), str(body["text"]))
        return JSONResponse({"ok": True})

    async def script(request: Request) -> Response:
        body = await request.json()
        citizens.start_script(
            [str(c) for c in body["chats"]], list(body["steps"]), int(body["in_flight"])
        )
        return JSONResponse({"ok": True})

    async def stats(request: Request) -> Response:
        chat = request.query_params.get("chat")
        return JSONResponse(
            {
                "replies": citizens.replies,
                "finished": citizens.finished,
                "first_reply": citizens.first_reply.get(chat) if chat else None,
            }
        )

    return Starlette(
        routes=[
            Route("/stats", stats, methods=["GET"]),
            Route("/push", push, methods=["POST"]),
            Route("/script", script, methods=["POST"]),
            Route("/bot{token}/{method}", method, methods=["GET", "POST"]),
        ]
    )


def serve(port: int) -> None:
    """The child process's entry point."""
    import uvicorn

    uvicorn.run(polling_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
