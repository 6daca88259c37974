"""Announcements (thông báo): a citizen subscribes for the whole commune or one hamlet.

Reached from the menu ("🔔 Nhận thông báo của xã"). Needs consent: the subscription keeps
the citizen's channel id and hamlet. Erasing the citizen's data removes it. The
announcements themselves are queued by `handlers.broadcast` at broadcast priority.
"""

from __future__ import annotations

from enum import StrEnum

from handlers.callbacks import MenuButton
from handlers.router import FlowRouter
from handlers.turn import ButtonSpec, Turn

router = FlowRouter("announce")


class Announce(StrEnum):
    CHOOSE = "announce.choose"


@router.action("announce")
async def start(turn: Turn, _args: str = "") -> None:
    if not turn.citizen.has_consented:
        await turn.ask_consent()
        return
    await turn.goto(Announce.CHOOSE)


@router.prompt(Announce.CHOOSE)
async def prompt_choose(turn: Turn) -> None:
    current = await turn.uow.subscriptions.get(turn.citizen.id)
    rows: list[list[ButtonSpec]] = [[turn.btn("btn.announce_all", "all")]]
    hamlets = [(f"h:{i}", h) for i, h in enumerate(turn.commune.hamlets)]
    for start in range(0, len(hamlets), 2):
        rows.append([(label, action) for action, label in hamlets[start : start + 2]])
    if current is not None:
        rows.append([turn.btn("btn.announce_stop", "stop")])
    rows.append([turn.btn("btn.menu", MenuButton("menu").pack())])
    turn.say(
        "announce_choose",
        rows,
        subscribed=current is not None,
        hamlet=current.hamlet if current else None,
    )


@router.handle(Announce.CHOOSE)
async def handle_choose(turn: Turn) -> None:
    action = turn.action or ""
    if action == "stop":
        await turn.uow.subscriptions.remove(turn.citizen.id)
        turn.say("announce_stopped")
        await turn.go_idle()
        return
    hamlet: str | None = None
    if action.startswith("h:") and action[2:].isdigit():
        index = int(action[2:])
        if index >= len(turn.commune.hamlets):
            turn.say("stale_button")
            await turn.reprompt()
            return
        hamlet = turn.commune.hamlets[index]
    elif action != "all":
        turn.say("choose_button")
        await turn.reprompt()
        return
    await turn.uow.subscriptions.save(turn.citizen.id, turn.commune.code, hamlet, turn.now)
    turn.say("announce_subscribed", hamlet=hamlet)
    await turn.go_idle()
