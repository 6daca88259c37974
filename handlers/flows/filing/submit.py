"""Filing's last steps: contact details, the summary, editing it, and submitting.

Submitting commits the record with its first audit event and tells the office in the
same transaction; the tracking code is shown only then (invariant 1).
"""

from __future__ import annotations

from domain.records import RecordKind
from handlers import corrections, records
from handlers.callbacks import EditButton
from handlers.flows.filing.draft import Filing, cancel_row, draft_of, first_missing, kind_of
from handlers.flows.filing.matching import offer_to_follow
from handlers.flows.filing.publish import asks_to_publish, publishable, to_summary
from handlers.free_text import understander
from handlers.notify import Notifier
from handlers.records import Intake
from handlers.router import FlowRouter
from handlers.text import NAME_MAX, valid_name, valid_phone
from handlers.turn import ButtonSpec, Turn

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
        await to_summary(turn)
    elif turn.action == "c:saved" and turn.citizen.name and turn.citizen.phone:
        draft.update(anonymous=False, name=turn.citizen.name, phone=turn.citizen.phone)
        await to_summary(turn)
    elif turn.action == "c:leave":
        draft["anonymous"] = False
        await turn.goto(Filing.NAME)
    elif turn.action is None and turn.inbound.contact_name:  # the channel's own form
        await handle_name(turn)
    else:
        turn.say("choose_button")
        await turn.reprompt()


@router.prompt(Filing.NAME)
async def prompt_name(turn: Turn) -> None:
    turn.say("filing_name", [cancel_row(turn)])


@router.handle(Filing.NAME)
async def handle_name(turn: Turn) -> None:
    """A typed name, or the one offered through the channel's form (Zalo OA's «request user
    info», which may bring the phone with it), validated alike."""
    name = valid_name(turn.inbound.contact_name or turn.text or "")
    if name is None:
        turn.say("filing_invalid_name", limit=NAME_MAX)
        return
    draft = draft_of(turn)
    draft.update(name=name, anonymous=False)
    if turn.inbound.contact_phone and valid_phone(turn.inbound.contact_phone):
        await handle_phone(turn)
        return
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
    await turn.uow.citizens.set_contact(turn.citizen.id, draft.get("name"), phone)
    await to_summary(turn)


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
            "clips": len(draft.get("clips", [])),
            "anonymous": bool(draft.get("anonymous")),
            "name": draft.get("name"),
            "phone": draft.get("phone"),
            "publish_asked": asks_to_publish(turn),
            "publishable": publishable(turn),
        },
    )


@router.handle(Filing.CONFIRM)
async def handle_confirm(turn: Turn) -> None:
    if turn.action == "submit":
        missing = first_missing(turn)
        if missing is not None:
            await turn.goto(missing)
            return
        if await offer_to_follow(turn):
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
    "publish": Filing.PUBLISH,
}
_EDIT_BACK = "back"


@router.prompt(Filing.EDIT)
async def prompt_edit(turn: Turn) -> None:
    publish_button = (
        [turn.btn("btn.edit_publish", EditButton("publish").pack())]
        if asks_to_publish(turn)
        else []
    )
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
                *publish_button,
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
    elif target is Filing.PUBLISH and not asks_to_publish(turn):
        await turn.goto(Filing.CONFIRM)
    elif target is not None:
        await turn.goto(target)
    else:
        turn.say("choose_button")
        await turn.reprompt()


async def submit(turn: Turn) -> None:
    """File the record (`handlers.records.file_record`) and show the code and deadline."""
    draft = draft_of(turn)
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
        clips=tuple((str(k), str(r)) for k, r in draft.get("clips", [])),
        anonymous=bool(draft.get("anonymous")),
        contact_name=draft.get("name"),
        contact_phone=draft.get("phone"),
        publishable=publishable(turn),
        topic=draft.get("topic") or topic,
        routed_office=routed,
        chosen_office=chosen if isinstance(chosen, str) else None,
    )
    notifier = Notifier(turn.uow, turn.renderer, turn.commune, turn.now, turn.notifications)
    filed = await records.file_record(turn.uow, turn.commune, intake, turn.now, notifier=notifier)
    turn.data.pop("draft", None)
    await corrections.filed_after_answer(turn.uow, turn.commune.code, turn.now, turn.data, kind)
    turn.say(
        "filing_done",
        record=filed.record,
        office_name=filed.office_name,
        due=filed.record.due_at.astimezone(turn.commune.timezone),
        rule_days=filed.rule.days,
        working_days=filed.rule.working_days,
    )
    await turn.go_idle()
