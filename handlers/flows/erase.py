"""/xoadulieu: withdraw consent and erase personal data, after a confirmation.

The citizen row (channel id, name, phone, consent) and the conversation are deleted;
records stay for the commune's files, de-identified (no owner, no contact details).
"""

from __future__ import annotations

import logging
from enum import StrEnum

from handlers.router import FlowRouter
from handlers.turn import Turn

log = logging.getLogger(__name__)

router = FlowRouter("erase")


class Erase(StrEnum):
    CONFIRM = "erase.confirm"


@router.command("xoadulieu", menu=7, label="cmd.xoadulieu")
async def start(turn: Turn, _args: str = "") -> None:
    await turn.goto(Erase.CONFIRM)


@router.prompt(Erase.CONFIRM)
async def prompt_confirm(turn: Turn) -> None:
    records = await turn.uow.records.list_for_citizen(turn.citizen.id, 1000)
    open_identity = sum(
        1 for r in records if r.kind.needs_identity and r.status.value not in ("closed", "rejected")
    )
    turn.say(
        "erase_confirm",
        [[turn.btn("btn.erase_yes", "erase:yes"), turn.btn("btn.erase_no", "erase:no")]],
        records=len(records),
        open_identity=open_identity,
    )


@router.handle(Erase.CONFIRM)
async def handle_confirm(turn: Turn) -> None:
    if turn.action == "erase:yes":
        count = await turn.uow.citizens.erase(turn.citizen.id, turn.now)
        turn.erased = True
        log.info("citizen data erased; %d records de-identified", count)
        turn.say("erase_done")
    elif turn.action == "erase:no":
        turn.say("erase_kept")
        await turn.go_idle()
    else:
        turn.say("choose_button")
        await turn.reprompt()
