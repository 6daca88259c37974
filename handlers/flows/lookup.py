"""Looking a record up by its tracking code.

The owner sees status, office, deadline and the visible history; anyone else sees only
status and office. A code that fails its check is "không hợp lệ", never "not found".
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain import tracking_code
from domain.permissions import Actor, Perm, allowed
from handlers.flows import info
from handlers.turn import Step, Turn

EXAMPLE_RANDOM = "7KQ3X"


class Lookup(StrEnum):
    ASK = "lookup.ask"


def example_code(turn: Turn) -> str:
    return tracking_code.make_code(
        turn.commune.code, turn.now.astimezone(turn.commune.timezone), EXAMPLE_RANDOM
    )


def looks_like_code(text: str) -> bool:
    return tracking_code.looks_like_code(text)


async def start(turn: Turn, code_text: str | None = None) -> None:
    if code_text:
        await show(turn, code_text)
    else:
        await turn.goto(Lookup.ASK)


async def prompt_ask(turn: Turn) -> None:
    turn.say("lookup_ask", [[turn.btn("btn.cancel", "m:cancel")]], example_code=example_code(turn))


async def handle_ask(turn: Turn) -> None:
    from handlers.flows import questions

    if not turn.text:
        turn.say("input_empty")
    elif looks_like_code(turn.text) or len(turn.text.split()) <= 2:
        await show(turn, turn.text, retry_in_place=True)
    else:  # a sentence, not a code: understand it instead of calling it a bad code
        await questions.answer_free_text(turn)


async def show(turn: Turn, text: str, *, retry_in_place: bool = False) -> None:
    """Answer a lookup, then go back to the menu (or wait for another try if invalid)."""
    from handlers.flows import menu

    if await describe(turn, text):
        await menu.go_idle(turn)
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
            turn.say("lookup_invalid", text=shown, example_code=example_code(turn))
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
    turn.say(
        "lookup_result",
        [[info.supplement_spec(turn, record)]] if owner and info.waits_for(turn, record) else (),
        record=record,
        owner=owner,
        office_name=office.name if office else record.office_code,
        created=record.created_at.astimezone(tz),
        due=record.due_at.astimezone(tz),
        events=events,
    )
    return True


STEPS: dict[str, Step] = {Lookup.ASK: Step(prompt_ask, handle_ask)}
