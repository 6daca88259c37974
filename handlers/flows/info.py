"""The citizen answers an official's request for more information (Yêu cầu bổ sung).

Whether a record waits for the citizen is its status (`need_info`), not a conversation
state, so nothing the citizen does can lose it: while it waits, the request, the /tracuu
result and the /cuatoi list carry a «Bổ sung» button (`m:bosung:CODE`, a global button
that works from any state; `handlers/supplement.py`) that starts the answer step. When the
official asks, a citizen who is idle is put straight into the answer step (their next
message is the answer; `handlers.conversations.move`); one who is in the middle of
something (a draft, a question) is not interrupted — the request arrives as a
notification with the button.

The answer — text and/or photos — is attached to the record, the record goes back to
`in_progress`, the office is told, and the citizen returns to where they were.
"""

from __future__ import annotations

from enum import StrEnum

from domain.lifecycle import Action, LifecycleError
from domain.permissions import Actor, allowed
from domain.records import RecordStatus
from handlers import records
from handlers.callbacks import SUPPLEMENT_ACTION
from handlers.notify import Notifier
from handlers.router import FlowRouter
from handlers.turn import Turn

router = FlowRouter("info")


class Info(StrEnum):
    ANSWER = "info.answer"


@router.action(SUPPLEMENT_ACTION)
async def start(turn: Turn, code: str) -> None:
    """The «Bổ sung» button: enter the answer step for that record, from any state."""
    record = await turn.uow.records.get_by_code(code.strip().upper()) if code else None
    if record is None or not allowed(
        Actor.for_citizen(turn.citizen.id), record, Action.INFO_RECEIVED
    ):
        turn.say("stale_button")
        await _back(turn)
        return
    if record.status is not RecordStatus.NEED_INFO:
        turn.say("info_not_needed", code=record.code)
        await _back(turn)
        return
    if turn.state in turn.steps and turn.state != Info.ANSWER and not turn.is_idle:
        turn.data["info_return"] = turn.state  # come back here afterwards
    turn.data["info_code"] = record.code
    await turn.goto(Info.ANSWER)


@router.prompt(Info.ANSWER)
async def prompt_answer(turn: Turn) -> None:
    turn.say(
        "info_prompt",
        [[turn.btn("btn.later", "later")]],
        code=turn.data.get("info_code", ""),
    )


async def _back(turn: Turn) -> None:
    """Return to the step the citizen left for the answer, else the menu."""
    back = turn.data.pop("info_return", None)
    if isinstance(back, str) and back in turn.steps and back != Info.ANSWER:
        await turn.goto(back)
    elif turn.state in turn.steps and turn.state != Info.ANSWER:
        await turn.reprompt()
    else:
        await turn.go_idle()


@router.handle(Info.ANSWER)
async def handle_answer(turn: Turn) -> None:
    code = turn.data.get("info_code")
    if turn.action == "later":
        turn.data.pop("info_code", None)
        turn.say("info_later", code=code)
        await _back(turn)
        return
    record = await turn.uow.records.get_by_code(code) if isinstance(code, str) else None
    if record is None or record.status is not RecordStatus.NEED_INFO:
        turn.data.pop("info_code", None)
        turn.say("info_not_needed", code=code)
        await _back(turn)
        return
    photos = [a.ref for a in turn.inbound.attachments if a.kind == "photo"]
    if not turn.text and not photos:
        turn.say("input_unsupported")
        await turn.reprompt()
        return
    note = turn.text or turn.renderer.render("info_photos_note", count=len(photos))
    try:
        done = await records.apply(
            turn.uow,
            turn.commune,
            record,
            Action.INFO_RECEIVED,
            Actor.for_citizen(turn.citizen.id),
            turn.now,
            note=note,
        )
    except LifecycleError:
        turn.data.pop("info_code", None)
        turn.say("info_not_needed", code=code)
        await _back(turn)
        return
    for ref in photos[: turn.settings.bot.max_photos]:
        await turn.uow.attachments.add(record.id, "photo", ref, turn.now)
    notifier = Notifier(turn.uow, turn.renderer, turn.commune, turn.now, turn.notifications)
    await notifier.to_office(
        done.after, "office_event", event=done.event, who=None, note=note, photos=len(photos)
    )
    turn.data.pop("info_code", None)
    turn.say("info_thanks", code=record.code)
    await _back(turn)
