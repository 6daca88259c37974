"""The leaders' overview `/console/dashboard`: per office, the open, overdue and due-soon
records now, and the on-time rate and satisfaction over the last 4 and 12 weeks; the
records longest overdue; the weekly digest's archive (DOCX, PNG, HTML) to download.

A leader sees the whole commune; an office head their office; members work the queue.
The figures are the digest's own queries (`storage.repos.digest`): resolved by the
deadline among records resolved in the window (a rejection is not a resolution), and the
share of «hài lòng» and «rất hài lòng» among the ratings given in it. The oldest overdue
list never names a tố cáo's content (codes and offices only, as in the digest).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from bot.digest.figures import SATISFIED
from bot.web.desk import Console, Desk, RouteSpec
from domain import lifecycle
from domain.records import OfficialRole
from storage.repos.console import QueueFilter

WINDOWS = (4, 12)  # weeks
OLDEST = 10
ARCHIVE_WEEKS = 12
ARCHIVE_TYPES = {".docx", ".png", ".html", ".txt"}


def routes(console: Console) -> list[RouteSpec]:
    app = console.app

    def allowed(desk: Desk) -> bool:
        return desk.official.role in (OfficialRole.LEADER, OfficialRole.HEAD)

    async def overview(request: Request) -> Response:
        desk = await console.desk(request)
        if not allowed(desk):
            return console.page(desk, "refused", status=403, reason="forbidden")
        offices = [
            o for o in desk.commune.offices if desk.leader or o.code == desk.official.office_code
        ]
        soon = datetime.combine(
            desk.now.astimezone(desk.commune.timezone).date()
            + timedelta(days=app.settings.bot.reminder_days + 1),
            time(),
            desk.commune.timezone,
        )
        rows: list[dict[str, Any]] = []
        async with app.storage.transaction() as uow:
            windows = {}
            for weeks in WINDOWS:
                since = desk.now - timedelta(weeks=weeks)
                resolved = await uow.digest.resolved(desk.commune.code, since, desk.now)
                ratings = await uow.digest.ratings(desk.commune.code, since, desk.now)
                windows[weeks] = (resolved, ratings)
            for office in offices:
                base = QueueFilter(
                    commune_code=desk.commune.code,
                    office_code=office.code,
                    open_statuses=lifecycle.OPEN,
                )
                row: dict[str, Any] = {
                    "office": office,
                    "open": await uow.console.count(replace(base, statuses=lifecycle.OPEN)),
                    "overdue": await uow.console.count(replace(base, due_before=desk.now)),
                    "soon": await uow.console.count(
                        replace(base, due_after=desk.now, due_before=soon)
                    ),
                }
                for weeks, (resolved, ratings) in windows.items():
                    done = [(n, on) for code, n, on in resolved if code == office.code]
                    total = sum(n for n, _ in done)
                    rated = [(lv, n) for code, lv, n in ratings if code == office.code]
                    given = sum(n for _, n in rated)
                    happy = sum(n for lv, n in rated if lv in SATISFIED)
                    row[f"on_time_{weeks}"] = _share(sum(on for _, on in done), total)
                    row[f"resolved_{weeks}"] = total
                    row[f"satisfied_{weeks}"] = _share(happy, given)
                    row[f"rated_{weeks}"] = given
                rows.append(row)
            oldest = await uow.digest.overdue_records(desk.commune.code, desk.now, OLDEST * 3, ())
        codes = {o.code for o in offices}
        oldest = [r for r in oldest if r.office_code in codes][:OLDEST]
        archive = await asyncio.to_thread(_archive, _archive_root(console, desk))
        return console.page(
            desk,
            "dashboard",
            rows=rows,
            windows=WINDOWS,
            oldest=oldest,
            archive=archive if desk.leader else [],
        )

    async def archived(request: Request) -> Response:
        desk = await console.desk(request)
        if not desk.leader:
            return console.page(desk, "refused", status=403, reason="forbidden")
        week, name = request.path_params["week"], request.path_params["name"]
        listed = dict(await asyncio.to_thread(_archive, _archive_root(console, desk)))
        if name not in listed.get(week, ()):
            return console.page(desk, "refused", status=404, reason="no_file", code=week[:10])
        path = _archive_root(console, desk) / week / name
        return FileResponse(path, filename=name, headers={"Cache-Control": "private, no-store"})

    return [
        ("/console/dashboard", overview, ["GET"]),
        ("/console/dashboard/digest/{week}/{name}", archived, ["GET"]),
    ]


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _archive_root(console: Console, desk: Desk) -> Path:
    return console.app.settings.digest.archive_dir / desk.commune.code


def _archive(root: Path) -> list[tuple[str, list[str]]]:
    """The archived weeks, newest first, with their files (only the digest's kinds)."""
    if not root.is_dir():
        return []
    weeks = sorted((p for p in root.iterdir() if p.is_dir()), reverse=True)[:ARCHIVE_WEEKS]
    return [
        (
            week.name,
            sorted(f.name for f in week.iterdir() if f.is_file() and f.suffix in ARCHIVE_TYPES),
        )
        for week in weeks
    ]
