"""What one console request sees (`Desk`), and the guard every console page passes.

`Console.desk(request)` reads the session cookie and the official it names, on every
request: no cookie, a forged or expired one, or an official revoked since — and the page is
refused (401 or 403, the cookie removed), before anything is read or changed. A POST is
also refused (403) unless its form carries the session's CSRF token.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from bot.app import App
from bot.web.pages import Pages
from bot.web.session import Session, Sessions, csrf_ok
from domain.communes import CommuneSettings
from domain.messages import Inbound
from domain.permissions import Actor
from domain.records import Official, OfficialRole
from handlers.officials.turn import StaffTurn
from storage import UnitOfWork

log = logging.getLogger(__name__)

CHANNEL = "web"  # the channel the console's steps are recorded under
Clock = Callable[[], datetime]
Handler = Callable[[Request], Awaitable[Response]]
# A console route: its path, its endpoint, its methods.
RouteSpec = tuple[str, Handler, list[str]]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Refused(Exception):
    """A request the console answers with a page and a status, nothing done."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True, slots=True)
class Desk:
    """One request's official, their session, their commune, the clock reading."""

    official: Official
    session: Session
    commune: CommuneSettings
    now: datetime

    @property
    def actor(self) -> Actor:
        return Actor.for_official(self.official)

    @property
    def leader(self) -> bool:
        return self.official.role is OfficialRole.LEADER


class Console:
    """The console's shared parts: the app, the pages, the sessions."""

    def __init__(self, app: App, sessions: Sessions, clock: Clock = utcnow) -> None:
        self.app = app
        self.sessions = sessions
        self.pages = Pages(app.renderer.labels)
        self.now = clock

    async def desk(self, request: Request) -> Desk:
        """The request's desk, or `Refused` (no session, or the official revoked)."""
        session = self.sessions.read(request)
        if session is None:
            raise Refused(self.pages.response("signed_out", status=401, revoked=False))
        async with self.app.storage.transaction() as uow:
            official = await uow.officials.get_by_id(session.official_id)
        commune = self.app.settings.commune(official.commune_code) if official else None
        if official is None or not official.active or commune is None:
            log.warning("console: session of official %s refused (revoked)", session.official_id)
            page = self.pages.response("signed_out", status=403, revoked=True)
            raise Refused(self.sessions.end(page))
        return Desk(official, session, commune, self.now())

    async def posted(self, request: Request) -> tuple[Desk, FormData]:
        """A form POST's desk and form, or `Refused` (as `desk`, or a wrong CSRF token)."""
        desk = await self.desk(request)
        form = await request.form(max_files=12, max_fields=64)
        if not csrf_ok(desk.session, form.get("csrf")):
            await form.close()
            log.warning("console: POST without a valid CSRF token from %s", desk.official.id)
            raise Refused(self.page(desk, "refused", status=403, reason="csrf"))
        return desk, form

    def page(self, desk: Desk, name: str, /, status: int = 200, **context: Any) -> Response:
        """A page for `desk`'s official (their session renewed: the idle time restarts)."""
        response = self.pages.response(
            name,
            status=status,
            me=desk.official,
            csrf=desk.session.csrf,
            commune=desk.commune,
            tz=desk.commune.timezone,
            **context,
        )
        return self.sessions.keep(response, desk.session)

    def turn(self, desk: Desk, uow: UnitOfWork) -> StaffTurn:
        """A staff turn for a console step: the same steps, rules and notices as in chat,
        recorded under the channel "web"; its confirmations are shown on the page."""
        inbound = Inbound(
            channel=CHANNEL,
            update_id=f"web:{desk.official.id}:{desk.now.timestamp()}",
            user_id=str(desk.official.id),
            chat_id=f"web:{desk.official.id}",
            received_at=desk.now,
        )
        return StaffTurn(
            inbound=inbound,
            now=desk.now,
            uow=uow,
            settings=self.app.settings,
            commune=desk.commune,
            renderer=self.app.renderer,
            official=desk.official,
        )


def form_text(form: FormData | Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""
