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

from domain.records import RecordKind
from handlers import records
from handlers.notify import Notifier
from handlers.records import Intake
from handlers.text import has_words, one_line, valid_name, valid_phone
from handlers.turn import ButtonSpec, Step, Turn

log = logging.getLogger(__name__)

PLACE_MAX = 200
HAMLET_MAX = 100


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
    return [turn.btn("btn.cancel", "m:cancel")]


async def start(turn: Turn, *, kind: RecordKind | None = None, **prefill: Any) -> None:
    """Begin filing (or offer to resume a draft). Needs consent first."""
    from handlers.flows import consent

    if not turn.citizen.has_consented:
        turn.say("consent_needed")
        await consent.ask(turn, then="filing")
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


async def _next(turn: Turn, state: Filing) -> None:
    """Go to `state`, or back to the summary when editing a finished draft."""
    if _draft(turn).get("editing"):
        await turn.goto(Filing.CONFIRM)
    else:
        await turn.goto(state)


# --- resume ----------------------------------------------------------------------------


async def prompt_resume(turn: Turn) -> None:
    turn.say(
        "filing_resume",
        [
            [turn.btn("btn.resume_draft", "resume"), turn.btn("btn.new_draft", "new")],
            _cancel_row(turn),
        ],
        kind=_draft(turn).get("kind"),
    )


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


async def prompt_kind(turn: Turn) -> None:
    turn.say(
        "filing_kind",
        [
            [turn.btn("kind.phan_anh", "kind:pa"), turn.btn("kind.kien_nghi", "kind:kn")],
            [turn.btn("kind.khieu_nai", "kind:knai"), turn.btn("kind.to_cao", "kind:tc")],
            _cancel_row(turn),
        ],
    )


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


async def prompt_identity(turn: Turn) -> None:
    turn.say(
        "filing_identity",
        [[turn.btn("btn.continue", "continue")], _cancel_row(turn)],
        kind=_draft(turn).get("kind"),
    )


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


async def prompt_hamlet_other(turn: Turn) -> None:
    turn.say("filing_hamlet_other", [_cancel_row(turn)])


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


async def prompt_media(turn: Turn) -> None:
    draft = _draft(turn)
    turn.say(
        "filing_media",
        _media_buttons(turn),
        request_location=True,
        max_photos=turn.settings.bot.max_photos,
        has_media=bool(draft.get("photos") or draft.get("location") or draft.get("place")),
    )


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


async def prompt_contact(turn: Turn) -> None:
    buttons: list[list[ButtonSpec]] = []
    if turn.citizen.name and turn.citizen.phone:
        buttons.append([turn.btn("btn.use_saved_contact", "c:saved")])
    buttons.append([turn.btn("btn.leave_contact", "c:leave"), turn.btn("btn.anonymous", "c:anon")])
    buttons.append(_cancel_row(turn))
    turn.say("filing_contact_choice", buttons, kind=_draft(turn).get("kind"))


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


async def prompt_name(turn: Turn) -> None:
    turn.say("filing_name", [_cancel_row(turn)])


async def handle_name(turn: Turn) -> None:
    name = valid_name(turn.text or "")
    if name is None:
        from handlers.text import NAME_MAX

        turn.say("filing_invalid_name", limit=NAME_MAX)
        return
    draft = _draft(turn)
    draft.update(name=name, anonymous=False)
    await turn.goto(Filing.PHONE)


async def prompt_phone(turn: Turn) -> None:
    turn.say("filing_phone", [_cancel_row(turn)], request_contact=True)


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
    await turn.uow.citizens.set_contact(turn.citizen.id, draft.get("name"), phone)
    await turn.goto(Filing.CONFIRM)


# --- summary, edit, submit -------------------------------------------------------------


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
    "e:kind": Filing.KIND,
    "e:desc": Filing.DESCRIPTION,
    "e:hamlet": Filing.HAMLET,
    "e:media": Filing.MEDIA,
    "e:contact": Filing.CONTACT,
}


async def prompt_edit(turn: Turn) -> None:
    turn.say(
        "filing_edit",
        [
            [turn.btn("btn.edit_kind", "e:kind"), turn.btn("btn.edit_description", "e:desc")],
            [turn.btn("btn.edit_hamlet", "e:hamlet"), turn.btn("btn.edit_media", "e:media")],
            [turn.btn("btn.edit_contact", "e:contact"), turn.btn("btn.back", "e:back")],
        ],
    )


async def handle_edit(turn: Turn) -> None:
    target = _EDIT_TARGETS.get(turn.action or "")
    if turn.action == "e:back":
        await turn.goto(Filing.CONFIRM)
    elif target is Filing.CONTACT and (kind := _kind(turn)) is not None and kind.needs_identity:
        await turn.goto(Filing.NAME)
    elif target is not None:
        await turn.goto(target)
    else:
        turn.say("choose_button")
        await turn.reprompt()


async def submit(turn: Turn) -> None:
    """File the record (`handlers.records.file_record`) and show the code and deadline."""
    # flows.questions imports this flow; the understander moves out of it with the router.
    from handlers.flows.questions import understander

    draft = _draft(turn)
    kind = RecordKind(draft["kind"])
    topic, routed = understander(turn).route(draft["description"], kind.value)
    location = draft.get("location")
    chosen = draft.get("office")
    intake = Intake(
        citizen_id=turn.citizen.id,
        channel=turn.inbound.channel,
        kind=kind,
        description=draft["description"],
        hamlet=draft.get("hamlet"),
        place=draft.get("place"),
        location=(location[0], location[1]) if location else None,
        photos=tuple(draft.get("photos", [])),
        anonymous=bool(draft.get("anonymous")),
        contact_name=draft.get("name"),
        contact_phone=draft.get("phone"),
        topic=draft.get("topic") or topic,
        routed_office=routed,
        chosen_office=chosen if isinstance(chosen, str) else None,
    )
    notifier = Notifier(turn.uow, turn.renderer, turn.commune, turn.now, turn.notifications)
    filed = await records.file_record(turn.uow, turn.commune, intake, turn.now, notifier=notifier)
    turn.data.pop("draft", None)
    turn.say(
        "filing_done",
        record=filed.record,
        office_name=filed.office_name,
        due=filed.record.due_at.astimezone(turn.commune.timezone),
        rule_days=filed.rule.days,
        working_days=filed.rule.working_days,
    )
    from handlers.flows import menu  # menu → questions → filing; the router's go_idle ends it

    await menu.go_idle(turn)


STEPS: dict[str, Step] = {
    Filing.RESUME: Step(prompt_resume, handle_resume),
    Filing.KIND: Step(prompt_kind, handle_kind),
    Filing.IDENTITY: Step(prompt_identity, handle_identity),
    Filing.DESCRIPTION: Step(prompt_description, handle_description),
    Filing.HAMLET: Step(prompt_hamlet, handle_hamlet),
    Filing.HAMLET_OTHER: Step(prompt_hamlet_other, handle_hamlet_other),
    Filing.MEDIA: Step(prompt_media, handle_media),
    Filing.CONTACT: Step(prompt_contact, handle_contact),
    Filing.NAME: Step(prompt_name, handle_name),
    Filing.PHONE: Step(prompt_phone, handle_phone),
    Filing.CONFIRM: Step(prompt_confirm, handle_confirm),
    Filing.EDIT: Step(prompt_edit, handle_edit),
}
