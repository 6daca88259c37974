"""The main menu (idle state), help, cancel, and the citizen's own records."""

from __future__ import annotations

from enum import StrEnum

from domain.records import Record
from handlers.turn import ButtonSpec, Step, Turn

MY_RECORDS_LIMIT = 10


class Menu(StrEnum):
    IDLE = "menu.idle"


def menu_buttons(turn: Turn) -> list[list[ButtonSpec]]:
    rows = []
    if turn.citizen.has_consented:
        rows.append([turn.btn("btn.menu_file", "m:file")])
    rows.append([turn.btn("btn.menu_ask", "m:ask"), turn.btn("btn.menu_lookup", "m:lookup")])
    if turn.citizen.has_consented:
        rows.append([turn.btn("btn.menu_mine", "m:mine"), turn.btn("btn.menu_help", "m:help")])
    else:
        rows.append(
            [turn.btn("btn.consent_again", "m:consent"), turn.btn("btn.menu_help", "m:help")]
        )
    if turn.citizen.has_consented:
        rows.append([turn.btn("btn.menu_announce", "m:announce")])
    return rows


async def prompt_idle(turn: Turn) -> None:
    turn.say(
        "menu",
        menu_buttons(turn),
        greeting=bool(turn.data.pop("_greet", False)),
        consented=turn.citizen.has_consented,
    )


async def handle_idle(turn: Turn) -> None:
    from handlers.flows import lookup, questions

    if turn.text and lookup.looks_like_code(turn.text):
        await lookup.show(turn, turn.text)
        return
    if turn.text:
        await questions.answer_free_text(turn)
        return
    turn.say("choose_button")
    await turn.reprompt()


async def go_idle(turn: Turn) -> None:
    await turn.goto(Menu.IDLE)


async def show_help(turn: Turn) -> None:
    from handlers.flows.lookup import example_code

    turn.say("help", example_code=example_code(turn))
    await go_idle(turn)


async def cancel(turn: Turn) -> None:
    dropped = turn.data.pop("draft", None) is not None
    turn.say("cancelled", dropped_draft=dropped)
    await go_idle(turn)


async def show_my_records(turn: Turn) -> None:
    from handlers.flows import info

    records = []
    total = 0
    rows: list[Record] = []
    if turn.citizen.has_consented:
        total = await turn.uow.records.count_for_citizen(turn.citizen.id)
        rows = await turn.uow.records.list_for_citizen(turn.citizen.id, MY_RECORDS_LIMIT)
        tz = turn.commune.timezone
        records = [
            {
                "code": r.code,
                "kind": r.kind.value,
                "status": r.status.value,
                "created": r.created_at.astimezone(tz),
            }
            for r in rows
        ]
    waiting = [[info.supplement_spec(turn, r)] for r in rows if info.waits_for(turn, r)]
    turn.say("my_records", waiting, records=records, total=total)
    await go_idle(turn)


STEPS: dict[str, Step] = {Menu.IDLE: Step(prompt_idle, handle_idle)}
