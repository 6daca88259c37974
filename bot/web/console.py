"""The officials' web console on the one web server: its routes, the login, the queue.

Login needs no password: a one-time link (`handlers.officials.weblink`: an official's /web,
the menu's «🖥 Mở trang quản lý», `danvan official weblink ID`). Opening it shows a page
with one button; pressing it (a POST) spends the link and starts the session. A GET never
spends it, so a chat app's link preview, which fetches the address, cannot use it up.
A link used before, expired or unknown is refused the same way (403), and nothing changes.

Routes (all under `/console/`): `login/{token}`, `logout`, the queue (`/console/`), the case
page and its files and steps (`bot.web.case`), the leaders' overview and the exports
(`bot.web.dashboard`, `bot.web.export`), and the one stylesheet.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from importlib import resources

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.web import case, dashboard, export
from bot.web.desk import Console, Handler, Refused
from bot.web.queue import PAGE_SIZE, parse, row, works_records
from bot.web.session import Sessions
from domain import lifecycle
from domain.records import RecordStatus
from handlers.officials.weblink import token_hash

log = logging.getLogger(__name__)

PREFIX = "/console"
# The one path that takes a photo (an answer's result photo): its own body limit.
ACT_PATH = case.ACT_PATH
ACT_MAX_BODY = 12 * 1024 * 1024


async def console_routes(app: App) -> list[BaseRoute]:
    """The console's routes for `danvan run` (the session key loaded from storage)."""
    sessions = await Sessions.open(app.storage, datetime.now(UTC), secure=app.settings.web.secure)
    return routes(Console(app, sessions, clock=lambda: app.dispatcher.clock()))


def routes(console: Console) -> list[BaseRoute]:
    app = console.app
    css = resources.files("bot.web").joinpath("static/console.css").read_bytes()

    def guarded(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                response: Response = await handler(request)
            except Refused as refused:
                return refused.response
            return response

        return endpoint

    async def login_page(request: Request) -> Response:
        token = request.path_params["token"]
        return console.pages.response("login", token=token[:100])

    async def login(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=4)
        token = form.get("token")
        now = console.now()
        official = None
        if isinstance(token, str) and 0 < len(token) <= 100:
            async with app.storage.transaction() as uow:
                official_id = await uow.web_links.use(token_hash(token), now)
                official = await uow.officials.get_by_id(official_id) if official_id else None
                if official is not None and official.active:
                    await uow.web_audit.add(official.id, now, "login")
        if official is None or not official.active:
            log.warning("console: a login link was refused (used, expired or unknown)")
            return console.pages.response("link_refused", status=403)
        session = console.sessions.new(official.id)
        log.info("console: official %s signed in", official.id)
        return console.sessions.keep(RedirectResponse(PREFIX + "/", status_code=303), session)

    async def logout(request: Request) -> Response:
        await console.posted(request)
        return console.sessions.end(RedirectResponse(PREFIX + "/signed-out", status_code=303))

    async def signed_out(_request: Request) -> Response:
        return console.pages.response("signed_out", revoked=False, left=True)

    async def queue(request: Request) -> Response:
        desk = await console.desk(request)
        if not works_records(desk):
            return console.page(desk, "refused", status=403, reason="admin")
        query = parse(desk, request.query_params, app.settings.bot.reminder_days)
        async with app.storage.transaction() as uow:
            total = await uow.console.count(query.wanted)
            found = await uow.console.search(
                query.wanted, query.sort, PAGE_SIZE, (query.page - 1) * PAGE_SIZE
            )
            counts = await uow.console.count_by_status(query.wanted)
        return console.page(
            desk,
            "queue",
            rows=[row(desk, r) for r in found],
            query=query,
            total=total,
            pages=max(1, -(-total // PAGE_SIZE)),
            counts=[(s.value, counts.get(s, 0)) for s in RecordStatus],
            open_total=sum(counts.get(s, 0) for s in lifecycle.OPEN),
            statuses=[s.value for s in RecordStatus],
            offices=desk.commune.offices,
            office_fixed=not desk.leader,
        )

    async def stylesheet(_request: Request) -> Response:
        return Response(
            css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
        )

    return [
        Route(PREFIX + "/", guarded(queue), methods=["GET"]),
        Route(PREFIX + "/login/{token}", login_page, methods=["GET"]),
        Route(PREFIX + "/login", login, methods=["POST"]),
        Route(PREFIX + "/logout", guarded(logout), methods=["POST"]),
        Route(PREFIX + "/signed-out", signed_out, methods=["GET"]),
        Route(PREFIX + "/console.css", stylesheet, methods=["GET"]),
        *[Route(p, guarded(h), methods=m) for p, h, m in case.routes(console)],
        *[Route(p, guarded(h), methods=m) for p, h, m in dashboard.routes(console)],
        *[Route(p, guarded(h), methods=m) for p, h, m in export.routes(console)],
    ]
