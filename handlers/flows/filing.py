"""Filing a record: kind → description → hamlet → photos/location → contact → summary.

```mermaid
stateDiagram-v2
    [*] --> resume: draft exists
    [*] --> kind
    resume --> kind: soạn mới
    resume --> confirm: soạn tiếp
    kind --> identity: khiếu nại / tố cáo
    kind --> description
    identity --> description
    description --> hamlet
    hamlet --> hamlet_other: Khác…
    hamlet --> media
    hamlet_other --> media
    media --> contact: phản ánh / kiến nghị
    media --> name: khiếu nại / tố cáo
    contact --> name: để lại thông tin
    contact --> confirm: ẩn danh / dùng thông tin đã lưu
    name --> phone
    phone --> confirm
    confirm --> edit: Sửa
    edit --> kind
    edit --> description
    edit --> hamlet
    edit --> media
    edit --> contact
    confirm --> [*]: Gửi (record committed, code shown)
```

The draft lives in the conversation data (`data["draft"]`), so a restart resumes at the
same step, and leaving with another command keeps it for later; /huy drops it. While
editing (`draft["editing"]`) each step returns to the summary instead of going on.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from domain import tracking_code
from domain.communes import TRIAGE_OFFICE
from domain.deadlines import record_due_at
from domain.records import ActorKind, NewRecord, OfficialRole, Record, RecordKind, RecordStatus
from handlers.callbacks import EditButton, MenuButton
from handlers.free_text import understander
from handlers.notify import Notifier
from handlers.router import FlowRouter
from handlers.text import NAME_MAX, has_words, one_line, valid_name, valid_phone
from handlers.turn import ButtonSpec, Turn

log = logging.getLogger(__name__)

PLACE_MAX = 200
HAMLET_MAX = 100
CODE_ATTEMPTS = 20

router = FlowRouter("filing")


class Filing(StrEnum):
    RESUME = "filing.resume"
    KIND = "filing.kind"
    IDENTITY = "filing.identity"
    DESCRIPTION = "filing.description"
    HAMLET = "filing.hamlet"
    HAMLET_OTHER = "filing.hamlet_other"
    MEDIA = "filing.media"
    CONTACT = "filing.contact"
    NAME = "filing.name"
    PHONE = "filing.phone"
    CONFIRM = "filing.confirm"
    EDIT = "filing.edit"


_KIND_ACTIONS = {
    "pa": RecordKind.PHAN_ANH,
    "kn": RecordKind.KIEN_NGHI,
    "knai": RecordKind.KHIEU_NAI,
    "tc": RecordKind.TO_CAO,
}


def _draft(turn: Turn) -> dict[str, Any]:
    draft: dict[str, Any] = turn.data.setdefault("draft", {})
    return draft


def _kind(turn: Turn) -> RecordKind | None:
    value = _draft(turn).get("kind")
    return RecordKind(value) if value else None


def _cancel_row(turn: Turn) -> list[ButtonSpec]:
    return [turn.btn("btn.cancel", MenuButton("cancel").pack())]


@router.entry()
async def start(turn: Turn, *, kind: RecordKind | None = None, **prefill: Any) -> None:
    """Begin filing (or offer to resume a draft). Needs consent first."""
    if not turn.citizen.has_consented:
        turn.say("consent_needed")
        await turn.ask_consent(then="filing")
        return
    draft = turn.data.get("draft")
    if draft and draft.get("description") and not prefill:
        await turn.goto(Filing.RESUME)
        return
    turn.data["draft"] = {k: v for k, v in prefill.items() if v is not None}
    if kind is not None:
        _draft(turn)["kind"] = kind.value
        if kind.needs_identity:
            await turn.goto(Filing.IDENTITY)
        elif _draft(turn).get("description"):
            await turn.goto(Filing.HAMLET)
        else:
            await turn.goto(Filing.DESCRIPTION)
    else:
        await turn.goto(Filing.KIND)


@router.command("gopy", menu=2, label="cmd.gopy")
@router.action("file")
async def _file(turn: Turn, _args: str) -> None:
    await start(turn)


async def _next(turn: Turn, state: Filing) -> None:
    """Go to `state`, or back to the summary when editing a finished draft."""
    if _draft(turn).get("editing"):
        await turn.goto(Filing.CONFIRM)
    else:
        await turn.goto(state)


# --- resume ----------------------------------------------------------------------------


@router.prompt(Filing.RESUME)
async def prompt_resume(turn: Turn) -> None:
    turn.say(
        "filing_resume",
        [
            [turn.btn("btn.resume_draft", "resume"), turn.btn("btn.new_draft", "new")],
            _cancel_row(turn),
        ],
        kind=_draft(turn).get("kind"),
    )


@router.handle(Filing.RESUME)
async def handle_resume(turn: Turn) -> None:
    if turn.action == "resume":
        draft = _draft(turn)
        draft["editing"] = True
        await turn.goto(_first_missing(turn) or Filing.CONFIRM)
    elif turn.action == "new":
        turn.data["draft"] = {}
        await turn.goto(Filing.KIND)
    else:
        turn.say("choose_button")
        await turn.reprompt()


def _first_missing(turn: Turn) -> Filing | None:
    draft = _draft(turn)
    kind = _kind(turn)
    if kind is None:
        return Filing.KIND
    if not draft.get("description"):
        return Filing.DESCRIPTION
    if "hamlet" not in draft:
        return Filing.HAMLET
    if not draft.get("anonymous") and not (draft.get("name") and draft.get("phone")):
        return Filing.NAME if kind.needs_identity else Filing.CONTACT
    return None


# --- kind ------------------------------------------------------------------------------


@router.prompt(Filing.KIND)
async def prompt_kind(turn: Turn) -> None:
    turn.say(
        "filing_kind",
        [
            [turn.btn("kind.phan_anh", "kind:pa"), turn.btn("kind.kien_nghi", "kind:kn")],
            [turn.btn("kind.khieu_nai", "kind:knai"), turn.btn("kind.to_cao", "kind:tc")],
            _cancel_row(turn),
        ],
    )


@router.handle(Filing.KIND)
async def handle_kind(turn: Turn) -> None:
    kind = _KIND_ACTIONS.get((turn.action or "").removeprefix("kind:"))
    if kind is None:
        turn.say("choose_button")
        await turn.reprompt()
        return
    draft = _draft(turn)
    draft["kind"] = kind.value
    if kind.needs_identity:
        draft.pop("anonymous", None)
        await turn.goto(Filing.IDENTITY)
    elif not draft.get("description"):
        await turn.goto(Filing.DESCRIPTION)
    else:
        await _next(turn, Filing.DESCRIPTION)


@router.prompt(Filing.IDENTITY)
async def prompt_identity(turn: Turn) -> None:
    turn.say(
        "filing_identity",
        [[turn.btn("btn.continue", "continue")], _cancel_row(turn)],
        kind=_draft(turn).get("kind"),
    )


@router.handle(Filing.IDENTITY)
async def handle_identity(turn: Turn) -> None:
    if turn.action != "continue":
        turn.say("choose_button")
        await turn.reprompt()
        return
    draft = _draft(turn)
    if draft.get("editing"):
        await turn.goto(_first_missing(turn) or Filing.CONFIRM)
    elif not draft.get("description"):
        await turn.goto(Filing.DESCRIPTION)
    else:
        await turn.goto(Filing.HAMLET)


# --- description -----------------------------------------------------------------------


@router.prompt(Filing.DESCRIPTION)
async def prompt_description(turn: Turn) -> None:
    turn.say(
        "filing_description",
        [_cancel_row(turn)],
        kind=_draft(turn).get("kind"),
        limit=turn.settings.bot.max_text_length,
    )


def _take_photos(turn: Turn) -> bool:
    """Add photos from this message to the draft; False if some were over the limit."""
    photos: list[str] = _draft(turn).setdefault("photos", [])
    limit = turn.settings.bot.max_photos
    fitted = True
    for attachment in turn.inbound.attachments:
        if attachment.kind != "photo":
            continue
        if attachment.ref in photos:
            continue
        if len(photos) >= limit:
            fitted = False
            continue
        photos.append(attachment.ref)
    return fitted


@router.handle(Filing.DESCRIPTION)
async def handle_description(turn: Turn) -> None:
    if turn.inbound.attachments and turn.settings.bot.max_photos:
        _take_photos(turn)
    if turn.text is None or not turn.text:
        if turn.inbound.attachments:
            turn.say("filing_description_photo_only")
        else:
            turn.say("input_unsupported")
            await turn.reprompt()
        return
    if not has_words(turn.text):
        turn.say("input_no_words")
        await turn.reprompt()
        return
    _draft(turn)["description"] = turn.text
    await _next(turn, Filing.HAMLET)


# --- hamlet ----------------------------------------------------------------------------


@router.prompt(Filing.HAMLET)
async def prompt_hamlet(turn: Turn) -> None:
    hamlets = turn.commune.hamlets
    buttons: list[list[ButtonSpec]] = []
    row: list[ButtonSpec] = []
    for i, name in enumerate(hamlets):
        row.append((name, f"h:{i}"))
        if len(row) == 3:
            buttons.append(row)
            row = []
    if row:
        buttons.append(row)
    if hamlets:
        buttons.append([turn.btn("btn.other_hamlet", "h:other")])
    buttons.append(_cancel_row(turn))
    turn.say("filing_hamlet", buttons, hamlets=hamlets)


@router.handle(Filing.HAMLET)
async def handle_hamlet(turn: Turn) -> None:
    action = turn.action or ""
    hamlets = turn.commune.hamlets
    if action == "h:other":
        await turn.goto(Filing.HAMLET_OTHER)
        return
    if action.startswith("h:") and action[2:].isdigit() and int(action[2:]) < len(hamlets):
        _draft(turn)["hamlet"] = hamlets[int(action[2:])]
        await _next(turn, Filing.MEDIA)
        return
    if turn.text and has_words(turn.text) and not turn.text.strip().isdigit():
        await _take_hamlet_text(turn)
        return
    turn.say("choose_button")  # a bare number is a button from a screen no longer shown
    await turn.reprompt()


async def _take_hamlet_text(turn: Turn) -> None:
    name = one_line(turn.text or "")
    if len(name) > HAMLET_MAX:
        turn.say("input_too_long", length=len(name), limit=HAMLET_MAX)
        return
    _draft(turn)["hamlet"] = name
    await _next(turn, Filing.MEDIA)


@router.prompt(Filing.HAMLET_OTHER)
async def prompt_hamlet_other(turn: Turn) -> None:
    turn.say("filing_hamlet_other", [_cancel_row(turn)])


@router.handle(Filing.HAMLET_OTHER)
async def handle_hamlet_other(turn: Turn) -> None:
    if turn.text and has_words(turn.text):
        await _take_hamlet_text(turn)
    else:
        turn.say("input_empty")


# --- photos and location ---------------------------------------------------------------


def _media_buttons(turn: Turn) -> list[list[ButtonSpec]]:
    draft = _draft(turn)
    has_media = bool(draft.get("photos") or draft.get("location") or draft.get("place"))
    return [
        [turn.btn("btn.continue" if has_media else "btn.skip", "media:done")],
        _cancel_row(turn),
    ]


@router.prompt(Filing.MEDIA)
async def prompt_media(turn: Turn) -> None:
    draft = _draft(turn)
    turn.say(
        "filing_media",
        _media_buttons(turn),
        request_location=True,
        max_photos=turn.settings.bot.max_photos,
        has_media=bool(draft.get("photos") or draft.get("location") or draft.get("place")),
    )


@router.handle(Filing.MEDIA)
async def handle_media(turn: Turn) -> None:
    draft = _draft(turn)
    if turn.action == "media:done":
        await _after_media(turn)
        return
    got_something = False
    if turn.inbound.attachments:
        if not turn.settings.bot.max_photos or not _take_photos(turn):
            turn.say(
                "filing_too_many_photos",
                _media_buttons(turn),
                max_photos=turn.settings.bot.max_photos,
            )
            return
        got_something = True
    if turn.inbound.location is not None:
        draft["location"] = [turn.inbound.location.latitude, turn.inbound.location.longitude]
        got_something = True
    if turn.text:
        place = one_line(turn.text)
        if len(place) > PLACE_MAX:
            turn.say("input_too_long", length=len(place), limit=PLACE_MAX)
            return
        if has_words(place):
            draft["place"] = place
            got_something = True
    if not got_something:
        turn.say("input_unsupported")
        await turn.reprompt()
        return
    turn.say(
        "filing_media_received",
        _media_buttons(turn),
        photos=len(draft.get("photos", [])),
        has_location="location" in draft,
        place=draft.get("place"),
    )


async def _after_media(turn: Turn) -> None:
    draft = _draft(turn)
    if draft.get("editing"):
        await turn.goto(Filing.CONFIRM)
        return
    kind = _kind(turn)
    if kind is not None and kind.needs_identity:
        await _ask_identity(turn)
    else:
        await turn.goto(Filing.CONTACT)


async def _ask_identity(turn: Turn) -> None:
    """Khiếu nại and tố cáo: name and phone are required; reuse saved ones if any."""
    draft = _draft(turn)
    draft.pop("anonymous", None)
    if turn.citizen.name and turn.citizen.phone:
        draft["name"], draft["phone"] = turn.citizen.name, turn.citizen.phone
        await turn.goto(Filing.CONFIRM)
    else:
        await turn.goto(Filing.NAME)


# --- contact ---------------------------------------------------------------------------


@router.prompt(Filing.CONTACT)
async def prompt_contact(turn: Turn) -> None:
    buttons: list[list[ButtonSpec]] = []
    if turn.citizen.name and turn.citizen.phone:
        buttons.append([turn.btn("btn.use_saved_contact", "c:saved")])
    buttons.append([turn.btn("btn.leave_contact", "c:leave"), turn.btn("btn.anonymous", "c:anon")])
    buttons.append(_cancel_row(turn))
    turn.say("filing_contact_choice", buttons, kind=_draft(turn).get("kind"))


@router.handle(Filing.CONTACT)
async def handle_contact(turn: Turn) -> None:
    draft = _draft(turn)
    kind = _kind(turn)
    if turn.action == "c:anon":
        if kind is not None and kind.needs_identity:
            turn.say("filing_identity_required", kind=kind.value)
            await turn.goto(Filing.NAME)
            return
        draft.update(anonymous=True, name=None, phone=None)
        await turn.goto(Filing.CONFIRM)
    elif turn.action == "c:saved" and turn.citizen.name and turn.citizen.phone:
        draft.update(anonymous=False, name=turn.citizen.name, phone=turn.citizen.phone)
        await turn.goto(Filing.CONFIRM)
    elif turn.action == "c:leave":
        draft["anonymous"] = False
        await turn.goto(Filing.NAME)
    else:
        turn.say("choose_button")
        await turn.reprompt()


@router.prompt(Filing.NAME)
async def prompt_name(turn: Turn) -> None:
    turn.say("filing_name", [_cancel_row(turn)])


@router.handle(Filing.NAME)
async def handle_name(turn: Turn) -> None:
    name = valid_name(turn.text or "")
    if name is None:
        turn.say("filing_invalid_name", limit=NAME_MAX)
        return
    draft = _draft(turn)
    draft.update(name=name, anonymous=False)
    await turn.goto(Filing.PHONE)


@router.prompt(Filing.PHONE)
async def prompt_phone(turn: Turn) -> None:
    turn.say("filing_phone", [_cancel_row(turn)], request_contact=True)


@router.handle(Filing.PHONE)
async def handle_phone(turn: Turn) -> None:
    if turn.action == "c:anon":  # changed their mind: send it anonymously after all
        await handle_contact(turn)
        return
    phone = valid_phone(turn.inbound.contact_phone or turn.text or "")
    if phone is None:
        kind = _kind(turn)
        rows: list[list[ButtonSpec]] = []
        if kind is not None and not kind.needs_identity:
            rows.append([turn.btn("btn.anonymous", "c:anon")])
        rows.append(_cancel_row(turn))
        turn.say("filing_invalid_phone", rows)
        return
    draft = _draft(turn)
    draft["phone"] = phone
    await turn.uow.set_citizen_contact(turn.citizen.id, draft.get("name"), phone)
    await turn.goto(Filing.CONFIRM)


# --- summary, edit, submit -------------------------------------------------------------


@router.prompt(Filing.CONFIRM)
async def prompt_confirm(turn: Turn) -> None:
    draft = _draft(turn)
    draft["editing"] = True
    turn.say(
        "filing_summary",
        [
            [turn.btn("btn.submit", "submit"), turn.btn("btn.edit", "edit")],
            _cancel_row(turn),
        ],
        draft={
            "kind": draft.get("kind"),
            "description": draft.get("description", ""),
            "hamlet": draft.get("hamlet"),
            "place": draft.get("place"),
            "location": draft.get("location"),
            "photos": draft.get("photos", []),
            "anonymous": bool(draft.get("anonymous")),
            "name": draft.get("name"),
            "phone": draft.get("phone"),
        },
    )


@router.handle(Filing.CONFIRM)
async def handle_confirm(turn: Turn) -> None:
    if turn.action == "submit":
        missing = _first_missing(turn)
        if missing is not None:
            await turn.goto(missing)
            return
        await submit(turn)
    elif turn.action == "edit":
        await turn.goto(Filing.EDIT)
    else:
        turn.say("choose_button")
        await turn.reprompt()


_EDIT_TARGETS = {
    "kind": Filing.KIND,
    "desc": Filing.DESCRIPTION,
    "hamlet": Filing.HAMLET,
    "media": Filing.MEDIA,
    "contact": Filing.CONTACT,
}
_EDIT_BACK = "back"


@router.prompt(Filing.EDIT)
async def prompt_edit(turn: Turn) -> None:
    turn.say(
        "filing_edit",
        [
            [
                turn.btn("btn.edit_kind", EditButton("kind").pack()),
                turn.btn("btn.edit_description", EditButton("desc").pack()),
            ],
            [
                turn.btn("btn.edit_hamlet", EditButton("hamlet").pack()),
                turn.btn("btn.edit_media", EditButton("media").pack()),
            ],
            [
                turn.btn("btn.edit_contact", EditButton("contact").pack()),
                turn.btn("btn.back", EditButton(_EDIT_BACK).pack()),
            ],
        ],
    )


@router.handle(Filing.EDIT)
async def handle_edit(turn: Turn) -> None:
    pressed = EditButton.unpack(turn.action or "")
    target = _EDIT_TARGETS.get(pressed.target) if pressed else None
    if pressed is not None and pressed.target == _EDIT_BACK:
        await turn.goto(Filing.CONFIRM)
    elif target is Filing.CONTACT and (kind := _kind(turn)) is not None and kind.needs_identity:
        await turn.goto(Filing.NAME)
    elif target is not None:
        await turn.goto(target)
    else:
        turn.say("choose_button")
        await turn.reprompt()


async def submit(turn: Turn) -> None:
    """Commit the record (with its first audit event) and show the code and deadline."""
    draft = _draft(turn)
    kind = RecordKind(draft["kind"])
    commune = turn.commune
    office_code = _route(turn, kind)
    location = draft.get("location")
    new = NewRecord(
        commune_code=commune.code,
        citizen_id=turn.citizen.id,
        channel=turn.inbound.channel,
        kind=kind,
        topic=draft.get("topic"),
        office_code=office_code,
        description=draft["description"],
        hamlet=draft.get("hamlet"),
        place=draft.get("place"),
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
        anonymous=bool(draft.get("anonymous")),
        contact_name=None if draft.get("anonymous") else draft.get("name"),
        contact_phone=None if draft.get("anonymous") else draft.get("phone"),
        created_at=turn.now,
        due_at=record_due_at(commune, kind, turn.now),
    )
    record = await _insert_with_fresh_code(turn, new)
    for ref in draft.get("photos", []):
        await turn.uow.add_attachment(record.id, "photo", ref, turn.now)
    await turn.uow.add_event(
        record.id,
        turn.now,
        ActorKind.CITIZEN,
        None,
        "created",
        None,
        RecordStatus.RECEIVED,
        None,
        True,
    )
    turn.data.pop("draft", None)
    await _notify_new(turn, record)
    log.info("record %s filed: kind=%s office=%s", record.code, kind.value, office_code)
    office = commune.office(office_code)
    rule = commune.deadlines[kind]
    turn.say(
        "filing_done",
        record=record,
        office_name=office.name if office else office_code,
        due=record.due_at.astimezone(commune.timezone),
        rule_days=rule.days,
        working_days=rule.working_days,
    )
    await turn.go_idle()


async def _notify_new(turn: Turn, record: Record) -> None:
    """Tell the office (and, for a tố cáo, the leaders) in the same transaction."""
    notifier = Notifier(turn.uow, turn.renderer, turn.commune, turn.now, turn.notifications)
    await notifier.to_office(record, "office_new", transferred_from=None, reason=None)
    if record.kind is RecordKind.TO_CAO:
        told = {(c, chat) for c, chat, _ in await notifier.office_readers(record.office_code)}
        leaders = [
            o
            for o in await notifier.officials_with_role(OfficialRole.LEADER)
            if (o.channel, o.external_id) not in told
        ]
        await notifier.to_officials(
            leaders, record, "office_new", transferred_from=None, reason=None
        )


def _route(turn: Turn, kind: RecordKind) -> str:
    """Khiếu nại and tố cáo go to the Văn phòng; others to their topic's office.

    An office already chosen (a report offered from free text) stands if it exists in
    this commune; otherwise the description decides; unclear text goes to VP.
    """
    draft = _draft(turn)
    topic, office = understander(turn).route(draft["description"], kind.value)
    if not draft.get("topic"):
        draft["topic"] = topic
    chosen = draft.get("office")
    if not kind.needs_identity and isinstance(chosen, str) and turn.commune.office(chosen):
        return chosen
    return office if turn.commune.office(office) is not None else TRIAGE_OFFICE


async def _insert_with_fresh_code(turn: Turn, new: NewRecord) -> Record:
    local = turn.now.astimezone(turn.commune.timezone)
    for _ in range(CODE_ATTEMPTS):
        code = tracking_code.make_code(turn.commune.code, local)
        record = await turn.uow.insert_record(code, new)
        if record is not None:
            return record
        log.warning("tracking code collision, retrying")
    raise RuntimeError("could not find a free tracking code")
