"""The main menu (idle state), help, cancel, and the citizen's own records."""

from __future__ import annotations

from enum import StrEnum

from domain import tracking_code
from domain.records import Record
from domain.surveys import SurveyLink
from handlers.callbacks import MenuButton
from handlers.conversations import IDLE
from handlers.free_text import answer_free_text
from handlers.router import FlowRouter
from handlers.supplement import supplement_spec, waits_for
from handlers.turn import ButtonSpec, Turn

MY_RECORDS_LIMIT = 10

router = FlowRouter("menu")


class Menu(StrEnum):
    IDLE = IDLE


def menu_buttons(turn: Turn, *, polls: bool = False) -> list[list[ButtonSpec]]:
    rows = []
    if turn.citizen.has_consented:
        rows.append([turn.btn("btn.menu_file", MenuButton("file").pack())])
    rows.append(
        [
            turn.btn("btn.menu_ask", MenuButton("ask").pack()),
            turn.btn("btn.menu_lookup", MenuButton("lookup").pack()),
        ]
    )
    help_button = turn.btn("btn.menu_help", MenuButton("help").pack())
    if turn.citizen.has_consented:
        rows.append([turn.btn("btn.menu_mine", MenuButton("mine").pack()), help_button])
    else:
        rows.append([turn.btn("btn.consent_again", MenuButton("consent").pack()), help_button])
    if turn.citizen.has_consented:
        rows.append([turn.btn("btn.menu_announce", MenuButton("announce").pack())])
    if polls:  # while the commune consults its people (handlers/flows/polls.py)
        rows.append([turn.btn("btn.menu_polls", MenuButton("laykien").pack())])
    return rows


@router.prompt(Menu.IDLE)
async def prompt_idle(turn: Turn) -> None:
    rows = menu_buttons(turn, polls=await _polls_open(turn))
    if turn.citizen.has_consented and await turn.uow.dialogues.list_upcoming(
        turn.commune.code, turn.now
    ):
        rows.append([turn.btn("btn.menu_dialogue", MenuButton("dialogue").pack())])
    turn.say(
        "menu",
        rows,
        greeting=bool(turn.data.pop("_greet", False)),
        consented=turn.citizen.has_consented,
    )


async def _polls_open(turn: Turn) -> bool:
    return bool(await turn.uow.polls.list_for(turn.commune.code, open_at=turn.now, limit=1))


@router.handle(Menu.IDLE)
async def handle_idle(turn: Turn) -> None:
    if turn.text and tracking_code.looks_like_code(turn.text):
        await turn.start_flow("lookup", code_text=turn.text)
        return
    if turn.text:
        await answer_free_text(turn)
        return
    turn.say("choose_button")
    await turn.reprompt()


@router.command("start", menu=1, label="cmd.start")
async def start(turn: Turn, args: str) -> None:
    if SurveyLink.parse(args) is not None:  # a desk's QR poster: its survey
        await turn.start_flow("survey", payload=args)
        return
    await turn.welcome()


@router.action("menu")
async def go_idle(turn: Turn, _args: str = "") -> None:
    await turn.go_idle()


@router.command("trogiup", menu=6, label="cmd.trogiup")
@router.action("help")
async def show_help(turn: Turn, _args: str = "") -> None:
    turn.say("help", example_code=turn.example_code())
    await turn.go_idle()


@router.command("huy", menu=5, label="cmd.huy")
@router.action("cancel")
async def cancel(turn: Turn, _args: str = "") -> None:
    dropped = turn.data.pop("draft", None) is not None
    turn.say("cancelled", dropped_draft=dropped)
    await turn.go_idle()


@router.command("cuatoi", menu=4, label="cmd.cuatoi")
@router.action("mine")
async def show_my_records(turn: Turn, _args: str = "") -> None:
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
    waiting = [[supplement_spec(turn.renderer, r.code)] for r in rows if waits_for(turn, r)]
    turn.say("my_records", waiting, records=records, total=total)
    await turn.go_idle()
