"""A small client for the Zalo Bot Platform API (`<base>/bot<TOKEN>/<method>`).

Every method is a POST with a JSON body, answered `{"ok": true, "result": …}` or
`{"ok": false, "error_code": N, "description": "…"}` with N mirrored in the HTTP status.
An idle long poll answers 408: that is "nothing arrived", not an error. The token sits in
the URL path, so the URL is never logged here, and an error carries the method's name and
the code only (httpx's own request log is silenced by the CLI).

Errors: `ZaloBotError(code, description)` for an answer with `ok: false` (the HTTP status
when the body is not the envelope); `httpx.TransportError` passes through for the network.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.settings import Secret

IDLE = 408
NO_WEBHOOK = 404
MAX_TEXT = 2000


class ZaloBotError(Exception):
    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"zalo bot {method}: {code} {description}")
        self.method = method
        self.code = code
        self.description = description


class ZaloBotClient:
    """The nine methods of the Bot API, over one `httpx.AsyncClient`."""

    def __init__(
        self,
        token: Secret,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        """One method; returns `result`. `kw` goes to httpx (e.g. a longer `timeout`)."""
        url = f"{self._base}/bot{self._token.reveal()}/{method}"
        response = await self._http.post(url, json=params or {}, **kw)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ZaloBotError(method, response.status_code, "not a Bot API answer")
        if body.get("ok") is not True:
            code = body.get("error_code")
            raise ZaloBotError(
                method,
                code if isinstance(code, int) else response.status_code,
                str(body.get("description", "")),
            )
        return body.get("result")

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_update(self, wait_seconds: int) -> dict[str, Any] | None:
        """One update, or None when the long poll ended idle (408) after `wait_seconds`."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": str(wait_seconds)}, timeout=wait_seconds + 10.0
            )
        except ZaloBotError as exc:
            if exc.code == IDLE:
                return None
            raise
        return result if isinstance(result, dict) else None

    async def send_message(self, chat_id: str, text: str) -> str:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text})
        return _message_id(result)

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> str:
        params = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        return _message_id(await self.call("sendPhoto", params))

    async def send_sticker(self, chat_id: str, sticker: str) -> str:
        return _message_id(await self.call("sendSticker", {"chat_id": chat_id, "sticker": sticker}))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret: Secret) -> None:
        await self.call("setWebhook", {"url": url, "secret_token": secret.reveal()})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any] | None:
        """The webhook, or None when none is set (the API answers 404)."""
        try:
            result = await self.call("getWebhookInfo")
        except ZaloBotError as exc:
            if exc.code == NO_WEBHOOK:
                return None
            raise
        return result if isinstance(result, dict) else None


def _message_id(result: Any) -> str:
    if isinstance(result, dict) and result.get("message_id"):
        return str(result["message_id"])
    raise ZaloBotError("send", 0, "no message_id in the answer")
