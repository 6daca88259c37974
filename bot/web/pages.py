"""The console's HTML: jinja2 templates under `bot/web/templates/console/`, autoescaped,
with the chat's labels (`handlers/templates/labels.j2`: kinds, statuses, events) so a
status reads the same on the web as in chat."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

import jinja2
from starlette.responses import HTMLResponse

# Security headers on every console page: no framing, no sniffing, no referrer leaking a
# record's code to the map server, scripts and styles only from here.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-src https://www.openstreetmap.org; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}


class Pages:
    def __init__(self, labels: Mapping[str, str]) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("bot.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["labels"] = labels
        self.env.filters["when"] = when
        self.env.filters["day"] = day

    def render(self, name: str, /, **context: Any) -> str:
        return self.env.get_template(f"console/{name}.html.j2").render(**context)

    def response(self, name: str, /, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.render(name, **context), status_code=status, headers=HEADERS)


def when(value: datetime | None, tz: tzinfo | None = None) -> str:
    if value is None:
        return ""
    local = value.astimezone(tz) if tz else value
    return local.strftime("%d/%m/%Y %H:%M")


def day(value: datetime | None, tz: tzinfo | None = None) -> str:
    if value is None:
        return ""
    local = value.astimezone(tz) if tz else value
    return local.strftime("%d/%m/%Y")
