"""The commune's public page, `/public/CG/` (issue 12): no login, cacheable, no JavaScript.

What is published: the statistics (`public_stats`: by month, office and thôn, small counts
as "<3", tố cáo only in the commune's total), also as JSON at `/public/CG/stats.json`;
the answered phản ánh and kiến nghị whose citizens allowed it, masked and searchable
(`public_cases`); the knowledge base as pages (`/public/CG/huong-dan/`, one page per
entry); the announcements. What never is: a khiếu nại or a tố cáo, a record without
consent, a sender's name, phone or chat id, an official's internal note, a photo.
`/public/` lists the deployment's communes.

Pages are jinja2 templates under `bot/web/templates/public/`, autoescaped; every answer
carries `Cache-Control: public, max-age=300`. An unknown commune is a 404 in Vietnamese.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.web import public_cases, public_stats
from bot.web.public_participation import participation
from domain.communes import CommuneSettings
from faq.knowledge import FaqEntry, KnowledgeBase

PREFIX = "/public"
CACHE = {"Cache-Control": "public, max-age=300"}
ANNOUNCEMENTS = 10


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot", "web/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ngay"] = lambda at: at.strftime("%d/%m/%Y")
    env.filters["cell"] = _cell
    return env


def _cell(value: object, rate: bool = False) -> str:
    if value is None:
        return "—"
    if rate and isinstance(value, int):
        return f"{value} %"
    return str(value)


class PublicPages:
    """The handlers of the public routes over one app."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.env = environment()

    def now(self) -> datetime:
        return self.app.dispatcher.clock()

    def commune(self, request: Request) -> CommuneSettings | None:
        wanted = str(request.path_params.get("commune", "")).strip().upper()
        return next((c for c in self.app.settings.communes if c.code.upper() == wanted), None)

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        body = self.env.get_template(f"public/{name}.html.j2").render(**context)
        headers = CACHE if status == 200 else {"Cache-Control": "no-store"}
        return HTMLResponse(body, status_code=status, headers=headers)

    def not_found(self, request: Request, what: str) -> HTMLResponse:
        asked = str(request.path_params.get("commune", ""))[:20]
        return self.page("not_found", 404, what=what, asked=asked, commune=None)

    async def statistics(self, commune: CommuneSettings) -> public_stats.Statistics:
        since, _ = public_stats.window(self.now(), commune.timezone)
        async with self.app.storage.transaction() as uow:
            rows = await uow.public.stat_rows(commune.code, since)
        return public_stats.compute(commune, rows, self.now())

    async def communes(self, _request: Request) -> Response:
        """`/public/`: the communes of this deployment, each with its page."""
        return self.page("communes", communes=self.app.settings.communes, commune=None)

    async def index(self, request: Request) -> Response:
        commune = self.commune(request)
        if commune is None:
            return self.not_found(request, "commune")
        since, _ = public_stats.window(self.now(), commune.timezone)
        today = self.now().astimezone(commune.timezone).date()
        async with self.app.storage.transaction() as uow:
            published = await uow.public.published(commune.code, public_cases.MOST)
            announced = await uow.announcements.list_recent(commune.code, ANNOUNCEMENTS)
            polls, desks = await participation(uow, commune, since, since.date(), today)
        cases = public_cases.page_of(
            commune, published, request.query_params.get("q", ""), _page(request)
        )
        return self.page(
            "index",
            commune=commune,
            stats=await self.statistics(commune),
            cases=cases,
            polls=polls,
            desks=desks,
            announcements=[
                (a.created_at.astimezone(commune.timezone), a.hamlet, a.text) for a in announced
            ],
        )

    async def stats_json(self, request: Request) -> Response:
        commune = self.commune(request)
        if commune is None:
            asked = str(request.path_params.get("commune", ""))[:20]
            return JSONResponse(
                {"error": f"Không tìm thấy xã có mã «{asked}»."},
                status_code=404,
                headers={"Cache-Control": "no-store"},
            )
        stats = await self.statistics(commune)
        return JSONResponse(stats.as_json(commune), headers=CACHE)

    def knowledge(self, commune: CommuneSettings) -> KnowledgeBase:
        return self.app.knowledge.kb.active_on(self.now().astimezone(commune.timezone).date())

    async def guides(self, request: Request) -> Response:
        commune = self.commune(request)
        if commune is None:
            return self.not_found(request, "commune")
        entries = sorted(self.knowledge(commune).entries, key=lambda e: e.title)
        return self.page("guides", commune=commune, entries=entries)

    async def guide(self, request: Request) -> Response:
        commune = self.commune(request)
        if commune is None:
            return self.not_found(request, "commune")
        entry = self.knowledge(commune).get(str(request.path_params["entry"]))
        if entry is None:
            return self.page("not_found", 404, what="guide", asked="", commune=commune)
        return self.page("guide", commune=commune, entry=entry, answer=self.answer(entry, commune))

    def answer(self, entry: FaqEntry, commune: CommuneSettings) -> Markup:
        # The answer is the chat's own template, escaped by the same rules (HTML's): the
        # few tags it may hold (<b>, <i>, <a>) mean the same on the web.
        rendered = self.app.renderer.render_string(entry.answer, commune=commune)
        return Markup(rendered)  # noqa: S704 - autoescaped by the renderer


def _page(request: Request) -> int:
    raw = request.query_params.get("trang", "").strip()
    return int(raw[:6]) if raw.isascii() and raw.isdigit() else 1


def public_routes(app: App) -> list[BaseRoute]:
    pages = PublicPages(app)
    base = PREFIX + "/{commune}"
    return [
        Route(PREFIX + "/", pages.communes, methods=["GET"]),
        Route(base + "/", pages.index, methods=["GET"]),
        Route(base + "/stats.json", pages.stats_json, methods=["GET"]),
        Route(base + "/huong-dan/", pages.guides, methods=["GET"]),
        Route(base + "/huong-dan/{entry}", pages.guide, methods=["GET"]),
    ]
