"""A strict stand-in for the Zalo Bot Platform API, served over real HTTP on 127.0.0.1.

The nine methods as `POST /bot<TOKEN>/<method>` with a JSON body, answered in the real
envelope (`{"ok": true, "result": …}`; errors `{"ok": false, "error_code": N,
"description": …}` with N as the HTTP status). As strict as the facts file says the real
one is (../shared/review/zalo.md §1; what is assumed rather than verified is marked):

- an unknown token → 401; an unknown method → 404; a body that is not a JSON object → 400;
- `getUpdates` takes `timeout` as a string of digits, returns ONE update (not a list), and
  answers 408 when nothing came within the wait (here `idle_seconds`, kept short for
  tests); it is refused (400) while a webhook is set;
- `setWebhook` needs an https `url` and a `secret_token` of 8–256 characters;
  `getWebhookInfo` is 404 without one; with a webhook set, `deliver` POSTs the update to
  `webhook_target` (the local address the https URL stands for) with the secret header;
- `sendMessage` needs a string `chat_id` of a chat that wrote to the bot (assumed: the API
  can only address known chats) and `text` of 1–2,000 characters; `sendPhoto` an http(s)
  URL and a caption of at most 2,000; `sendChatAction` only "typing"; there is no
  keyboard, so any `reply_markup` is refused (400);
- ids are 20-hex strings, dates epoch milliseconds.

Assumed, not verified against a real bot (check these first on a real account): the 400
for `getUpdates` while a webhook is set (the docs say only that it "does not work"), the
400 for an unknown `chat_id`, the refusal of `reply_markup`, and that a chat silent for
days can still be sent to (no window is documented).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ZALO_TOKEN = "12345689:zalo-test-token-never-logged"  # noqa: S105 (a test token)
ZALO_SECRET = "zalo_secret-for-tests"  # noqa: S105 (a test secret)
WEBHOOK_HEADER = "X-Bot-Api-Secret-Token"
METHODS = frozenset(
    {
        "getMe",
        "getUpdates",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "sendMessage",
        "sendPhoto",
        "sendSticker",
        "sendChatAction",
    }
)


@dataclass(frozen=True)
class ZaloSent:
    method: str
    chat_id: str
    text: str
    photo: str | None = None

    @property
    def menu(self) -> dict[str, str]:
        """label → the number to type, from the numbered lines."""
        out: dict[str, str] = {}
        for line in self.text.splitlines():
            stripped = line.strip()
            if stripped.startswith("[") and "] " in stripped:
                number, _, label = stripped[1:].partition("] ")
                out[label] = number
        return out


@dataclass
class ZaloBotStandIn:
    token: str = ZALO_TOKEN
    idle_seconds: float = 0.05
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    sent: list[ZaloSent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_target: str | None = None
    known_chats: set[str] = field(default_factory=set)
    refused: list[tuple[str, int]] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(0xA11CE))

    # --- what a person does ------------------------------------------------------------

    def _message(self, user: str, **fields: Any) -> dict[str, Any]:
        self.known_chats.add(user)
        return {
            "message_id": f"{next(self._ids):020x}",
            "date": int(time.time() * 1000),
            "chat": {"id": user, "chat_type": "PRIVATE"},
            "from": {"id": user, "display_name": "Người dùng", "is_bot": False},
            **fields,
        }

    def text_update(self, user: str, text: str) -> dict[str, Any]:
        return {"event_name": "message.text.received", "message": self._message(user, text=text)}

    def image_update(self, user: str, url: str, caption: str = "") -> dict[str, Any]:
        fields: dict[str, Any] = {"photo_url": url}
        if caption:
            fields["caption"] = caption
        return {"event_name": "message.image.received", "message": self._message(user, **fields)}

    def sticker_update(self, user: str) -> dict[str, Any]:
        return {
            "event_name": "message.sticker.received",
            "message": self._message(user, sticker="bfe458bf64fa8da4d4eb"),
        }

    def unsupported_update(self, user: str) -> dict[str, Any]:
        return {"event_name": "message.unsupported.received", "message": self._message(user)}

    async def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (polling)."""
        await self.queue.put(update)

    async def deliver(self, update: dict[str, Any], secret: str | None = None) -> int:
        """POST an update to the webhook, as Zalo does; returns the HTTP status."""
        if not (self.webhook_url and self.webhook_target and self.webhook_secret is not None):
            raise AssertionError("no webhook registered")
        headers = {WEBHOOK_HEADER: self.webhook_secret if secret is None else secret}
        async with httpx.AsyncClient() as client:
            answer = await client.post(self.webhook_target, json=update, headers=headers)
        return answer.status_code

    def to(self, chat_id: str) -> list[ZaloSent]:
        return [m for m in self.sent if m.chat_id == chat_id]

    def methods(self, name: str) -> list[dict[str, Any]]:
        return [params for method, params in self.calls if method == name]

    # --- the API -----------------------------------------------------------------------

    async def call(self, method: str, params: dict[str, Any]) -> Response:
        self.calls.append((method, params))
        if method == "getMe":
            return ok(
                {
                    "id": "1459232241454765289",
                    "account_name": "bot.Danvan",
                    "account_type": "BASIC",
                    "can_join_groups": False,
                }
            )
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "setWebhook":
            url, secret = params.get("url"), params.get("secret_token")
            if not isinstance(url, str) or not url.startswith("https://"):
                return error(400, "url must be https")
            if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
                return error(400, "secret_token must be 8-256 characters")
            self.webhook_url, self.webhook_secret = url, secret
            return ok({"url": url, "updated_at": int(time.time() * 1000)})
        if method == "deleteWebhook":
            self.webhook_url = self.webhook_secret = None
            return ok({"url": "", "updated_at": int(time.time() * 1000)})
        if method == "getWebhookInfo":
            if self.webhook_url is None:
                return error(404, "Not Found")
            return ok({"url": self.webhook_url, "updated_at": int(time.time() * 1000)})
        return self._send(method, params)

    async def _get_updates(self, params: dict[str, Any]) -> Response:
        if self.webhook_url is not None:
            return error(400, "getUpdates is not available while a webhook is set")
        wait = params.get("timeout", "30")
        if not isinstance(wait, str) or not wait.isdigit():
            return error(400, "timeout must be a string of seconds")
        try:
            update = await asyncio.wait_for(self.queue.get(), min(float(wait), self.idle_seconds))
        except TimeoutError:
            return error(408, "Request timeout")
        return ok(update)

    def _send(self, method: str, params: dict[str, Any]) -> Response:
        if "reply_markup" in params:
            return error(400, "reply_markup is not supported")
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, str) or chat_id not in self.known_chats:
            return error(400, "chat not found")
        if method == "sendChatAction":
            if params.get("action") != "typing":
                return error(400, "action not supported")
            return ok(True)
        text = params.get("text" if method == "sendMessage" else "caption", "")
        if not isinstance(text, str) or len(text) > 2000:
            return error(400, "text must be at most 2000 characters")
        photo = None
        if method == "sendMessage" and not text:
            return error(400, "text must not be empty")
        if method == "sendPhoto":
            photo = params.get("photo")
            if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
                return error(400, "photo must be an http(s) URL")
        if method == "sendSticker" and not isinstance(params.get("sticker"), str):
            return error(400, "sticker must be an id")
        self.sent.append(ZaloSent(method, chat_id, text, photo))
        return ok({"message_id": f"{next(self._ids):020x}", "date": int(time.time() * 1000)})


def ok(result: Any) -> Response:
    return JSONResponse({"ok": True, "result": result})


def error(code: int, description: str) -> Response:
    return JSONResponse(
        {"ok": False, "error_code": code, "description": description}, status_code=code
    )


def zalo_standin_app(standin: ZaloBotStandIn) -> Starlette:
    async def endpoint(request: Request) -> Response:
        token, method = request.path_params["token"], request.path_params["method"]
        if token != standin.token:
            standin.refused.append((method, 401))
            return error(401, "Unauthorized")
        if method not in METHODS:
            return error(404, "Not Found")
        try:
            params = json.loads(await request.body() or b"{}")
        except ValueError:
            return error(400, "body is not JSON")
        if not isinstance(params, dict):
            return error(400, "body is not a JSON object")
        return await standin.call(method, params)

    return Starlette(routes=[Route("/bot{token}/{method}", endpoint, methods=["POST"])])
