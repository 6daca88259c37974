"""The case page `/console/records/CODE`: what `/xem` shows, the photos and documents, the
map, the whole history, internal notes, and the steps the official may do.

Every step goes through the chat's own functions (`handlers.officials.steps.perform` on
a `StaffTurn` whose channel is "web"): the same permission checks, lifecycle rules, audit
event (its `channel` is "web") and notices — the citizen hears in chat, the office in its
group, through the outbox. The turn's confirmation (or refusal) is shown on the page. A
form carries the record's version: a record moved since the page was opened is refused
("hồ sơ đã thay đổi") as a stale card's button is.

Files are served only here, to an official allowed to see the record, from the copy the
channel fetched (`attachment_files`, read by `bot.web.files`); there is no public address
for them. An answer's result photo uploaded here is kept as a stored file (`bot.web.files.
store`) and an attachment of role "result" (channel "web"), shown here; the first one goes
with the answer to the citizen in chat (like the digest's chart).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.shared_files import read_copy, stored_file_id
from bot.web import files
from bot.web.desk import CHANNEL, Console, Desk, RouteSpec, form_text
from domain import lifecycle, tracking_code
from domain.lifecycle import Action
from domain.messages import plain_text
from domain.permissions import Perm, allowed
from domain.records import Citizen, Official, Record
from handlers.callbacks import RecordButton
from handlers.notify import Notifier
from handlers.officials import steps
from handlers.officials.turn import StaffTurn
from storage import UnitOfWork

log = logging.getLogger(__name__)

ACT_PATH = "/console/act"
NOTE_PATH = "/console/notes"
MAP_SPAN = 0.004  # degrees around the point in the map embed


def routes(console: Console) -> list[RouteSpec]:
    app = console.app

    async def record_for(desk: Desk, uow: UnitOfWork, code: str) -> Record | None:
        """The record named, if the official may see it (the same None otherwise)."""
        try:
            parsed = tracking_code.parse_code(code[:40])
        except tracking_code.InvalidCode:
            return None
        record = await uow.records.get_by_code(parsed.code)
        if record is not None and not allowed(desk.actor, record, Perm.VIEW):
            log.warning("console: official %s refused %s", desk.official.id, record.code)
            return None
        return record

    def not_found(desk: Desk, code: str) -> Response:
        return console.page(desk, "refused", status=404, reason="not_found", code=code[:40])

    async def show(request: Request) -> Response:
        desk = await console.desk(request)
        return await page(desk, request.path_params["code"], [])

    async def page(desk: Desk, code: str, flash: list[str], status: int = 200) -> Response:
        async with app.storage.transaction() as uow:
            record = await record_for(desk, uow, code)
            if record is None and flash:  # a step moved it out of sight (Chuyển)
                return console.page(desk, "moved", flash=flash, code=code)
            if record is None:
                return not_found(desk, code)
            context = await case_context(uow, desk, record)
        return console.page(desk, "case", status=status, flash=flash, **context)

    async def case_context(uow: UnitOfWork, desk: Desk, record: Record) -> dict[str, Any]:
        notifier = Notifier(uow, app.renderer, desk.commune, desk.now)
        names = {o.id: o.display_name for o in await uow.officials.list_active(desk.commune.code)}
        events = await uow.events.list_for(record.id, visible_only=False)
        kept = await uow.attachments.list_for(record.id)
        files = []
        for a in kept:
            path, _error = await uow.attachments.get_file(a.id)
            files.append({"id": a.id, "kind": a.kind, "role": a.role, "ready": bool(path)})
        offered = [
            unpacked.action
            for row in notifier.card_buttons(record, desk.actor)
            for button in row
            if (unpacked := RecordButton.unpack(button.data)) is not None
        ]
        candidates = [
            o
            for o in await uow.officials.list_active(desk.commune.code)
            if lifecycle.may_handle(o, record)
        ]
        located = record.latitude is not None and record.longitude is not None
        return {
            "record": record,
            "card": await notifier.card(record, desk.actor),
            "events": [
                {"e": e, "who": names.get(int(e.actor_ref or 0)) if _is_id(e.actor_ref) else None}
                for e in events
            ],
            "files": files,
            "notes": [
                {"n": n, "who": names.get(n.official_id, f"#{n.official_id}")}
                for n in await uow.notes.list_for(record.id)
            ],
            "actions": [a.value for a in offered],
            "offices": [o for o in desk.commune.offices if o.code != record.office_code],
            "candidates": candidates,
            "map": _map(record.latitude, record.longitude) if located else None,
        }

    async def act(request: Request) -> Response:
        desk, form = await console.posted(request)
        try:
            return await act_on(desk, form)
        finally:
            await form.close()  # the uploads' temporary files

    async def act_on(desk: Desk, form: FormData) -> Response:
        code = form_text(form, "code", 40)
        uploads: list[files.Upload] = []
        async with app.storage.transaction() as uow:
            record = await record_for(desk, uow, code)
            if record is None:
                return not_found(desk, code)
            turn = console.turn(desk, uow)
            action_name = form_text(form, "action", 20)
            action = Action(action_name) if action_name in {a.value for a in Action} else None
            version = form_text(form, "version", 20)
            if action is None:
                await steps.refuse(turn, record, None, "not_allowed")
            elif version != str(record.version):
                await steps.refuse(turn, record, action, "conflict")
            else:
                if action in steps.RESULT_PHOTO_STEPS:
                    uploads = await files.read_photos(form)
                    turn.keep_result_photos([f"{CHANNEL}:{u.name}" for u in uploads])
                await _do(turn, uow, record, action, form)
                kept = await _keep_uploads(uow, record, uploads, desk.now)
                if kept:
                    _photo_to_citizen(uow, record, turn, kept[0], await _citizen(uow, record))
            for reply in turn.notifier.out:
                await uow.outbox.enqueue(reply, desk.now)
        flash = [plain_text(r.text) for r in turn.replies if r.text]
        return await page(desk, record.code, flash)

    async def _do(
        turn: StaffTurn, uow: UnitOfWork, record: Record, action: Action, form: FormData
    ) -> None:
        note = form_text(form, "note", steps.NOTE_MAX + 1) or None
        if note is not None and len(note) > steps.NOTE_MAX:
            turn.say("input_too_long", length=len(note), limit=steps.NOTE_MAX)
            return
        office_code = None
        assignee: Official | None = None
        if action is Action.TRANSFER:
            office_code = form_text(form, "office", 20).upper()
            if turn.commune.office(office_code) is None or office_code == record.office_code:
                turn.say(
                    "staff_transfer_usage",
                    record_code=record.code,
                    code=record.code,
                    offices=[o for o in turn.commune.offices if o.code != record.office_code],
                )
                return
        if action is Action.ASSIGN:
            number = form_text(form, "assignee", 20)
            assignee = await uow.officials.get_by_id(int(number)) if number.isdigit() else None
            if assignee is None or not lifecycle.may_handle(assignee, record):
                await steps.refuse(turn, record, action, "not_allowed")
                return
        await steps.perform(
            turn,
            record,
            action,
            note=note,
            office_code=office_code,
            expected_version=record.version,
            assignee=assignee,
        )

    async def _keep_uploads(
        uow: UnitOfWork, record: Record, uploads: list[files.Upload], now: datetime
    ) -> list[str]:
        """Store the uploads the step kept as attachments (none, if it was refused: the
        attachments are added only by a step done); their stored names."""
        wanted = {f"{CHANNEL}:{u.name}": u for u in uploads}
        stored = []
        for attachment in await uow.attachments.list_for(record.id):
            upload = wanted.pop(attachment.ref, None) if attachment.channel == CHANNEL else None
            if upload is not None:
                named = await files.store(uow, app.settings, upload, now)
                await uow.attachments.save_file(
                    attachment.id,
                    now,
                    path=named,
                    size=len(upload.data),
                    file_id=stored_file_id(named),
                )
                stored.append(named)
        return stored

    async def _citizen(uow: UnitOfWork, record: Record) -> Citizen | None:
        return await uow.citizens.get_by_id(record.citizen_id) if record.citizen_id else None

    def _photo_to_citizen(
        uow: UnitOfWork, record: Record, turn: StaffTurn, named: str, citizen: Citizen | None
    ) -> None:
        """The first result photo goes with the answer to the citizen, in their chat, as a
        stored file (`bot.shared_files`, like the digest's chart): a web upload is no
        channel's file reference, so the chat's own photo forwarding cannot carry it."""
        if citizen is None:
            return
        for i, reply in reversed(list(enumerate(turn.notifier.out))):  # the answer: last
            to_citizen = (reply.channel, reply.chat_id) == (citizen.channel, citizen.external_id)
            if to_citizen and reply.record_code == record.code and reply.text:
                turn.notifier.out[i] = dataclasses.replace(
                    reply, extra={**reply.extra, "photo": named}
                )
                return

    async def note(request: Request) -> Response:
        desk, form = await console.posted(request)
        code = form_text(form, "code", 40)
        text = form_text(form, "text", 2001)
        async with app.storage.transaction() as uow:
            record = await record_for(desk, uow, code)
            if record is None:
                return not_found(desk, code)
            if not 0 < len(text) <= steps.NOTE_MAX:
                flash = [app.renderer.render("input_too_long", length=len(text), limit=2000)]
                return await page(desk, record.code, [plain_text(flash[0])] if text else [])
            await uow.notes.add(record.id, desk.official.id, desk.now, text)
        return RedirectResponse(f"/console/records/{record.code}#notes", status_code=303)

    async def file(request: Request) -> Response:
        desk = await console.desk(request)
        code, number = request.path_params["code"], request.path_params["n"]
        async with app.storage.transaction() as uow:
            record = await record_for(desk, uow, code)
            if record is None:
                return not_found(desk, code)
            kept = {a.id: a for a in await uow.attachments.list_for(record.id)}
            attachment = kept.get(number)
            path, _ = await uow.attachments.get_file(number) if attachment else (None, None)
            found = await read_copy(uow, app.settings.storage, path) if path else None
        if found is None:
            return console.page(desk, "refused", status=404, reason="no_file", code=record.code)
        return files.response(*found)

    return [
        ("/console/records/{code}", show, ["GET"]),
        ("/console/records/{code}/files/{n:int}", file, ["GET"]),
        (ACT_PATH, act, ["POST"]),
        (NOTE_PATH, note, ["POST"]),
    ]


def _is_id(ref: str | None) -> bool:
    return ref is not None and ref.isascii() and ref.isdigit()


def _map(lat: float | None, lon: float | None) -> dict[str, str] | None:
    if lat is None or lon is None:
        return None
    box = f"{lon - MAP_SPAN},{lat - MAP_SPAN},{lon + MAP_SPAN},{lat + MAP_SPAN}"
    return {
        "embed": (
            "https://www.openstreetmap.org/export/embed.html?bbox="
            f"{box}&layer=mapnik&marker={lat},{lon}"
        ),
        "link": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}",
        "lat": f"{lat:.6f}",
        "lon": f"{lon:.6f}",
    }
