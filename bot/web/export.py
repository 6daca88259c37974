"""(in progress)"""

from __future__ import annotations

from bot.web.desk import Console, RouteSpec


def routes(console: Console) -> list[RouteSpec]:
    return []
