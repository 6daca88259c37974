"""Doing a step on a record: a card's button pressed, a command, the text a step waits for.

A press is checked in this order: an official (active) pressed it; the button is one a
card offers and the record exists; the official may see the record; the version is the
record's current one. A step that needs text then waits for it: the official's
conversation moves to `OFFICIAL_TEXT` (`StaffTurn.wait_for_text`, kept like a citizen's
step), with the version, so text typed after a colleague moved the record is refused; the
others are done at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from domain import lifecycle
from domain.lifecycle import Action, LifecycleError
from domain.permissions import Perm, allowed
from domain.records import Official, Record, RecordStatus
from handlers import corrections, records
from handlers.callbacks import RecordButton
from handlers.notify import CARD_ACTIONS
from handlers.officials.report import tell_about_step
from handlers.officials.turn import StaffTurn, TextStep, named_record

log = logging.getLogger(__name__)

NOTE_MAX = 2000
# Steps whose waiting text may come with photos of the result (the repaired road).
RESULT_PHOTO_STEPS = frozenset({Action.REPLY, Action.COMPLETE})
# Steps that take a new record on the way (Tiếp nhận first) rather than being refused.
TAKE_FIRST = frozenset({Action.REPLY, Action.COMPLETE})

# The steps a record button may carry: those its card offers.
NOTIFY_ACTIONS = frozenset(CARD_ACTIONS)


async def press(turn: StaffTurn, data: str) -> None:
    """A record card's button (`r:CODE:action:version`)."""
    parsed = RecordButton.unpack(data)
    if not turn.active or turn.official is None:
        turn.say_not_official()
        return
    if parsed is None:
        turn.say("stale_button")
        return
    record = await turn.uow.records.get_by_code(parsed.code)
    action, version = parsed.action, parsed.version
    if record is None or action not in NOTIFY_ACTIONS:
        turn.say("stale_button")
        return
    if not allowed(turn.actor, record, Perm.VIEW):
        # A card from before a transfer, or another office's record.
        await refuse(turn, record, action, "gone" if version != record.version else "not_allowed")
        return
    if version != record.version:
        turn.remove_card_buttons()  # a stale card: its buttons go
        await refuse(turn, record, action, "conflict")
        return
    if needs_text(record, action):
        await _ask_for_text(turn, record, action)
        return
    await perform(turn, record, action, expected_version=version)


async def _ask_for_text(turn: StaffTurn, record: Record, action: Action) -> None:
    """Remember the step (and the record's version) until the official types its text."""
    if not lifecycle.can(turn.actor, record, action):
        await refuse(turn, record, action, _why_not(record, action))
        return
    turn.wait_for_text(TextStep(record.id, action, turn.inbound.chat_id, record.version))
    turn.remember_card()
    turn.say(
        "staff_prompt",
        # In a group the prompt is not a notification: a colleague's reply to it must not
        # count as Trả lời; the presser's reply finds their pending step instead.
        record_code=None if turn.inbound.is_group else record.code,
        code=record.code,
        action=action.value,
        group=turn.inbound.is_group,
        offices=[o for o in turn.commune.offices if o.code != record.office_code],
        candidates=await _candidates(turn, record) if action is Action.ASSIGN else [],
    )


def needs_text(record: Record, action: Action) -> bool:
    if action is Action.COMPLETE:
        return record.status is not RecordStatus.ANSWERED
    return action in lifecycle.NEEDS_NOTE or action is Action.ASSIGN


async def _candidates(turn: StaffTurn, record: Record) -> list[dict[str, Any]]:
    """Who a record may be assigned to (Giao): its office's officials, and the leaders."""
    return [
        {"id": o.id, "name": o.display_name, "role": o.role.value}
        for o in await turn.uow.officials.list_active(turn.commune.code)
        if lifecycle.may_handle(o, record)
    ]


def _why_not(record: Record, action: Action) -> str:
    if (action, record.status) not in lifecycle.TRANSITIONS:
        return "bad_transition"
    return "not_allowed"


async def refuse(
    turn: StaffTurn, record: Record | None, action: Action | None, reason: str
) -> None:
    if reason == "not_allowed":
        log.warning(
            "official %s refused %s on %s",
            turn.official.id if turn.official else None,
            action.value if action else None,
            record.code if record else None,
        )
    handler = None
    if record is not None and record.handler_id:
        found = await turn.uow.officials.get_by_id(record.handler_id)
        handler = found.display_name if found else None
    visible = record is not None and allowed(turn.actor, record, Perm.VIEW)
    turn.say(
        "staff_refused",
        record_code=record.code if record else None,
        reason=reason,
        code=record.code if record else None,
        action=action.value if action else None,
        status=record.status.value if record and visible else None,
        handler=handler if visible else None,
    )


async def perform(
    turn: StaffTurn,
    record: Record,
    action: Action,
    *,
    note: str | None = None,
    office_code: str | None = None,
    expected_version: int | None = None,
    assignee: Official | None = None,
) -> None:
    if await _take_on_the_way(turn, record, action):
        fresh = await turn.uow.records.get_by_id(record.id)
        if fresh is None:
            return
        record, expected_version = fresh, None
    try:
        step = await records.apply(
            turn.uow,
            turn.commune,
            record,
            action,
            turn.actor,
            turn.now,
            note=note,
            office_code=office_code,
            expected_version=expected_version,
            assignee=assignee,
            channel=turn.inbound.channel,
        )
    except LifecycleError as exc:
        await refuse(turn, record, action, exc.reason)
        return
    if action is Action.TRANSFER:  # where the report should have gone: a correction
        await corrections.transferred(turn.uow, turn.commune.code, turn.now, step)
    photos = turn.result_photos() if action in RESULT_PHOTO_STEPS else []
    for ref in photos:  # kept with the record (/anh MÃ), not only forwarded to the citizen
        await turn.uow.attachments.add(
            record.id, "photo", ref, turn.now, role="result", channel=turn.inbound.channel
        )
    turn.remove_card_buttons()
    turn.end_step()
    await tell_about_step(turn, step, photos=photos)


async def _take_on_the_way(turn: StaffTurn, record: Record, action: Action) -> bool:
    """An answer (or the result) to a record nobody has taken yet: whoever may take it
    takes it first — told like a Tiếp nhận — so the answer is not refused. False when
    there is nothing to take, or the official may not (the refusal then says how)."""
    if action not in TAKE_FIRST or (action, record.status) in lifecycle.TRANSITIONS:
        return False
    if not lifecycle.can(turn.actor, record, Action.TAKE):
        return False
    try:
        step = await records.apply(
            turn.uow,
            turn.commune,
            record,
            Action.TAKE,
            turn.actor,
            turn.now,
            channel=turn.inbound.channel,
        )
    except LifecycleError:
        return False
    await tell_about_step(turn, step)
    return True


# --- the text a step waits for --------------------------------------------------------


async def complete_pending(turn: StaffTurn, pending: TextStep, text: str) -> None:
    record = await turn.uow.records.get_by_id(pending.record_id)
    if record is None:
        return
    photos = [a.ref for a in turn.inbound.attachments if a.kind == "photo"]
    if photos and pending.action in RESULT_PHOTO_STEPS:
        turn.keep_result_photos(photos)  # a photo of the result, for the citizen
        if not text:
            turn.say(
                "staff_result_photo",
                code=record.code,
                record_code=record.code,
                photos=len(turn.result_photos()),
            )
            return
    if not text:
        turn.say("staff_prompt_again", code=record.code, record_code=record.code)
        return
    action = pending.action
    if pending.version is not None and pending.version != record.version:
        # Someone moved the record since the button was pressed: do not act on old facts.
        turn.end_step()
        await refuse(turn, record, action, "changed")
        return
    await with_text(turn, record, action, text)


async def with_text(turn: StaffTurn, record: Record, action: Action, text: str) -> None:
    """Do `action` with the official's text: the note, an office and a reason, an assignee."""
    text = text.strip()
    if len(text) > NOTE_MAX:
        turn.say("input_too_long", length=len(text), limit=NOTE_MAX)
        return
    if action is Action.ASSIGN:
        await _assign(turn, record, text)
        return
    office_code = None
    if action is Action.TRANSFER:
        head, _, reason = text.partition(" ")
        office_code = head.upper()
        if turn.commune.office(office_code) is None or not reason.strip():
            turn.say(
                "staff_transfer_usage",
                record_code=record.code,
                code=record.code,
                offices=[o for o in turn.commune.offices if o.code != record.office_code],
            )
            return
        text = reason
    await perform(turn, record, action, note=text, office_code=office_code)


async def _assign(turn: StaffTurn, record: Record, text: str) -> None:
    """Giao: the text names the official by the number the prompt lists."""
    if not lifecycle.can(turn.actor, record, Action.ASSIGN):
        await refuse(turn, record, Action.ASSIGN, _why_not(record, Action.ASSIGN))
        return
    number = text.split(maxsplit=1)[0].lstrip("#")
    assignee = await turn.uow.officials.get_by_id(int(number)) if number.isdigit() else None
    if assignee is None or not lifecycle.may_handle(assignee, record):
        await _assign_usage(turn, record)
        return
    await perform(turn, record, Action.ASSIGN, assignee=assignee)


async def _assign_usage(turn: StaffTurn, record: Record) -> None:
    turn.say(
        "staff_assign_usage",
        record_code=record.code,
        code=record.code,
        candidates=await _candidates(turn, record),
    )


async def reply_to_notification(turn: StaffTurn, text: str) -> bool:
    """A reply to the bot's message about a record: the pending step, else Trả lời.

    False when the message replied to was not about a record (nothing was done).
    """
    message_id = turn.inbound.reply_to_message or ""
    code = await turn.uow.outbox.record_code_for_message(
        turn.inbound.channel, turn.inbound.chat_id, message_id
    )
    if code is None:
        return False
    if not turn.active:
        turn.say_not_official()
        return True
    record = await turn.uow.records.get_by_code(code)
    if record is None or not text:
        return True
    pending = turn.pending
    if pending is not None and pending.record_id == record.id:
        await complete_pending(turn, pending, text)
    else:
        await with_text(turn, record, Action.REPLY, text)
    return True


def step_command(action: Action) -> Callable[[StaffTurn, str], Awaitable[None]]:
    """`/traloi CODE nội dung` and the like: the step in one line."""

    async def run(turn: StaffTurn, args: str) -> None:
        record, rest = await named_record(turn, args)
        if record is None:
            return
        if needs_text(record, action) and not rest:
            if action is Action.ASSIGN:
                await _assign_usage(turn, record)
            else:
                turn.say("staff_usage", action=action.value)
            return
        if action is Action.TRANSFER or rest:
            await with_text(turn, record, action, rest)
        else:
            await perform(turn, record, action)

    return run
