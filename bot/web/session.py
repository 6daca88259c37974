"""The console's session: a signed cookie, and the CSRF token every form carries.

The cookie holds the official's id and the session's CSRF token, signed with itsdangerous
(`URLSafeTimedSerializer`, HMAC-SHA1 over the payload and the time it was issued). It is
issued again on every page an official opens, so it expires after `IDLE` without use (a
working day), not after a fixed time. The official is read from storage on every request:
a revoked official's cookie opens nothing from that request on.

The key: `DANVAN_WEB_SECRET` when set; otherwise one made at first use and kept in storage
(`web_secrets`), so every process of a deployment signs with the same key and a restart
does not log anyone out. The cookie is `HttpOnly`, `SameSite=Lax`, and `Secure` when
`[web] public_url` is https.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from storage import Storage

COOKIE = "danvan_console"
IDLE = timedelta(hours=9)
SECRET_ENV = "DANVAN_WEB_SECRET"  # noqa: S105 (a variable's name)
SECRET_NAME = "console_session"  # noqa: S105 (its row in web_secrets)
SALT = "danvan.console.session"


@dataclass(frozen=True, slots=True)
class Session:
    official_id: int
    csrf: str


class Sessions:
    """Issues and reads the signed session cookie; `open` loads the key once."""

    def __init__(self, secret: str, *, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self._pseudonyms = hmac.new(secret.encode(), b"danvan.console.pseudonym", "sha256")
        self.secure = secure

    def pseudonym(self, value: object) -> str:
        """A stable stand-in for a sender in an export: the same person, the same code,
        and no way back to them without the key."""
        mac = self._pseudonyms.copy()
        mac.update(str(value).encode())
        return "NG-" + mac.hexdigest()[:8].upper()

    @classmethod
    async def open(
        cls,
        storage: Storage,
        now: datetime,
        *,
        secure: bool,
        environ: Mapping[str, str] = os.environ,
    ) -> Sessions:
        secret = environ.get(SECRET_ENV, "").strip()
        if not secret:
            async with storage.transaction() as uow:
                secret = await uow.web_links.secret(SECRET_NAME, secrets.token_urlsafe(48), now)
        return cls(secret, secure=secure)

    def new(self, official_id: int) -> Session:
        return Session(official_id, secrets.token_urlsafe(24))

    def read(self, request: Request) -> Session | None:
        """The request's session, if its cookie is signed by us and was issued within `IDLE`."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=int(IDLE.total_seconds()))
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict):
            return None
        official_id, csrf = data.get("o"), data.get("c")
        if not isinstance(official_id, int) or not isinstance(csrf, str) or not csrf:
            return None
        return Session(official_id, csrf)

    def keep(self, response: Response, session: Session) -> Response:
        """Set (or renew: the idle time starts again) the session cookie on `response`."""
        response.set_cookie(
            COOKIE,
            self._serializer.dumps({"o": session.official_id, "c": session.csrf}),
            max_age=int(IDLE.total_seconds()),
            path="/console",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )
        return response

    def end(self, response: Response) -> Response:
        response.delete_cookie(
            COOKIE, path="/console", httponly=True, samesite="lax", secure=self.secure
        )
        return response


def csrf_ok(session: Session, sent: object) -> bool:
    """Whether a form's `csrf` field is this session's token (compared in constant time)."""
    return isinstance(sent, str) and hmac.compare_digest(sent.encode(), session.csrf.encode())
