"""What the Open311 routes share: the prefix, the refusal every route turns into the
standard's error document, the commune a request names, and one answer function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from bot.app import App
from bot.open311.formats import FORMATS, error, render
from domain.communes import CommuneSettings

PREFIX = "/open311/v2"
Build = Callable[[Request, CommuneSettings], Awaitable[tuple[str, object]]]


class Refused(Exception):
    """A request the standard refuses: `status` (400, 403, 404) and a description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def commune_named(app: App, wanted: str) -> CommuneSettings:
    """The commune `jurisdiction_id` names; with one commune it may be left out."""
    wanted = wanted.strip().upper()
    communes = app.settings.communes
    if not wanted:
        if len(communes) == 1:
            return communes[0]
        raise Refused(400, "jurisdiction_id is required: the commune's code")
    for commune in communes:
        if commune.code.upper() == wanted:
            return commune
    raise Refused(404, f"unknown jurisdiction_id {wanted[:20]!r}")


async def answer(app: App, request: Request, build: Build) -> Response:
    """A GET: the format from the path, the commune from the query, `build`'s document."""
    fmt = request.path_params.get("fmt", "")
    if fmt not in FORMATS:
        return error("json", 404, "format must be json or xml")
    try:
        commune = commune_named(app, request.query_params.get("jurisdiction_id", ""))
        root, document = await build(request, commune)
    except Refused as refused:
        return error(fmt, refused.status, refused.description)
    return render(fmt, root, document)
