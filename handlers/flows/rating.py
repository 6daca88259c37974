"""The citizen rates how a record was handled, after Trả lời or Hoàn thành.

Rating buttons arrive in a notification, so they carry the record (`v:CODE:value`) rather
than the conversation's nonce, and work from any state. Rất hài lòng / Hài lòng close the
record; Không hài lòng reopens it to its office (with a fresh time limit), tells the office's
heads with the card, and asks for an optional reason, which follows as one short line. One
rating per answer: a second press is thanked, not counted.
"""

from __future__ import annotations

from enum import StrEnum

from domain import lifecycle
from domain.lifecycle import Action, LifecycleError
from domain.permissions import Actor, allowed
from domain.records import Official, OfficialRole, Rating
from handlers import records
from handlers.callbacks import RatingButton
from handlers.notify import Notifier
from handlers.router import FlowRouter
from handlers.text import has_words, one_line
from handlers.turn import Turn

REASON_MAX = 500

router = FlowRouter("rating")


class RatingState(StrEnum):
    REASON = "rating.reason"


@router.button(RatingButton.PREFIX)
async def press(turn: Turn, data: str) -> None:
    """A rating button; works from any state of the conversation."""
    pressed = RatingButton.unpack(data)
    record = await turn.uow.records.get_by_code(pressed.code) if pressed else None
    actor = Actor.for_citizen(turn.citizen.id)
    if pressed is None or record is None or not allowed(actor, record, Action.RATE):
        turn.say("stale_button")
        await _back(turn)
        return
    value = pressed.rating
    if not lifecycle.can(actor, record, Action.RATE) or record.rated_at is not None:
        turn.say("rating_already", code=record.code)
        await _back(turn)
        return
    notifier = Notifier(turn.uow, turn.renderer, turn.commune, turn.now, turn.notifications)
    # The step first, then the rating: a refused step leaves no rating behind (both are in
    # the turn's one transaction).
    try:
        if value is Rating.UNSATISFIED:
            done = await records.apply(
                turn.uow, turn.commune, record, Action.REOPEN, actor, turn.now, note=None
            )
            rating_id = await turn.uow.ratings.add(record.id, turn.now, value, None)
            heads = await notifier.officials_with_role(OfficialRole.HEAD, record.office_code)
            await notifier.to_officials(heads, done.after, "office_unsatisfied", reason=None)
            await notifier.to_office(
                done.after, "office_unsatisfied", skip=_chats(heads), reason=None
            )
            turn.data["rating"] = {"code": record.code, "id": rating_id}
            await turn.goto(RatingState.REASON)
            return
        await records.apply(turn.uow, turn.commune, record, Action.RATE, actor, turn.now)
        await turn.uow.ratings.add(record.id, turn.now, value, None)
    except LifecycleError:
        turn.say("rating_already", code=record.code)
        await _back(turn)
        return
    turn.say("rating_thanks", code=record.code, value=value.value)
    await _back(turn)


def _chats(officials: list[Official]) -> set[tuple[str, str]]:
    return {(o.channel, o.external_id) for o in officials}


async def _back(turn: Turn) -> None:
    """Return the citizen to where they were (or the menu)."""
    if turn.state and turn.state in turn.steps and turn.state != RatingState.REASON:
        await turn.reprompt()
    else:
        await turn.go_idle()


@router.prompt(RatingState.REASON)
async def prompt_reason(turn: Turn) -> None:
    rating = turn.data.get("rating", {})
    turn.say("rating_reason", [[turn.btn("btn.skip", "skip")]], code=rating.get("code", ""))


@router.handle(RatingState.REASON)
async def handle_reason(turn: Turn) -> None:
    rating = turn.data.pop("rating", {})
    code = rating.get("code", "")
    if turn.action != "skip" and turn.text and has_words(turn.text):
        reason = one_line(turn.text)[:REASON_MAX]
        await turn.uow.ratings.set_reason(int(rating.get("id", 0)), reason)
        record = await turn.uow.records.get_by_code(code)
        if record is not None:
            notifier = Notifier(turn.uow, turn.renderer, turn.commune, turn.now, turn.notifications)
            # The reopening was announced with the card when the button was pressed (the
            # citizen may never give a reason); the reason follows as one short line.
            heads = await notifier.officials_with_role(OfficialRole.HEAD, record.office_code)
            readers = {(o.channel, o.external_id) for o in heads}
            for channel, chat_id, _viewer in await notifier.office_readers(record.office_code):
                readers.add((channel, chat_id))
            text = notifier.render("office_unsatisfied_reason", code=record.code, reason=reason)
            for channel, chat_id in sorted(readers):
                notifier.send_text(channel, chat_id, text, record)
    turn.say("rating_reopened", code=code)
    await turn.go_idle()
