"""A stand-in for the Zalo OA Open API, its OAuth server and its webhook, over real HTTP.

As strict as zalo.md describes the real service (§3): every answer is HTTP 200 with an
`error` code; `POST /v3.0/oa/message/cs` needs a live `access_token` header (-216
otherwise), a recipient who has written to the OA (-230 otherwise), and a message inside
the windows on the stand-in's fake clock: within 48 h of the citizen's last message at
most 8 replies that quote one of their messages, then (a verified OA) advisory messages
until 7 days, after which -232. Text over 2,000 characters, more than five buttons, a
quote of an unknown message or an unknown attachment are -201. `POST /v2.0/oa/upload/*`
takes a multipart `file`. `POST /v4/oa/access_token` wants the app's `secret_key` header
and form fields; a code is single-use and checked against its PKCE challenge; a refresh
token works once (a reuse answers -14014 and is counted in `reused`).

Assumptions, not verified against a live OA: the exact window codes per case, -14014 for a
reused refresh token, how the 8 free replies are counted, and that a follow opens the
window like a message (the greeting and consent notice are sent on it).
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import itertools
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.zalo_oa import signature
from tests.conftest import Clock

# What Zalo takes as an uploaded image: JPEG or PNG (assumed from the developer docs).
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")

APP_ID = "1234567890123456789"
OA_ID = "9876543210987654321"
APP_SECRET = "app-secret-never-logged"  # noqa: S105 (a test secret)
OA_SECRET = "oa-secret-never-logged"  # noqa: S105 (a test secret)

REPLY_WINDOW = timedelta(hours=48)
ADVISORY_WINDOW = timedelta(days=7)
FREE_REPLIES = 8
TOKEN_SECONDS = 90000


async def _form(request: Request) -> dict[str, str]:
    """A form-urlencoded body (Starlette's own parser needs python-multipart)."""
    if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
        return {}
    return dict(parse_qsl((await request.body()).decode()))


async def _file(request: Request) -> bytes | None:
    """The `file` part of a multipart body, parsed with the standard library."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + await request.body())
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message})


@dataclass
class Follower:
    last_message_at: datetime
    message_ids: set[str] = field(default_factory=set)
    replies: int = 0


@dataclass
class ZaloOaStandIn:
    clock: Clock
    verified: bool = True
    followers: dict[str, Follower] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    media: dict[str, bytes] = field(default_factory=dict)  # photos served under /media/
    access_tokens: dict[str, datetime] = field(default_factory=dict)
    refresh_tokens: dict[str, bool] = field(default_factory=dict)  # token → used
    codes: dict[str, str] = field(default_factory=dict)  # code → challenge
    refresh_uses: Counter[str] = field(default_factory=Counter)
    reused: list[str] = field(default_factory=list)
    faults: list[int] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- what tests set up ---------------------------------------------------------------

    def issue_pair(self) -> tuple[str, str]:
        access, refresh = f"at-{secrets.token_hex(6)}", f"rt-{secrets.token_hex(6)}"
        self.access_tokens[access] = self.clock() + timedelta(seconds=TOKEN_SECONDS)
        self.refresh_tokens[refresh] = False
        return access, refresh

    def authorization_code(self, challenge: str) -> str:
        code = f"code-{secrets.token_hex(6)}"
        self.codes[code] = challenge
        return code

    def user_wrote(self, user_id: str, msg_id: str | None) -> None:
        """A message (or a follow, which opens the window too but cannot be quoted)."""
        follower = self.followers.setdefault(user_id, Follower(self.clock()))
        follower.last_message_at = self.clock()
        if msg_id:
            follower.message_ids.add(msg_id)
        follower.replies = 0

    def texts_to(self, user_id: str) -> list[str]:
        out = []
        for sent in self.sent:
            if sent["user_id"] != user_id:
                continue
            message = sent["message"]
            if "text" in message:
                out.append(message["text"])
            elif message["attachment"]["type"] == "template" and "text" in (
                payload := message["attachment"]["payload"]
            ):
                out.append(payload["text"])
        return out

    # --- the API ---------------------------------------------------------------------

    def _token_ok(self, request: Request) -> bool:
        expires = self.access_tokens.get(request.headers.get("access_token", ""))
        return expires is not None and expires > self.clock()

    async def send_cs(self, request: Request) -> JSONResponse:
        if not self._token_ok(request):
            return _error(-216, "Access token is invalid")
        if self.faults:
            return _error(self.faults.pop(0), "injected")
        try:
            body = json.loads(await request.body())
            user_id = str(body["recipient"]["user_id"])
            message = body["message"]
        except (ValueError, KeyError, TypeError):
            return _error(-201, "Parameters are invalid")
        problem = self._check_message(user_id, message)
        if problem:
            return _error(-201, problem)
        follower = self.followers.get(user_id)
        if follower is None:
            return _error(-230, "User has not interacted with the OA")
        age = self.clock() - follower.last_message_at
        quoted = message.get("quote_message_id")
        if age < REPLY_WINDOW and quoted and follower.replies < FREE_REPLIES:
            follower.replies += 1
        elif (not self.verified and age >= REPLY_WINDOW) or age >= ADVISORY_WINDOW:
            return _error(-232, "User interaction has expired")
        message_id = f"{next(self._ids):020x}"
        self.sent.append({"user_id": user_id, "message": message, "at": self.clock()})
        return JSONResponse({"error": 0, "message": "Success", "data": {"message_id": message_id}})

    def _check_message(self, user_id: str, message: Any) -> str | None:
        if not isinstance(message, dict):
            return "message is not an object"
        quoted = message.get("quote_message_id")
        follower = self.followers.get(user_id)
        if quoted and (follower is None or quoted not in follower.message_ids):
            return "quote_message_id is not this user's message"
        if "text" in message:
            text = message["text"]
            if not isinstance(text, str) or not 1 <= len(text) <= 2000:
                return "text must be 1-2000 characters"
            return None
        attachment = message.get("attachment")
        if not isinstance(attachment, dict):
            return "no text and no attachment"
        payload = attachment.get("payload") or {}
        if attachment.get("type") == "file":
            return None if payload.get("token") in self.uploads else "unknown file token"
        kind = payload.get("template_type")
        if kind == "button":
            buttons = payload.get("buttons") or []
            if not 1 <= len(buttons) <= 5 or len(payload.get("text", "")) > 2000:
                return "1-5 buttons and at most 2000 characters"
            if any(b.get("type") != "oa.query.hide" or not b.get("payload") for b in buttons):
                return "bad button"
            return None
        if kind == "media":
            ids = [e.get("attachment_id") for e in payload.get("elements") or []]
            return None if ids and all(i in self.uploads for i in ids) else "unknown image"
        return "unknown template"

    async def photo(self, request: Request) -> Response:
        """A citizen's photo as Zalo's servers hold it (`media[name]`), for a download."""
        content = self.media.get(request.path_params["name"])
        if content is None:
            return Response(status_code=404)
        return Response(content, media_type="image/jpeg")

    async def upload(self, request: Request) -> JSONResponse:
        if not self._token_ok(request):
            return _error(-216, "Access token is invalid")
        content = await _file(request)
        if not content:
            return _error(-201, "no file")
        image = request.path_params["kind"] == "image"
        if image and (len(content) > 1024 * 1024 or not content.startswith(IMAGE_MAGIC)):
            return _error(-210, "image must be jpg or png, at most 1 MB")
        ref = secrets.token_hex(8)
        self.uploads[ref] = content
        key = "attachment_id" if request.path_params["kind"] == "image" else "token"
        return JSONResponse({"error": 0, "message": "Success", "data": {key: ref}})

    async def access_token(self, request: Request) -> JSONResponse:
        form = await _form(request)
        if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
            return JSONResponse({"error": -14002, "error_description": "Invalid app"})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            challenge = self.codes.pop(str(form.get("code")), None)
            verifier = str(form.get("code_verifier") or "")
            computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if challenge is None or computed.rstrip(b"=").decode() != challenge:
                return JSONResponse({"error": -14019, "error_description": "Invalid code"})
        elif grant == "refresh_token":
            token = str(form.get("refresh_token"))
            self.refresh_uses[token] += 1
            if self.refresh_tokens.get(token) is not False:
                self.reused.append(token)
                return JSONResponse({"error": -14014, "error_description": "Invalid refresh"})
            self.refresh_tokens[token] = True
        else:
            return JSONResponse({"error": -14003, "error_description": "Invalid grant"})
        access, refresh = self.issue_pair()
        return JSONResponse(
            {"access_token": access, "refresh_token": refresh, "expires_in": str(TOKEN_SECONDS)}
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v3.0/oa/message/cs", self.send_cs, methods=["POST"]),
                Route("/v2.0/oa/upload/{kind:str}", self.upload, methods=["POST"]),
                Route("/media/{name:str}", self.photo, methods=["GET"]),
                Route("/v4/oa/access_token", self.access_token, methods=["POST"]),
            ]
        )


# --- the webhook emitter -----------------------------------------------------------------

_msg_ids = itertools.count(1)


def event(
    standin: ZaloOaStandIn, name: str, user_id: str, *, at: datetime | None = None, **message: Any
) -> dict[str, Any]:
    """A user event as Zalo posts it; a message event is remembered as the user's."""
    when = at or standin.clock()
    body: dict[str, Any] = {
        "app_id": APP_ID,
        "user_id_by_app": f"app-{user_id}",
        "event_name": name,
        "timestamp": str(int(when.timestamp() * 1000)),
    }
    if name in ("follow", "unfollow"):
        body["oa_id"] = OA_ID
        body["follower"] = {"id": user_id}
        body["source"] = "oa_profile"
        standin.user_wrote(user_id, None)
    else:
        body["sender"] = {"id": user_id}
        body["recipient"] = {"id": OA_ID}
        msg_id = message.pop("msg_id", None) or f"{next(_msg_ids):032x}"
        body["message"] = {"msg_id": msg_id, **message}
        standin.user_wrote(user_id, msg_id)
    return body


def sign(body: bytes, timestamp: str, secret: str = OA_SECRET, app_id: str = APP_ID) -> str:
    return signature.PREFIX + signature.mac(app_id, body, timestamp, secret)


async def emit(
    url: str, body: dict[str, Any], *, mac: str | None = None, raw: bytes | None = None
) -> httpx.Response:
    """POST an event, signed exactly as Zalo signs it (or with the `mac` given)."""
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    header = mac if mac is not None else sign(data, str(body.get("timestamp", "")))
    async with httpx.AsyncClient() as client:
        return await client.post(
            url,
            content=data,
            headers={signature.HEADER: header, "Content-Type": "application/json"},
        )
