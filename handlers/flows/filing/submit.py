"""Filing's last steps: contact details, the summary, editing it, and submitting.

Submitting commits the record with its first audit event and tells the office in the
same transaction; the tracking code is shown only then (invariant 1).
"""

from __future__ import annotations

import logging

from domain import tracking_code
from domain.communes import TRIAGE_OFFICE
from domain.deadlines import record_due_at
from domain.records import ActorKind, NewRecord, OfficialRole, Record, RecordKind, RecordStatus
from handlers.callbacks import EditButton
from handlers.flows.filing.draft import Filing, cancel_row, draft_of, first_missing, kind_of
from handlers.free_text import understander
from handlers.notify import Notifier
from handlers.router import FlowRouter
from handlers.text import NAME_MAX, valid_name, valid_phone
from handlers.turn import ButtonSpec, Turn

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 20

router = FlowRouter("filing")


# --- contact ---------------------------------------------------------------------------


@router.prompt(Filing.CONTACT)
async def prompt_contact(turn: Turn) -> None:
    buttons: list[list[ButtonSpec]] = []
    if turn.citizen.name and turn.citizen.phone:
        buttons.append([turn.btn("btn.use_saved_contact", "c:saved")])
    buttons.append([turn.btn("btn.leave_contact", "c:leave"), turn.btn("btn.anonymous", "c:anon")])
    buttons.append(cancel_row(turn))
    turn.say("filing_contact_choice", buttons, kind=draft_of(turn).get("kind"))


@router.handle(Filing.CONTACT)
async def handle_contact(turn: Turn) -> None:
    draft = draft_of(turn)
    kind = kind_of(turn)
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
    turn.say("filing_name", [cancel_row(turn)])


@router.handle(Filing.NAME)
async def handle_name(turn: Turn) -> None:
    name = valid_name(turn.text or "")
    if name is None:
        turn.say("filing_invalid_name", limit=NAME_MAX)
        return
    draft = draft_of(turn)
    draft.update(name=name, anonymous=False)
    await turn.goto(Filing.PHONE)


@router.prompt(Filing.PHONE)
async def prompt_phone(turn: Turn) -> None:
    turn.say("filing_phone", [cancel_row(turn)], request_contact=True)


@router.handle(Filing.PHONE)
async def handle_phone(turn: Turn) -> None:
    if turn.action == "c:anon":  # changed their mind: send it anonymously after all
        await handle_contact(turn)
        return
    phone = valid_phone(turn.inbound.contact_phone or turn.text or "")
    if phone is None:
        kind = kind_of(turn)
        rows: list[list[ButtonSpec]] = []
        if kind is not None and not kind.needs_identity:
            rows.append([turn.btn("btn.anonymous", "c:anon")])
        rows.append(cancel_row(turn))
        turn.say("filing_invalid_phone", rows)
        return
    draft = draft_of(turn)
    draft["phone"] = phone
    await turn.uow.set_citizen_contact(turn.citizen.id, draft.get("name"), phone)
    await turn.goto(Filing.CONFIRM)


# --- summary, edit, submit -------------------------------------------------------------


@router.prompt(Filing.CONFIRM)
async def prompt_confirm(turn: Turn) -> None:
    draft = draft_of(turn)
    draft["editing"] = True
    turn.say(
        "filing_summary",
        [
            [turn.btn("btn.submit", "submit"), turn.btn("btn.edit", "edit")],
            cancel_row(turn),
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
        missing = first_missing(turn)
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
    elif target is Filing.CONTACT and (kind := kind_of(turn)) is not None and kind.needs_identity:
        await turn.goto(Filing.NAME)
    elif target is not None:
        await turn.goto(target)
    else:
        turn.say("choose_button")
        await turn.reprompt()


async def submit(turn: Turn) -> None:
    """Commit the record (with its first audit event) and show the code and deadline."""
    draft = draft_of(turn)
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
    draft = draft_of(turn)
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
