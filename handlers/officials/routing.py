"""Which updates are the officials', and where each goes: buttons, commands, text.

`claims` decides, before any citizen state is loaded, whether an update belongs here (every
update in a group chat does); `handle` then sends it to its job: a record button to
`steps.press`, the «Xem tiến độ» button to `broadcast.progress`, a command through
`COMMANDS`, a reply to the bot's message about a record, or the text a step waits for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from domain.lifecycle import Action
from domain.messages import RESUME, Button, Inbound
from domain.permissions import may_broadcast, may_manage_officials
from domain.records import Official, OfficialRole
from handlers.callbacks import WEB_LOGIN, ProgressButton, RecordButton
from handlers.officials import admin, broadcast, dialogue, polls, queues, steps, weblink
from handlers.officials.turn import StaffTurn, TextStep, command_name
from handlers.text import clean_text

# Citizens' commands that mean nothing in an office's group chat (answered once, calmly).
CITIZEN_COMMANDS = ("start", "gopy", "tracuu", "cuatoi", "trogiup")
# Citizens' commands an official at rest gets the officials' answer to, in a private chat:
# their own menu (/start, /trogiup), the officials' view of a record (/tracuu MÃ).
MENU_COMMANDS = ("start", "trogiup", "tracuu", "huy")


def claims(
    inbound: Inbound,
    official: Official | None,
    pending: TextStep | None,
    *,
    citizen_busy: bool = False,
) -> bool:
    """Whether this private-chat inbound is for the officials' side (groups always are).

    An active official at rest — not in the middle of a citizen's flow they chose with
    /gopy (`citizen_busy`) — gets the officials' own menu for any other text, never the
    citizens' notice on personal data."""
    if inbound.is_group:
        return True
    if inbound.button == RESUME and official is not None and official.active:
        return True  # an official's terminal reopening: nothing to show (no citizen notice)
    if inbound.button is not None:
        return inbound.button == WEB_LOGIN or inbound.button.startswith(
            (RecordButton.PREFIX, ProgressButton.PREFIX)
        )
    text = (inbound.text or "").strip()
    at_rest = official is not None and official.active and not citizen_busy
    if text.startswith("/"):
        name, _ = command_name(text)
        return (
            name in COMMANDS
            or name == "thamgia"
            or (name == "huy" and pending is not None)
            or (at_rest and name in MENU_COMMANDS)
        )
    if at_rest:
        return True  # a step's text, a reply to the bot, or anything else: the menu
    if official is not None and not official.active:
        # A revoked official replying to the bot, or typing the step they were revoked
        # during: told so, not taken for a citizen's first message.
        return bool(text) and (inbound.reply_to_message is not None or official.step_interrupted)
    active = official is not None and official.active
    # While a step waits for the official's text, whatever they send is for it (a photo
    # or an empty message is asked again, not taken for a citizen's first contact).
    return active and (pending is not None or (inbound.reply_to_message is not None and bool(text)))


async def handle(turn: StaffTurn) -> None:
    inbound = turn.inbound
    if inbound.button is not None:
        if inbound.button.startswith(ProgressButton.PREFIX):
            await broadcast.progress(turn, inbound.button)
        elif inbound.button.startswith(RecordButton.PREFIX):
            await steps.press(turn, inbound.button)
        elif inbound.button == WEB_LOGIN:
            await weblink.web(turn, "")
        return  # other buttons in a group belong to nobody here
    text = clean_text(inbound.text or "")
    if text.startswith("/"):
        await _command(turn, text)
    else:
        await _text(turn, text)


async def _command(turn: StaffTurn, text: str) -> None:
    name, args = command_name(text)
    if name == "thamgia":
        await admin.join(turn, args)
    elif name in COMMANDS:
        if not turn.active:
            turn.say_not_official()
            return
        await COMMANDS[name](turn, args)
    elif name == "huy" and polls.drafting(turn):
        polls.cancel(turn)
    elif name == "huy" and (turn.pending is not None or turn.state == dialogue.GUIDED):
        turn.end_step()
        turn.say("staff_cancelled")
    elif turn.inbound.is_group and name in CITIZEN_COMMANDS:
        turn.say("group_ignored")
    elif name == "tracuu" and args and turn.active:
        await queues.show(turn, args)  # the officials' view of the record
    elif name in MENU_COMMANDS and turn.active:
        staff_menu(turn)


async def _text(turn: StaffTurn, text: str) -> None:
    inbound = turn.inbound
    official = turn.official
    revoked = official is not None and not official.active
    # (in a group, chatter stays ignored; a reply to the bot is answered)
    if official is not None and revoked and (not inbound.is_group or inbound.reply_to_message):
        if official.step_interrupted:
            await turn.uow.officials.clear_step_interrupted(official.id)
        turn.say_not_official()
        return
    if inbound.reply_to_message is not None and await steps.reply_to_notification(turn, text):
        return
    pending = turn.pending
    if polls.drafting(turn) and not inbound.is_group:
        await polls.take(turn, text)
    elif turn.active and pending is not None and _answers_prompt(turn, pending):
        await steps.complete_pending(turn, pending, text)
    elif turn.active and not inbound.is_group and turn.state == dialogue.GUIDED:
        await dialogue.guided(turn, text)
    elif turn.active and not inbound.is_group and pending is None:
        staff_menu(turn)


def staff_menu(turn: StaffTurn) -> None:
    """An official's own short menu (not the citizens' notice on personal data)."""
    official = turn.official
    turn.say(
        "staff_menu",
        [[Button(turn.renderer.label("btn.web"), WEB_LOGIN)]],
        name=official.display_name if official else "",
        office=turn.office_name(official.office_code if official else None) or "",
    )


def _answers_prompt(turn: StaffTurn, pending: TextStep) -> bool:
    """Private chat: the next message. Group: only the presser's reply, in that group."""
    inbound = turn.inbound
    if not inbound.is_group:
        return True
    return inbound.reply_to_message is not None and pending.chat_id == inbound.chat_id


async def staff_help(turn: StaffTurn, _args: str) -> None:
    turn.say(
        "staff_help",
        admin=may_manage_officials(turn.official, turn.commune.code),
        announcer=may_broadcast(turn.official, turn.commune.code),
        leader=turn.official is not None and turn.official.role is OfficialRole.LEADER,
    )


# The steps an official does by command, `/traloi CODE nội dung` (the card's buttons).
STEP_COMMANDS: Mapping[str, Action] = {
    "tiepnhan": Action.TAKE,
    "bosung": Action.ASK_INFO,
    "traloi": Action.REPLY,
    "chuyen": Action.TRANSFER,
    "tuchoi": Action.REJECT,
    "hoanthanh": Action.COMPLETE,
    "giahan": Action.EXTEND,
    "giao": Action.ASSIGN,
}

COMMANDS: Mapping[str, Callable[[StaffTurn, str], Awaitable[None]]] = {
    "hangdoi": queues.queue,
    "quahan": queues.overdue,
    "xem": queues.show,
    "anh": queues.media,
    **{name: steps.step_command(action) for name, action in STEP_COMMANDS.items()},
    "moi": admin.invite,
    "canbo": admin.list_officials,
    "thuhoi": admin.revoke,
    "huongdan": staff_help,
    "thongbao": broadcast.broadcast,
    "doithoai": dialogue.dialogue,
    "traloidt": dialogue.answer,
    "laykien": polls.start,
    "ketqua": polls.results,
    "web": weblink.web,
}
