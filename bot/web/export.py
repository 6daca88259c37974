"""The queue's export: `/console/export.csv` and `/console/export.xlsx`, the records the
queue's filter selects (`bot.web.queue.parse`: the same scope and filters), at most
`MAX_ROWS`.

Pseudonymised by default: a sender is a stable code (`Sessions.pseudonym`), never a name
or phone. With «kèm thông tin người gửi» ticked (`identities=1`) each row shows the
contact the official may see on the case page (`domain.permissions.contact_for`: a tố
cáo's denouncer stays hidden unless the official may see them); every export with
identities is written to the console's audit log (`web_audit`) and the log, without
any identity.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from starlette.requests import Request
from starlette.responses import Response

from bot.web.desk import Console, Desk, RouteSpec
from bot.web.queue import parse, works_records
from domain.permissions import contact_for
from domain.records import Record

log = logging.getLogger(__name__)

MAX_ROWS = 5000
# The columns, named by `export.*` in handlers/templates/labels.j2 (Vietnamese text stays
# in the templates, which a deployment may override).
COLUMNS = (
    "code",
    "kind",
    "status",
    "office",
    "hamlet",
    "description",
    "created",
    "due",
    "overdue",
    "sender",
    "phone",
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def routes(console: Console) -> list[RouteSpec]:
    app = console.app
    labels = app.renderer.labels

    def rows(desk: Desk, records: Iterable[Record], identities: bool) -> list[list[str]]:
        tz = desk.commune.timezone
        out = []
        for r in records:
            office = desk.commune.office(r.office_code)
            contact = contact_for(desk.actor, r) if identities else None
            if contact is not None and contact.present:
                who, phone = contact.name or "", contact.phone or ""
            elif contact is not None and contact.hidden:
                who, phone = labels["export.sender_hidden"], ""
            elif r.anonymous or r.citizen_id is None:
                who, phone = labels["export.sender_anonymous"], ""
            else:
                who, phone = console.sessions.pseudonym(f"{r.commune_code}:{r.citizen_id}"), ""
            out.append(
                [
                    r.code,
                    labels["kind." + r.kind.value],
                    labels["office_status." + r.status.value],
                    office.name if office else r.office_code,
                    r.hamlet or "",
                    r.description,
                    r.created_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                    r.due_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                    labels["export.overdue_yes"]
                    if r.due_at < desk.now and r.resolved_at is None
                    else "",
                    who,
                    phone,
                ]
            )
        return out

    async def export(request: Request, fmt: str) -> Response:
        desk = await console.desk(request)
        if not works_records(desk):
            return console.page(desk, "refused", status=403, reason="admin")
        query = parse(desk, request.query_params, app.settings.bot.reminder_days)
        identities = request.query_params.get("identities") == "1"
        async with app.storage.transaction() as uow:
            found = await uow.console.search(query.wanted, query.sort, MAX_ROWS, 0)
            if identities:
                await uow.web_audit.add(
                    desk.official.id, desk.now, "export_identities", f"{fmt}, {len(found)} records"
                )
        if identities:
            log.info(
                "console: official %s exported %d records with identities",
                desk.official.id,
                len(found),
            )
        table = rows(desk, found, identities)
        stamp = desk.now.astimezone(desk.commune.timezone).strftime("%Y%m%d-%H%M")
        name = f"hoso-{desk.commune.code}-{stamp}.{fmt}"
        headers = {
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        }
        header = [labels["export." + column] for column in COLUMNS]
        if fmt == "csv":
            return Response(
                _csv(header, table), media_type="text/csv; charset=utf-8", headers=headers
            )
        return Response(
            _xlsx(header, table, labels["export.sheet"]), media_type=XLSX, headers=headers
        )

    async def as_csv(request: Request) -> Response:
        return await export(request, "csv")

    async def as_xlsx(request: Request) -> Response:
        return await export(request, "xlsx")

    return [
        ("/console/export.csv", as_csv, ["GET"]),
        ("/console/export.xlsx", as_xlsx, ["GET"]),
    ]


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV/formula injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _csv(header: list[str], table: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_safe(c) for c in row] for row in table])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def _xlsx(header: list[str], table: list[list[str]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook has its sheet)
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append([_safe(c) for c in row])
    for column, width in zip(
        "ABCDEFGHIJK", (18, 11, 24, 26, 14, 60, 17, 17, 8, 20, 14), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
