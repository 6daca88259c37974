"""Dialogues with the commune's leaders (đối thoại), the citizens' side.

In the menu («🗣 Đối thoại với lãnh đạo xã», `m:dialogue`) while a dialogue is upcoming.
Needs consent: a registration keeps the citizen's chat (for the reminder the day before)
and a question keeps the link to it (for the answer after the session). With one upcoming
dialogue it is shown at once; with several, the citizen chooses. From the dialogue's card
they register (or cancel it) and send a question in advance, then say whether the leader
may see their name: named (their saved name; asked for if none is saved, and kept as
filing keeps it) or anonymous (the leader sees only the question; the answer still comes
back to them).
"""

from __future__ import annotations

from enum import StrEnum

from domain.dialogues import QUESTION_MAX, Dialogue
from handlers.callbacks import MenuButton
from handlers.free_text import understander
from handlers.router import FlowRouter
from handlers.text import NAME_MAX, has_words, valid_name
from handlers.turn import ButtonSpec, Turn

router = FlowRouter("dialogue")
KEY = "dialogue"  # the dialogue's id, while the flow runs
TEXT = "dialogue_text"  # the question, until its identity is chosen
CHOICES_MAX = 6


class DialogueState(StrEnum):
    CHOOSE = "dialogue.choose"
    SHOW = "dialogue.show"
    QUESTION = "dialogue.question"
    IDENTITY = "dialogue.identity"
    NAME = "dialogue.name"


def _menu_row(turn: Turn) -> list[ButtonSpec]:
    return [turn.btn("btn.menu", MenuButton("menu").pack())]


def _cancel_row(turn: Turn) -> list[ButtonSpec]:
    return [turn.btn("btn.cancel", MenuButton("cancel").pack())]


@router.action("dialogue")
async def start(turn: Turn, _args: str = "") -> None:
    if not turn.citizen.has_consented:
        await turn.ask_consent()
        return
    turn.data.pop(TEXT, None)  # a question left unsent earlier is not kept
    upcoming = await turn.uow.dialogues.list_upcoming(turn.commune.code, turn.now)
    if not upcoming:
        turn.say("dialogue_none")
        await turn.go_idle()
        return
    if len(upcoming) == 1:
        turn.data[KEY] = upcoming[0].id
        await turn.goto(DialogueState.SHOW)
        return
    await turn.goto(DialogueState.CHOOSE)


async def _current(turn: Turn) -> Dialogue | None:
    """The dialogue the flow is about, while it is still upcoming; else the menu, told."""
    dialogue_id = turn.data.get(KEY)
    dialogue = (
        await turn.uow.dialogues.get_by_id(dialogue_id) if isinstance(dialogue_id, int) else None
    )
    if (
        dialogue is None
        or dialogue.commune_code != turn.commune.code
        or dialogue.starts_at < turn.now
    ):
        turn.data.pop(KEY, None)
        turn.data.pop(TEXT, None)
        turn.say("dialogue_none")
        await turn.go_idle()
        return None
    return dialogue


@router.prompt(DialogueState.CHOOSE)
async def prompt_choose(turn: Turn) -> None:
    upcoming = await turn.uow.dialogues.list_upcoming(turn.commune.code, turn.now)
    rows: list[list[ButtonSpec]] = [
        [(f"{turn.local(d.starts_at):%d/%m} — {d.topic[:40]}", f"d:{d.id}")]
        for d in upcoming[:CHOICES_MAX]
    ]
    turn.say("dialogue_choose", [*rows, _menu_row(turn)], count=len(upcoming))


@router.handle(DialogueState.CHOOSE)
async def handle_choose(turn: Turn) -> None:
    action = turn.action or ""
    if not (action.startswith("d:") and action[2:].isdigit()):
        turn.say("choose_button")
        await turn.reprompt()
        return
    turn.data[KEY] = int(action[2:])
    if await _current(turn) is not None:
        await turn.goto(DialogueState.SHOW)


@router.prompt(DialogueState.SHOW)
async def prompt_show(turn: Turn) -> None:
    dialogue = await _current(turn)
    if dialogue is None:
        return
    registered = await turn.uow.dialogues.is_registered(dialogue.id, turn.citizen.id)
    asked = await turn.uow.dialogues.questions_of(dialogue.id, turn.citizen.id)
    register = (
        turn.btn("btn.dialogue_unregister", "unregister")
        if registered
        else turn.btn("btn.dialogue_register", "register")
    )
    turn.say(
        "dialogue_show",
        [[register], [turn.btn("btn.dialogue_ask", "ask")], _menu_row(turn)],
        dialogue=dialogue,
        starts=turn.local(dialogue.starts_at),
        registered=registered,
        asked=len(asked),
    )


@router.handle(DialogueState.SHOW)
async def handle_show(turn: Turn) -> None:
    dialogue = await _current(turn)
    if dialogue is None:
        return
    if turn.action == "register":
        await turn.uow.dialogues.register(dialogue.id, turn.citizen.id, turn.now)
        turn.say("dialogue_registered", starts=turn.local(dialogue.starts_at), place=dialogue.place)
        await turn.goto(DialogueState.SHOW)
    elif turn.action == "unregister":
        await turn.uow.dialogues.unregister(dialogue.id, turn.citizen.id)
        turn.say("dialogue_unregistered")
        await turn.goto(DialogueState.SHOW)
    elif turn.action == "ask":
        await turn.goto(DialogueState.QUESTION)
    else:
        turn.say("choose_button")
        await turn.reprompt()


@router.prompt(DialogueState.QUESTION)
async def prompt_question(turn: Turn) -> None:
    turn.say("dialogue_ask", [_cancel_row(turn)], limit=QUESTION_MAX)


@router.handle(DialogueState.QUESTION)
async def handle_question(turn: Turn) -> None:
    text = turn.text or ""
    if not has_words(text):
        turn.say("dialogue_ask_words")
        await turn.reprompt()
        return
    if len(text) > QUESTION_MAX:
        turn.say("dialogue_ask_long", length=len(text), limit=QUESTION_MAX)
        await turn.reprompt()
        return
    turn.data[TEXT] = text
    await turn.goto(DialogueState.IDENTITY)


@router.prompt(DialogueState.IDENTITY)
async def prompt_identity(turn: Turn) -> None:
    turn.say(
        "dialogue_identity",
        [
            [turn.btn("btn.dialogue_named", "named")],
            [turn.btn("btn.anonymous", "anonymous")],
            _cancel_row(turn),
        ],
        name=turn.citizen.name,
    )


@router.handle(DialogueState.IDENTITY)
async def handle_identity(turn: Turn) -> None:
    if turn.action == "anonymous":
        await _keep(turn, named=False)
    elif turn.action == "named" and turn.citizen.name:
        await _keep(turn, named=True)
    elif turn.action == "named":
        await turn.goto(DialogueState.NAME)
    else:
        turn.say("choose_button")
        await turn.reprompt()


@router.prompt(DialogueState.NAME)
async def prompt_name(turn: Turn) -> None:
    turn.say("filing_name", [_cancel_row(turn)])


@router.handle(DialogueState.NAME)
async def handle_name(turn: Turn) -> None:
    name = valid_name(turn.text or "")
    if name is None:
        turn.say("filing_invalid_name", limit=NAME_MAX)
        await turn.reprompt()
        return
    # Consent was given before this flow: the name is kept as filing keeps it.
    await turn.uow.citizens.set_contact(turn.citizen.id, name, turn.citizen.phone)
    await _keep(turn, named=True)


async def _keep(turn: Turn, *, named: bool) -> None:
    dialogue = await _current(turn)
    if dialogue is None:
        return
    text = str(turn.data.pop(TEXT, "")).strip()
    if not text:
        await turn.goto(DialogueState.QUESTION)
        return
    topic = understander(turn).understand(text).topic
    question = await turn.uow.dialogues.add_question(
        dialogue.id, turn.citizen.id, named=named, topic=topic, text=text, at=turn.now
    )
    turn.say("dialogue_question_kept", number=question.number, named=named)
    await turn.goto(DialogueState.SHOW)
