"""A stand-in for the Telegram Bot API: enough of it for the channel's own tests.

`BotApiStandIn` holds the state (updates waiting to be fetched, messages sent, injected
faults) and answers calls. It is reachable two ways, both real seams of PTB:
- over real HTTP (`tests.botapi_http`): `standin_app` and `serve_app` run it as a Starlette
  app under uvicorn on 127.0.0.1 with a random port, and PTB is pointed at it with
  `base_url` (polling and webhook tests);
- in process: `tests.botapi_http.StandInRequest` is a `telegram.request.BaseRequest` that
  calls it directly (the broadcast test sends thousands of messages and stays fast).

Every sent message is stamped with the stand-in's clock — the same fake clock the outbox
sender sleeps on — so pacing is checked on that clock, never on wall time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from tests.botapi_html import MAX_UNITS, check_message
from tests.conftest import T0

TOKEN = "123456:TEST-token-never-logged"  # noqa: S105 (a test token)
BOT_ID = 123456
BOT_USERNAME = "danvan_test_bot"


class FakeClock:
    """The sender's and the stand-in's clock. Sleeping moves it forward at once
    (`pause` seconds of real time let the rest of the event loop run)."""

    def __init__(self, start: datetime = T0, pause: float = 0.0) -> None:
        self.now = start
        self.pause = pause

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(seconds, 0.0))
        await asyncio.sleep(self.pause)


@dataclass(frozen=True)
class SentMessage:
    message_id: int
    chat_id: str
    text: str
    reply_markup: dict[str, Any] | None
    at: datetime

    @property
    def inline_buttons(self) -> dict[str, str]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return {b["text"]: b["callback_data"] for row in rows for b in row}

    @property
    def keyboard_labels(self) -> list[str]:
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [b["text"] if isinstance(b, dict) else b for row in rows for b in row]


TIMEOUT = "timeout"


class BadRequest(Exception):
    """A call the Bot API refuses with 400 and this description."""


@dataclass
class BotApiStandIn:
    clock: Callable[[], datetime]
    token: str = TOKEN
    sent: list[SentMessage] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # method → faults to answer with, in order: 429 (with retry_after), 500, 403, 400, TIMEOUT
    faults: dict[str, list[int | str]] = field(default_factory=dict)
    retry_after: int = 3
    groups: set[str] = field(default_factory=set)
    on_send: Callable[[SentMessage], Any] | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # file id → content
    refused: list[tuple[str, str]] = field(default_factory=list)  # (method, 400 description)
    on_call: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None  # before answering
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(500))
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(9000))
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    # --- what a person does ------------------------------------------------------------

    def make_message(self, user: int, chat: int | None = None, **fields: Any) -> dict[str, Any]:
        chat_id = chat if chat is not None else user
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(self.clock().timestamp()),
            "chat": {"id": chat_id, "type": "supergroup" if chat_id < 0 else "private"},
            "from": {"id": user, "is_bot": False, "first_name": "Dân"},
            **fields,
        }
        text = fields.get("text")
        if isinstance(text, str) and text.startswith("/"):
            command = text.split(" ", 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return message

    def update(self, **fields: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **fields}

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates."""
        self._updates.append(update)
        self._arrived.set()
        return update

    def message_update(self, user: int, chat: int | None = None, **fields: Any) -> dict[str, Any]:
        return self.update(message=self.make_message(user, chat, **fields))

    def press_update(self, user: int, sent: SentMessage, label: str) -> dict[str, Any]:
        data = sent.inline_buttons[label]
        message = {
            "message_id": sent.message_id,
            "date": int(sent.at.timestamp()),
            "chat": {
                "id": int(sent.chat_id),
                "type": "private" if int(sent.chat_id) > 0 else "supergroup",
            },
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "danvan"},
            "text": sent.text,
        }
        return self.update(
            callback_query={
                "id": f"cq{next(self._message_ids)}",
                "from": {"id": user, "is_bot": False, "first_name": "Dân"},
                "chat_instance": "ci",
                "message": message,
                "data": data,
            }
        )

    def to(self, chat_id: int | str) -> list[SentMessage]:
        return [m for m in self.sent if m.chat_id == str(chat_id)]

    @property
    def waiting(self) -> list[int]:
        """The ids of the updates not confirmed yet (getUpdates would give them again)."""
        return [u["update_id"] for u in self._updates]

    def methods(self, name: str) -> list[dict[str, Any]]:
        return [params for method, params in self.calls if method == name]

    # --- the Bot API -------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | str:
        self.calls.append((method, params))
        if self.on_call is not None:
            await self.on_call(method, params)
        queue = self.faults.get(method)
        if queue:
            fault = queue.pop(0)
            if fault == TIMEOUT:
                return TIMEOUT
            return _error(int(fault), self.retry_after)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 200, {"ok": True, "result": True}
        try:
            result = await handler(params)
        except BadRequest as exc:
            self.refused.append((method, str(exc)))
            return 400, {"ok": False, "error_code": 400, "description": str(exc)}
        if isinstance(result, tuple):  # (code, description): the call is refused
            code, description = result
            return code, {"ok": False, "error_code": code, "description": description}
        return 200, {"ok": True, "result": result}

    async def _api_getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "danvan",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait(), min(float(params.get("timeout") or 0), 0.2)
                )
        return list(self._updates)

    async def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params["file_id"])
        content = self.files[file_id]  # an unknown id fails the test loudly
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(content),
            "file_path": f"photos/{file_id}.jpg",
        }

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any] | tuple[int, str]:
        photo = params.get("photo")
        if isinstance(photo, str) and not photo.startswith("attach://"):
            if photo not in self.files:  # a file id this bot never saw
                return 400, "Bad Request: wrong file identifier/HTTP URL specified"
            return await self._record(str(params["chat_id"]), f"[photo {photo}]", None)
        return await self._record(str(params["chat_id"]), "[photo]", None)

    async def _api_sendMediaGroup(
        self, params: dict[str, Any]
    ) -> list[dict[str, Any]] | tuple[int, str]:
        """As strict as Telegram: 2–10 items, each a photo by a known file id."""
        media = params.get("media")
        if isinstance(media, str):
            media = json.loads(media)
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            return 400, "Bad Request: wrong number of media specified"
        if any(i.get("type") != "photo" or i.get("media") not in self.files for i in media):
            return 400, "Bad Request: wrong file identifier/HTTP URL specified"
        sent = []
        for item in media:
            sent.append(
                await self._record(str(params["chat_id"]), f"[photo {item['media']}]", None)
            )
        return sent

    async def _api_editMessageReplyMarkup(
        self, params: dict[str, Any]
    ) -> dict[str, Any] | tuple[int, str]:
        """As strict as Telegram: the bot's own message in that chat, and a change."""
        chat_id, message_id = str(params["chat_id"]), int(params["message_id"])
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        for i, message in enumerate(self.sent):
            if message.chat_id == chat_id and message.message_id == message_id:
                if (message.reply_markup or None) == (markup or None):
                    return 400, "Bad Request: message is not modified"
                self.sent[i] = replace(message, reply_markup=markup or None)
                return {
                    "message_id": message_id,
                    "date": int(message.at.timestamp()),
                    "chat": {"id": int(chat_id), "type": "private"},
                    "text": message.text,
                }
        return 400, "Bad Request: message to edit not found"

    async def _api_sendLocation(self, params: dict[str, Any]) -> dict[str, Any] | tuple[int, str]:
        latitude, longitude = float(params["latitude"]), float(params["longitude"])
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return 400, "Bad Request: wrong latitude or longitude"
        return await self._record(
            str(params["chat_id"]), f"[location {latitude},{longitude}]", None
        )

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._record(str(params["chat_id"]), "[document]", None)

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params["text"])
        if params.get("parse_mode") == "HTML":
            problem = check_message(text)
        else:
            units = len(text.encode("utf-16-le", "surrogatepass")) // 2
            problem = "Bad Request: message is too long" if units > MAX_UNITS else None
            problem = problem or (None if text.strip() else "Bad Request: message text is empty")
        if problem is not None:
            raise BadRequest(problem)
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        return await self._record(str(params["chat_id"]), str(params["text"]), markup)

    async def _record(
        self, chat_id: str, text: str, markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        message = SentMessage(
            message_id=next(self._message_ids),
            chat_id=chat_id,
            text=text,
            reply_markup=markup,
            at=self.clock(),
        )
        self.sent.append(message)
        if self.on_send is not None:
            outcome = self.on_send(message)
            if asyncio.iscoroutine(outcome):
                await outcome
        return {
            "message_id": message.message_id,
            "date": int(message.at.timestamp()),
            "chat": {
                "id": int(chat_id),
                "type": "supergroup" if chat_id.startswith("-") else "private",
            },
            "text": message.text,
        }


def _error(code: int, retry_after: int) -> tuple[int, dict[str, Any]]:
    descriptions = {
        429: f"Too Many Requests: retry after {retry_after}",
        500: "Internal Server Error",
        403: "Forbidden: bot was blocked by the user",
        400: "Bad Request: chat not found",
    }
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": descriptions[code]}
    if code == 429:
        body["parameters"] = {"retry_after": retry_after}
    return code, body
