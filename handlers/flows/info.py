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
`in_progress`, the office is told, and the citizen returns to where they were (a draft;
never to a question's apology, which is not a step worth returning to).

Free text typed at the menu while a record waits (`handlers.free_text`) is offered as the
answer first (`info:confirm`, «Đây là nội dung bổ sung cho hồ sơ …?»): «Đúng» sends it,
«Không» answers it as any other text.
"""

from __future__ import annotations

from enum import StrEnum

from domain.lifecycle import Action, LifecycleError
from domain.messages import CLIP_KINDS
from domain.permissions import Actor, allowed
from domain.records import Record, RecordStatus
from handlers import records
from handlers.callbacks import SUPPLEMENT_ACTION
from handlers.conversations import flow_of
from handlers.free_text import answer_free_text
from handlers.notify import Notifier
from handlers.router import FlowRouter
from handlers.supplement import waits_for
from handlers.turn import Turn

router = FlowRouter("info")


class Info(StrEnum):
    ANSWER = "info.answer"
    CONFIRM = "info.confirm"


# Steps the citizen is not sent back to after answering: they answered an earlier text.
_NO_RETURN = ("questions",)


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
    if isinstance(back, str) and back in turn.steps and _returnable(back):
        await turn.goto(back)
    elif turn.state in turn.steps and _returnable(turn.state):
        await turn.reprompt()
    else:
        await turn.go_idle(quiet=turn.said_count() > 0)


def _returnable(state: str) -> bool:
    return state not in (Info.ANSWER, Info.CONFIRM) and flow_of(state) not in _NO_RETURN


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
    clips = [(a.kind, a.ref) for a in turn.inbound.attachments if a.kind in CLIP_KINDS]
    for kind, ref in clips:  # a voice message or a video: attached as it is
        await turn.uow.attachments.add(record.id, kind, ref, turn.now)
    if clips and not turn.text and not photos:
        turn.say("filing_description_clip")  # kept; a few typed words say what it is
        return
    if not turn.text and not photos:
        turn.say("input_unsupported")
        await turn.reprompt()
        return
    await _supplement(turn, record, turn.text, photos)


async def _supplement(turn: Turn, record: Record, text: str | None, photos: list[str]) -> None:
    """Attach the citizen's answer to `record`, tell the office, thank, and go back."""
    note = text or turn.renderer.render("info_photos_note", count=len(photos))
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
        turn.say("info_not_needed", code=record.code)
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


@router.entry("confirm")
async def confirm(turn: Turn, *, text: str, codes: list[str]) -> None:
    """Free text while records wait for this citizen: is it the information asked for?"""
    turn.data["info_offer"] = {"text": text, "codes": list(codes)}
    await turn.goto(Info.CONFIRM)


@router.prompt(Info.CONFIRM)
async def prompt_confirm(turn: Turn) -> None:
    codes = [str(c) for c in turn.data.get("info_offer", {}).get("codes", [])]
    buttons = [
        [(turn.renderer.label("btn.info_yes") + (f" {c}" if len(codes) > 1 else ""), f"to:{c}")]
        for c in codes
    ]
    buttons.append([turn.btn("btn.info_other", "other")])
    turn.say("info_confirm", buttons, codes=codes)


@router.handle(Info.CONFIRM)
async def handle_confirm(turn: Turn) -> None:
    offer = turn.data.get("info_offer", {})
    text = str(offer.get("text") or "")
    action = turn.action or ""
    if action.startswith("to:") and action[3:] in offer.get("codes", []):
        turn.data.pop("info_offer", None)
        record = await turn.uow.records.get_by_code(action[3:])
        if record is None or not waits_for(turn, record):
            turn.say("info_not_needed", code=action[3:])
            await turn.go_idle()
            return
        await _supplement(turn, record, text, [])
    elif action == "other":
        turn.data.pop("info_offer", None)
        turn.text = text
        await answer_free_text(turn, not_supplement=True)
    elif turn.text:
        # Something else typed instead of choosing: that text is the one to place now.
        turn.data.pop("info_offer", None)
        await answer_free_text(turn)
    else:
        turn.say("choose_button")
        await turn.reprompt()
