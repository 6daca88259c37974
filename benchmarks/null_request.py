"""The Bot API answered in process for the intake benchmark: PTB's request seam returns
what Telegram would (a bot for getMe, a message for sendMessage, True otherwise), at no
cost, so the benchmark measures the bots and not a network."""

from __future__ import annotations

import json
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT = {"id": 123, "is_bot": True, "first_name": "danvan", "username": "danvan_bot"}
DATE = 1_764_600_000


class NullRequest(BaseRequest):
    def __init__(self) -> None:
        self.calls = 0

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
        self.calls += 1
        name = url.rsplit("/", 1)[-1]
        result: Any = True
        if name == "getMe":
            result = BOT
        elif name == "sendMessage" and request_data is not None:
            params = request_data.parameters
            chat = {"id": int(params["chat_id"]), "type": "private"}
            result = {"message_id": self.calls, "date": DATE, "chat": chat, "text": params["text"]}
        return 200, json.dumps({"ok": True, "result": result}).encode()


def _user(chat: int) -> dict[str, Any]:
    return {"id": chat, "is_bot": False, "first_name": "Dân"}


def message_update(update_id: int, chat: int, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": DATE,
        "chat": {"id": chat, "type": "private"},
        "from": _user(chat),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


def callback_update(update_id: int, chat: int, data: str) -> dict[str, Any]:
    shown = {
        "message_id": 1,
        "date": DATE,
        "chat": {"id": chat, "type": "private"},
        "from": BOT,
        "text": "…",
    }
    query = {
        "id": str(update_id),
        "chat_instance": str(chat),
        "data": data,
        "from": _user(chat),
        "message": shown,
    }
    return {"update_id": update_id, "callback_query": query}
