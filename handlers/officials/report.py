"""What a step done by an official tells: this chat, the citizen, and the record's office.

`tell_about_step` (not "announce": announcements are the subscribers' thông báo) confirms
the step here with the record's buttons, tells the citizen (with the rating buttons after an
answer, or the «Bổ sung» button after a request for information), tells an official who was
just given the record (Giao), and tells the office — the new office, after a transfer.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.lifecycle import Action, StepResult
from domain.messages import Button
from domain.records import Record
from handlers import conversations
from handlers.flows.info import Info
from handlers.notify import MEDIA_PHOTOS
from handlers.officials.turn import StaffTurn
from handlers.supplement import supplement_button

# Steps whose point is a message to the citizen (the official hears if it cannot arrive).
REACHES_CITIZEN = frozenset({Action.ASK_INFO, Action.REPLY, Action.COMPLETE, Action.REJECT})


async def tell_about_step(turn: StaffTurn, step: StepResult, *, photos: Sequence[str] = ()) -> None:
    """Confirm in this chat, tell the citizen (with `photos` of the result, if any), and
    tell whoever else needs to know."""
    record = step.after
    told, direct = await _tell_citizen(turn, step, photos)
    office = turn.commune.office(record.office_code)
    turn.say(
        "staff_done",
        turn.notifier.card_buttons(record, turn.viewer),
        record_code=record.code,
        code=record.code,
        event=step.event,
        who=_who(turn),
        at=turn.local(turn.now),
        note=step.note,
        office_name=office.name if office else record.office_code,
        due=turn.local(record.due_at),
        unreachable=not told and step.action in REACHES_CITIZEN,
    )
    if told and direct and record.citizen_id is not None:
        await _await_citizen_info(turn, record, record.citizen_id)
    here = {(turn.inbound.channel, turn.inbound.chat_id)}
    if step.action is Action.ASSIGN:
        await _tell_assignee(turn, record, here)
    await _tell_office(turn, step, here)


def _who(turn: StaffTurn) -> str:
    return turn.official.display_name if turn.official else ""


async def _tell_citizen(
    turn: StaffTurn, step: StepResult, photos: Sequence[str] = ()
) -> tuple[bool, bool]:
    """(told, direct): whether the citizen was told, and whether the request for information
    goes straight to their conversation (they are idle at the menu)."""
    record = step.after
    rows: tuple[tuple[Button, ...], ...] = ()
    if step.action in (Action.REPLY, Action.COMPLETE):
        rows = turn.notifier.rating_rows(record)
    direct = False
    if step.action is Action.ASK_INFO and record.citizen_id is not None:
        rows = ((supplement_button(turn.renderer, record.code),),)
        direct = await _citizen_is_idle(turn, record.citizen_id)
    if step.action is Action.ASSIGN:
        return False, direct  # who works on it inside the office is not the citizen's news
    # An official's photos are this channel's file references: they reach a citizen in
    # the same channel (a citizen elsewhere gets the answer's text).
    same_channel = record.channel == turn.inbound.channel
    extra = {MEDIA_PHOTOS: "\n".join(photos)} if photos and same_channel else None
    told = await turn.notifier.to_citizen(
        record, "citizen_update", rows, extra=extra, event=step.event, note=step.note, direct=direct
    )
    return told, direct


async def _tell_assignee(turn: StaffTurn, record: Record, here: set[tuple[str, str]]) -> None:
    """The official given the record (Giao) hears it privately, unless they are here."""
    if record.handler_id is None:
        return
    assignee = await turn.uow.officials.get_by_id(record.handler_id)
    if assignee is not None and (assignee.channel, assignee.external_id) not in here:
        await turn.notifier.to_officials([assignee], record, "official_assigned", who=_who(turn))
        here.add((assignee.channel, assignee.external_id))


async def _tell_office(turn: StaffTurn, step: StepResult, here: set[tuple[str, str]]) -> None:
    record = step.after
    if step.action is Action.TRANSFER:
        old = turn.commune.office(step.before.office_code)
        await turn.notifier.to_office(
            record,
            "office_new",
            transferred_from=old.name if old else None,
            reason=step.note,
            media=True,
        )
        return
    await turn.notifier.to_office(
        record,
        "office_event",
        buttons=False,
        skip=here,
        event=step.event,
        who=_who(turn),
        note=step.note,
    )


async def _citizen_is_idle(turn: StaffTurn, citizen_id: int) -> bool:
    """Whether the citizen is at the menu (not in a draft, a question or another step)."""
    return await conversations.is_idle(turn.uow, citizen_id)


async def _await_citizen_info(turn: StaffTurn, record: Record, citizen_id: int) -> None:
    """Put an idle citizen's conversation in the 'answer the request' state for this
    record (their data — a kept draft — stays). A citizen in the middle of something is
    never moved: the request's «Bổ sung» button starts the answer when they are ready."""
    await conversations.move(turn.uow, citizen_id, Info.ANSWER, turn.now, info_code=record.code)
