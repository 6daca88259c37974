"""Open311's write path: `POST requests` with a partner's API key, and `GET tokens/{token}`.

One transaction per post: the key is checked (an unknown, revoked or other commune's key
is 403 and nothing is stored), the form is checked (`submission.parse`, 400 and nothing
stored), then `handlers.records.file_record` files the record exactly as a chat filing
does, the token is kept beside it and the office's notices go to the outbox. The answer
has the tracking code as `service_request_id` and the token too (a partner built for the
asynchronous path reads it at once through `tokens/{token}`).

The log names the key's id and the record's code, never the form's contents.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.app import App
from bot.jobs import enqueue_notifications
from bot.open311 import keys, submission
from bot.open311.common import PREFIX, Refused, answer, commune_named
from bot.open311.formats import FORMATS, error, render
from domain.communes import TRIAGE_OFFICE, CommuneSettings
from domain.messages import plain_text
from handlers.notify import Notifier
from handlers.records import file_record

log = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FIELDS = 100


async def _form(request: Request) -> dict[str, str]:
    """The posted form's text fields (a file part is not ours: refused)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in FORM_TYPES:
        raise Refused(400, "post the request form-encoded (application/x-www-form-urlencoded)")
    try:
        form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    except (HTTPException, ValueError, UnicodeDecodeError):
        raise Refused(400, "the form could not be read") from None
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            raise Refused(400, "files are not accepted: send media_url")
        fields.setdefault(name, value)
    return fields


def poster(app: App) -> Callable[[Request], Awaitable[Response]]:
    async def post(request: Request) -> Response:
        fmt = request.path_params.get("fmt", "")
        if fmt not in FORMATS:
            return error("json", 404, "format must be json or xml")
        try:
            form = await _form(request)
            wanted = form.get("jurisdiction_id") or request.query_params.get("jurisdiction_id")
            commune = commune_named(app, wanted or "")
            secret = form.get("api_key") or request.query_params.get("api_key") or ""
            created = await create(app, commune, secret, form)
        except Refused as refused:
            return error(fmt, refused.status, refused.description)
        return render(fmt, "service_requests", [created])

    return post


async def create(
    app: App, commune: CommuneSettings, secret: str, form: dict[str, str]
) -> dict[str, Any]:
    """File the posted request; its answer document. Raises `Refused`."""
    now = app.dispatcher.clock()
    if not secret or len(secret) > keys.MAX_KEY_LENGTH:
        raise Refused(403, "api_key is missing or not valid")
    async with app.storage.transaction() as uow:
        key = await uow.open311.use_key(keys.key_hash(secret), now)
        if key is None or key.commune_code not in (None, commune.code):
            raise Refused(403, "api_key is missing or not valid")
        try:
            checked = submission.parse(form, commune, app.settings.bot.max_text_length)
        except submission.Invalid as invalid:
            raise Refused(400, str(invalid)) from None
        understander = app.knowledge.understander(commune, now.astimezone(commune.timezone).date())
        routed = understander.routing.get(checked.topic, TRIAGE_OFFICE)
        notifier = Notifier(uow, app.renderer, commune, now)
        filed = await file_record(
            uow,
            commune,
            submission.intake(checked, routed, f"open311:{key.id}"),
            now,
            notifier=notifier,
        )
        token = keys.new_token()
        await uow.open311.add_request(token, filed.record.id, key.id, checked.media_url, now)
        await enqueue_notifications(uow, notifier, now)
    log.info("open311: key %s posted %s", key.id, filed.record.code)
    notice = app.renderer.render(
        "open311_notice",
        record=filed.record,
        office_name=filed.office_name,
        rule_days=filed.rule.days,
        working_days=filed.rule.working_days,
        due=filed.record.due_at.astimezone(commune.timezone),
    )
    return {
        "service_request_id": filed.record.code,
        "token": token,
        "service_notice": plain_text(notice),
        "account_id": None,
    }


def routes(app: App) -> list[BaseRoute]:
    async def token(request: Request) -> Response:
        async def build(req: Request, commune: CommuneSettings) -> tuple[str, object]:
            name = req.path_params["token"].strip()[:64]
            async with app.storage.transaction() as uow:
                code = await uow.open311.code_for_token(name) if name else None
                record = await uow.records.get_by_code(code) if code else None
            if record is None or record.commune_code != commune.code:
                raise Refused(404, "no such token")
            return "service_requests", [{"service_request_id": code, "token": name}]

        return await answer(app, request, build)

    return [Route(PREFIX + "/tokens/{token}.{fmt}", token, methods=["GET"])]
