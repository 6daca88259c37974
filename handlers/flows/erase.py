"""/xoadulieu: withdraw consent and erase personal data, after a confirmation.

The citizen row (channel id, name, phone, consent) and the conversation are deleted;
records stay for the commune's files, de-identified (no owner, no contact details).

A khiếu nại or tố cáo still being handled cannot go on anonymously, and its decision could
no longer be delivered: the confirmation names those records and what erasing means for
them, and offers to wait until they are closed; if the citizen erases all the same, each
record's office is told (with the de-identified card: nothing erased is written again).
"""

from __future__ import annotations

import logging
from enum import StrEnum

from domain.records import Record, RecordStatus
from handlers.notify import Notifier
from handlers.router import FlowRouter
from handlers.turn import Turn

log = logging.getLogger(__name__)

router = FlowRouter("erase")

_FINISHED = (RecordStatus.CLOSED, RecordStatus.REJECTED)


class Erase(StrEnum):
    CONFIRM = "erase.confirm"


@router.command("xoadulieu", menu=7, label="cmd.xoadulieu")
async def start(turn: Turn, _args: str = "") -> None:
    await turn.goto(Erase.CONFIRM)


async def _open_identity(turn: Turn) -> tuple[int, list[Record]]:
    """How many records the citizen has, and their khiếu nại/tố cáo still being handled."""
    records = await turn.uow.records.list_for_citizen(turn.citizen.id, 1000)
    return len(records), [r for r in records if r.kind.needs_identity and r.status not in _FINISHED]


@router.prompt(Erase.CONFIRM)
async def prompt_confirm(turn: Turn) -> None:
    count, open_records = await _open_identity(turn)
    buttons = [[turn.btn("btn.erase_yes", "erase:yes")]]
    if open_records:
        buttons.append([turn.btn("btn.erase_wait", "erase:wait")])
    buttons.append([turn.btn("btn.erase_no", "erase:no")])
    turn.say(
        "erase_confirm",
        buttons,
        records=count,
        open_identity=len(open_records),
        open_records=[{"code": r.code, "kind": r.kind.value} for r in open_records],
    )


@router.handle(Erase.CONFIRM)
async def handle_confirm(turn: Turn) -> None:
    if turn.action == "erase:yes":
        _, open_records = await _open_identity(turn)
        count = await turn.uow.citizens.erase(turn.citizen.id, turn.now)
        turn.erased = True
        log.info(
            "citizen data erased; %d records de-identified, %d open khiếu nại/tố cáo",
            count,
            len(open_records),
        )
        notifier = Notifier(turn.uow, turn.renderer, turn.commune, turn.now, turn.notifications)
        for before in open_records:
            after = await turn.uow.records.get_by_code(before.code)
            if after is not None:
                await notifier.to_office(after, "erase_office_notice", buttons=False)
        turn.say("erase_done")
    elif turn.action == "erase:wait":
        _, open_records = await _open_identity(turn)
        turn.say("erase_wait", codes=[r.code for r in open_records])
        await turn.go_idle()
    elif turn.action == "erase:no":
        turn.say("erase_kept")
        await turn.go_idle()
    else:
        turn.say("choose_button")
        await turn.reprompt()
