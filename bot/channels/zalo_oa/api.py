"""A small `httpx` client for the OA Open API and its OAuth server (zalo.md §3d, §3e).

Every answer is HTTP 200 with a JSON body whose non-zero `error` is the failure; those are
sorted here: -32 and -100 are passing (retry with back-off), the window codes mean Zalo
will not let the OA reach this citizen now, -216 and -124 mean the access token was
refused, and everything else is permanent. Tokens and secrets are never logged.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

WINDOW_CODES = frozenset({-213, -217, -227, -230, -232, -234, -244})
RETRY_CODES = frozenset({-32, -100})
TOKEN_CODES = frozenset({-216, -124})
TIMEOUT = httpx.Timeout(10.0)


class ZaloApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"zalo error {code}: {message[:200]}")
        self.code = code

    @property
    def window_closed(self) -> bool:
        return self.code in WINDOW_CODES

    @property
    def retryable(self) -> bool:
        return self.code in RETRY_CODES

    @property
    def token_refused(self) -> bool:
        return self.code in TOKEN_CODES


class ZaloTransportError(Exception):
    """No usable answer (network, timeout, 5xx, not JSON): try again later."""


@dataclass(frozen=True, slots=True)
class Grant:
    access_token: str
    refresh_token: str
    expires_in: int


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge) for the permission link."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def permission_url(
    oauth_base: str, app_id: str, redirect_uri: str, challenge: str, state: str
) -> str:
    query = urlencode(
        {
            "app_id": app_id,
            "redirect_uri": redirect_uri,
            "code_challenge": challenge,
            "state": state,
        }
    )
    return f"{oauth_base.rstrip('/')}/v4/oa/permission?{query}"


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code >= 500 or response.status_code == 429:
        raise ZaloTransportError(f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise ZaloTransportError(f"HTTP {response.status_code}, not JSON") from None
    if not isinstance(data, dict):
        raise ZaloTransportError("answer is not an object")
    return data


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    code = data.get("error", 0)
    try:
        code = int(code)
    except (TypeError, ValueError):
        code = -100
    if code != 0:
        raise ZaloApiError(code, str(data.get("message") or data.get("error_name") or ""))
    return data


class ZaloOaApi:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        api_base: str,
        oauth_base: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.app_id = app_id
        self._app_secret = app_secret
        self.api_base = api_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self._client = httpx.AsyncClient(timeout=TIMEOUT, transport=transport)

    async def close(self) -> None:
        await self._client.aclose()

    async def _post(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._client.post(url, **kwargs)
        except httpx.HTTPError as exc:
            raise ZaloTransportError(type(exc).__name__) from None
        return _json(response)

    # --- OAuth -----------------------------------------------------------------------

    async def _token(self, form: dict[str, str]) -> Grant:
        data = await self._post(
            f"{self.oauth_base}/v4/oa/access_token",
            data={"app_id": self.app_id, **form},
            headers={"secret_key": self._app_secret},
        )
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not access or not refresh:
            code = int(data.get("error") or -1)
            raise ZaloApiError(code, str(data.get("error_description") or "no token"))
        try:
            expires_in = int(str(data.get("expires_in", "3600")))
        except ValueError:
            expires_in = 3600
        return Grant(str(access), str(refresh), expires_in)

    async def exchange_code(self, code: str, verifier: str) -> Grant:
        return await self._token(
            {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
        )

    async def refresh(self, refresh_token: str) -> Grant:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    # --- messages --------------------------------------------------------------------

    async def send_cs(self, access_token: str, message: dict[str, Any], user_id: str) -> str:
        """Send one customer-service message; the OA's message id."""
        data = _checked(
            await self._post(
                f"{self.api_base}/v3.0/oa/message/cs",
                json={"recipient": {"user_id": user_id}, "message": message},
                headers={"access_token": access_token},
            )
        )
        sent = data.get("data")
        return str(sent.get("message_id", "")) if isinstance(sent, dict) else ""

    async def download(self, url: str, limit: int) -> bytes:
        """The bytes at `url` (a citizen's photo on Zalo's servers), refused past `limit`."""
        try:
            async with self._client.stream("GET", url) as response:
                if response.status_code != httpx.codes.OK:
                    raise ZaloApiError(-201, f"download answered {response.status_code}")
                content = bytearray()
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) > limit:
                        raise ZaloApiError(-201, f"download larger than {limit} bytes")
        except httpx.HTTPError as exc:
            raise ZaloTransportError(type(exc).__name__) from None
        return bytes(content)

    async def upload(self, access_token: str, kind: str, name: str, content: bytes) -> str:
        """Upload an image (→ attachment_id) or a file (→ token) for a later message."""
        path = "image" if kind == "image" else "file"
        data = _checked(
            await self._post(
                f"{self.api_base}/v2.0/oa/upload/{path}",
                files={"file": (name, content)},
                headers={"access_token": access_token},
            )
        )
        sent = data.get("data")
        key = "attachment_id" if kind == "image" else "token"
        value = sent.get(key) if isinstance(sent, dict) else None
        if not value:
            raise ZaloApiError(-100, f"upload answered no {key}")
        return str(value)
