"""Looking a record up by its tracking code.

The owner sees status, office, deadline and the visible history; anyone else sees only
status and office. A code that fails its check is "không hợp lệ", never "not found".
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain import tracking_code
from domain.permissions import Actor, Perm, allowed
from domain.records import RecordStatus
from handlers.callbacks import MenuButton, RatingButton
from handlers.free_text import answer_free_text
from handlers.notify import RATING_LABELS
from handlers.router import FlowRouter
from handlers.supplement import supplement_spec, waits_for
from handlers.turn import ButtonSpec, Turn

router = FlowRouter("lookup")


class Lookup(StrEnum):
    ASK = "lookup.ask"


@router.entry()
async def start(turn: Turn, code_text: str | None = None) -> None:
    if code_text:
        await show(turn, code_text)
    else:
        await turn.goto(Lookup.ASK)


@router.command("tracuu", menu=3, label="cmd.tracuu")
@router.action("lookup")
async def _lookup(turn: Turn, args: str) -> None:
    await start(turn, args or None)


@router.prompt(Lookup.ASK)
async def prompt_ask(turn: Turn) -> None:
    turn.say(
        "lookup_ask",
        [[turn.btn("btn.cancel", MenuButton("cancel").pack())]],
        example_code=turn.example_code(),
    )


@router.handle(Lookup.ASK)
async def handle_ask(turn: Turn) -> None:
    if not turn.text:
        turn.say("input_empty")
    elif tracking_code.looks_like_code(turn.text) or len(turn.text.split()) <= 2:
        await show(turn, turn.text, retry_in_place=True)
    else:  # a sentence, not a code: understand it instead of calling it a bad code
        await answer_free_text(turn)


async def show(turn: Turn, text: str, *, retry_in_place: bool = False) -> None:
    """Answer a lookup, then go back to the menu (or wait for another try if invalid)."""
    if await describe(turn, text):
        await turn.go_idle()
    elif not retry_in_place:
        await turn.goto(Lookup.ASK)


async def describe(turn: Turn, text: str) -> bool:
    """Say what is known of the record `text` names; False if it is not a valid code."""
    shown = text.strip()[:40]
    try:
        parsed = tracking_code.parse_code(text)
    except tracking_code.InvalidCode:
        compact = tracking_code.normalize_code(text)
        letters = re.match(r"[A-Z]{2,4}(?=\d)", compact)
        if compact.startswith("PAKN"):
            turn.say("lookup_pakn", text=shown)  # a code of the national feedback portal
        elif letters and turn.settings.commune(letters.group(0)) is None:
            turn.say("lookup_foreign", code=shown)
        else:
            turn.say("lookup_invalid", text=shown, example_code=turn.example_code())
        return False
    if turn.settings.commune(parsed.commune) is None:
        turn.say("lookup_foreign", code=parsed.code)
        return True
    record = await turn.uow.records.get_by_code(parsed.code)
    if record is None:
        turn.say("lookup_not_found", code=parsed.code)
        return True
    commune = turn.settings.commune(record.commune_code) or turn.commune
    tz = commune.timezone
    # Anyone may learn a record's status and office; the rest is the owner's (permissions).
    owner = allowed(Actor.for_citizen(turn.citizen.id), record, Perm.VIEW)
    events = []
    if owner:
        events = [
            {"at": e.at.astimezone(tz), "action": e.action, "note": e.note}
            for e in await turn.uow.events.list_for(record.id, visible_only=True)
        ]
    office = commune.office(record.office_code)
    buttons: list[list[ButtonSpec]] = []
    if owner and waits_for(turn, record):
        buttons.append([supplement_spec(turn.renderer, record.code)])
    if owner and record.status is RecordStatus.ANSWERED:
        # (an answered record waits for the rating: offered here too, not only once)
        buttons.append(
            [
                turn.btn(key, RatingButton(record.code, rating).pack())
                for rating, key in RATING_LABELS.items()
            ]
        )
    turn.say(
        "lookup_result",
        buttons,
        record=record,
        owner=owner,
        office_name=office.name if office else record.office_code,
        created=record.created_at.astimezone(tz),
        due=record.due_at.astimezone(tz),
        events=events,
    )
    return True
