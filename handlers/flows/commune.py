"""Choosing one's commune, when one bot serves several and the channel did not say.

A per-commune link (`t.me/<bot>?start=CG`, a QR code at the commune's office) names the
commune and skips this step. Otherwise a citizen whose commune is not known yet is asked
to type its name; typing is matched without diacritics and forgiving of typos, and the
closest few are offered as buttons. `/doixa` asks again.
"""

from __future__ import annotations

import re
from enum import StrEnum

from rapidfuzz import fuzz, process

from handlers.callbacks import CommuneButton
from handlers.router import FlowRouter
from handlers.text import match_form
from handlers.turn import ButtonSpec, Turn

MAX_BUTTONS = 6
SURE = 90.0
_KIND_WORDS = re.compile(r"^(xa|phuong|dac khu|thi tran)\s+")

router = FlowRouter("commune")


class Commune(StrEnum):
    CHOOSE = "commune.choose"


def _bare(name: str) -> str:
    """ "xã Cát Giang (xã mẫu)" → "cat giang xa mau": what people type."""
    return _KIND_WORDS.sub("", match_form(name))


def matches(turn: Turn, text: str) -> list[tuple[str, float]]:
    """(commune code, score 0–100) of the communes closest to what was typed."""
    choices = {c.code: _bare(c.name) for c in turn.settings.communes}
    typed = _bare(text)
    if typed.upper() in choices:  # the short code itself
        return [(typed.upper(), 100.0)]
    found = process.extract(typed, choices, scorer=fuzz.WRatio, limit=MAX_BUTTONS)
    return [(code, score) for _, score, code in found]


@router.prompt(Commune.CHOOSE)
async def prompt_choose(turn: Turn) -> None:
    communes = turn.settings.communes
    buttons: list[list[ButtonSpec]] = []
    if len(communes) <= MAX_BUTTONS:
        buttons = [[(c.name, CommuneButton(c.code).pack())] for c in communes]
    turn.say("commune_choose", buttons, count=len(communes))


@router.handle(Commune.CHOOSE)
async def handle_choose(turn: Turn) -> None:
    pressed = CommuneButton.unpack(turn.action or "")
    if pressed is not None and turn.settings.commune(pressed.code) is not None:
        await chosen(turn, pressed.code)
        return
    if not turn.text:
        turn.say("choose_button")
        await turn.reprompt()
        return
    found = matches(turn, turn.text)
    sure = [code for code, score in found if score >= SURE]
    if len(sure) == 1 or (sure and found[0][1] - found[1][1] >= 10):
        await chosen(turn, found[0][0])
        return
    names = {c.code: c.name for c in turn.settings.communes}
    buttons = [[(names[code], CommuneButton(code).pack())] for code, score in found if score >= 50]
    turn.say("commune_suggestions", buttons, text=turn.text[:60], found=bool(buttons))


async def chosen(turn: Turn, code: str) -> None:
    commune = turn.settings.commune(code)
    if commune is None:
        return
    await turn.uow.citizens.set_commune(turn.citizen.id, commune.code)
    turn.commune = commune
    turn.needs_commune = False
    turn.say("commune_chosen")
    await turn.welcome()


@router.entry()
async def ask(turn: Turn) -> None:
    await turn.goto(Commune.CHOOSE)


@router.command("doixa", menu=8, label="cmd.doixa", several_communes_only=True)
async def _change_commune(turn: Turn, _args: str) -> None:
    await ask(turn)
