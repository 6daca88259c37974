"""The citizen answers an official's request for more information (Yêu cầu bổ sung).

The official's step puts the citizen's conversation here (`data["info_code"]`); the next
message — text and/or photos — is attached to the record, the record goes back to
`in_progress`, and the office is told.
"""

from __future__ import annotations

from enum import StrEnum

from handlers import lifecycle
from handlers.lifecycle import Action, LifecycleError
from handlers.notify import Notifier
from handlers.permissions import Actor
from handlers.turn import Step, Turn
from storage.models import RecordStatus


class Info(StrEnum):
    ANSWER = "info.answer"


async def prompt_answer(turn: Turn) -> None:
    turn.say(
        "info_prompt",
        [[turn.btn("btn.later", "later")]],
        code=turn.data.get("info_code", ""),
    )


async def handle_answer(turn: Turn) -> None:
    from handlers.flows import menu

    code = turn.data.get("info_code")
    if turn.action == "later":
        turn.data.pop("info_code", None)
        turn.say("info_later", code=code)
        await menu.go_idle(turn)
        return
    record = await turn.uow.get_record(code) if isinstance(code, str) else None
    if record is None or record.status is not RecordStatus.NEED_INFO:
        turn.data.pop("info_code", None)
        turn.say("info_not_needed", code=code)
        await menu.go_idle(turn)
        return
    photos = [a.ref for a in turn.inbound.attachments if a.kind == "photo"]
    if not turn.text and not photos:
        turn.say("input_unsupported")
        await turn.reprompt()
        return
    note = turn.text or turn.renderer.render("info_photos_note", count=len(photos))
    try:
        done = await lifecycle.apply(
            turn.uow,
            turn.commune,
            record,
            Action.INFO_RECEIVED,
            Actor.for_citizen(turn.citizen.id),
            turn.now,
            note=note,
        )
    except LifecycleError:
        turn.say("info_not_needed", code=code)
        await menu.go_idle(turn)
        return
    for ref in photos[: turn.settings.bot.max_photos]:
        await turn.uow.add_attachment(record.id, "photo", ref, turn.now)
    notifier = Notifier(turn.uow, turn.renderer, turn.commune, turn.now, turn.notifications)
    await notifier.to_office(
        done.after, "office_event", event=done.event, who=None, note=note, photos=len(photos)
    )
    turn.data.pop("info_code", None)
    turn.say("info_thanks", code=record.code)
    await menu.go_idle(turn)


STEPS: dict[str, Step] = {Info.ANSWER: Step(prompt_answer, handle_answer)}
