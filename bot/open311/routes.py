"""The Open311 routes on the one web server (see the package docstring)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.open311 import documents, write
from bot.open311.common import PREFIX, Refused, answer
from domain.communes import CommuneSettings
from domain.records import Record, RecordStatus

DEFAULT_WINDOW = timedelta(days=90)  # the standard's default for GET requests
CLOSED = tuple(s for s in RecordStatus if s not in documents.OPEN)


Doc = dict[str, object]


def _date(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Refused(400, f"{name} must be a W3C (ISO 8601) date-time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _int(request: Request, name: str, default: int, top: int) -> int:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= top:
        raise Refused(400, f"{name} must be a whole number from 1 to {top}")
    return int(raw)


def window(req: Request, now: datetime) -> tuple[datetime, datetime]:
    """[start_date, end_date): the standard's default is the 90 days before the end."""
    end = _date(req, "end_date") or now
    start = _date(req, "start_date") or end - DEFAULT_WINDOW
    if start >= end:
        raise Refused(400, "start_date must be before end_date")
    return start, end


def open311_routes(app: App) -> list[BaseRoute]:
    """The routes, or none when `[open311] enabled = false`."""
    config = app.settings.open311
    if not config.enabled:
        return []

    async def discovery(request: Request) -> Response:
        async def build(req: Request, commune: CommuneSettings) -> tuple[str, object]:
            base = str(req.base_url).rstrip("/") + PREFIX
            return "discovery", documents.discovery(base, commune.hotline or commune.address)

        return await answer(app, request, build)

    async def services(request: Request) -> Response:
        async def build(_req: Request, commune: CommuneSettings) -> tuple[str, object]:
            return "services", documents.services(commune)

        return await answer(app, request, build)

    async def definition(request: Request) -> Response:
        async def build(req: Request, commune: CommuneSettings) -> tuple[str, object]:
            code = req.path_params["code"]
            if not documents.is_service(code):
                raise Refused(404, "no such service_code")
            return "service_definition", documents.definition(commune, code)

        return await answer(app, request, build)

    async def requests(request: Request) -> Response:
        async def build(req: Request, commune: CommuneSettings) -> tuple[str, object]:
            return "service_requests", await _list(req, commune)

        return await answer(app, request, build)

    async def one_request(request: Request) -> Response:
        async def build(req: Request, commune: CommuneSettings) -> tuple[str, object]:
            found = await _described(commune, [req.path_params["id"]])
            if not found:
                raise Refused(404, "no such service_request_id")
            return "service_requests", found

        return await answer(app, request, build)

    async def updates(request: Request) -> Response:
        async def build(req: Request, commune: CommuneSettings) -> tuple[str, object]:
            start, end = window(req, datetime.now(UTC))
            size = _int(req, "page_size", config.page_size, config.max_page_size)
            page = _int(req, "page", 1, 100_000)
            async with app.storage.transaction() as uow:
                found = await uow.open311.updates(
                    commune.code,
                    [str(k) for k in documents.LISTED_KINDS],
                    start,
                    end,
                    limit=size,
                    offset=(page - 1) * size,
                )
            return "service_request_updates", [
                documents.service_request_update(
                    commune, u, app.renderer.label(f"status.{u.status.value}")
                )
                for u in found
            ]

        return await answer(app, request, build)

    async def _described(commune: CommuneSettings, codes: list[str]) -> list[Doc]:
        records: list[Record] = []
        async with app.storage.transaction() as uow:
            for code in codes:
                record = await uow.records.get_by_code(code.strip().upper()[:40])
                if record is not None:
                    records.append(record)
        return await _documents(commune, records)

    async def _documents(commune: CommuneSettings, records: list[Record]) -> list[Doc]:
        listed = [
            r
            for r in records
            if r.commune_code == commune.code and r.kind in documents.LISTED_KINDS
        ]
        out = []
        async with app.storage.transaction() as uow:
            for record in listed:
                events = await uow.events.list_for(record.id, visible_only=True)
                out.append(documents.service_request(commune, record, events))
        return out

    async def _list(req: Request, commune: CommuneSettings) -> list[Doc]:
        wanted = req.query_params.get("service_request_id", "").strip()
        if wanted:
            return await _described(commune, wanted.split(",")[: config.max_page_size])
        start, end = window(req, datetime.now(UTC))
        statuses: tuple[RecordStatus, ...] = ()
        status = req.query_params.get("status", "").strip().lower()
        if status:
            asked = set(status.split(","))
            if not asked <= {"open", "closed"}:
                raise Refused(400, "status must be open, closed or both")
            statuses = (tuple(documents.OPEN) if "open" in asked else ()) + (
                CLOSED if "closed" in asked else ()
            )
        code = req.query_params.get("service_code", "").strip() or None
        if code is not None and not documents.is_service(code):
            raise Refused(400, "no such service_code")
        size = _int(req, "page_size", config.page_size, config.max_page_size)
        page = _int(req, "page", 1, 100_000)
        async with app.storage.transaction() as uow:
            records = await uow.records.list_filed(
                commune.code,
                [str(k) for k in documents.LISTED_KINDS],
                start,
                end,
                statuses=statuses,
                topic=code,
                limit=size,
                offset=(page - 1) * size,
            )
        return await _documents(commune, records)

    return [
        Route(PREFIX + "/discovery.{fmt}", discovery, methods=["GET"]),
        Route(PREFIX + "/services.{fmt}", services, methods=["GET"]),
        Route(PREFIX + "/services/{code}.{fmt}", definition, methods=["GET"]),
        Route(PREFIX + "/requests.{fmt}", requests, methods=["GET"]),
        Route(PREFIX + "/requests.{fmt}", write.poster(app), methods=["POST"]),
        Route(PREFIX + "/requests/{id}.{fmt}", one_request, methods=["GET"]),
        Route(PREFIX + "/servicerequestupdates.{fmt}", updates, methods=["GET"]),
        *write.routes(app),
    ]
