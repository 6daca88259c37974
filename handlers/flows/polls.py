"""Consultations and household votes, the citizen's side (issue 14).

The menu shows «🗳 Lấy ý kiến» while the commune has an open poll (`m:laykien`: the list);
a poll's broadcast carries its options as global buttons (`PollButton`,
`m:laykien:ID:OPTION`), so they work from any message until the poll closes. Answering
needs consent (the answer keeps the person's link, to change it and to send the result).
One answer per person; pressing another option changes it. A household poll asks for the
household's code with the first answer (`polls.code`); a comment is optional
(`m:ykien:ID` → `polls.comment`). The rules are in `handlers.polls`.
"""

from __future__ import annotations

from enum import StrEnum

from domain.polls import MAX_COMMENT, Poll
from handlers import polls
from handlers.callbacks import MenuButton, PollButton, PollCommentButton
from handlers.router import FlowRouter
from handlers.turn import ButtonSpec, Turn

router = FlowRouter("polls")
LIST_LIMIT = 10
BUTTON_CHARS = 60


class Polls(StrEnum):
    CODE = "polls.code"
    COMMENT = "polls.comment"


def _menu(turn: Turn) -> list[ButtonSpec]:
    return [turn.btn("btn.menu", MenuButton("menu").pack())]


async def _poll(turn: Turn, poll_id: int) -> Poll | None:
    """The poll, if it is this commune's; says so otherwise."""
    poll = await turn.uow.polls.get_by_id(poll_id)
    if poll is None or poll.commune_code != turn.commune.code:
        turn.say("poll_gone")
        return None
    return poll


@router.action("laykien")
async def laykien(turn: Turn, args: str = "") -> None:
    pressed = PollButton.of_argument(args) if args else None
    if args and pressed is None:
        turn.say("stale_button")
        return
    if pressed is None:
        await _list(turn)
        return
    poll = await _poll(turn, pressed.poll_id)
    if poll is None:
        return
    if pressed.choice is None:
        await _show(turn, poll)
    elif not poll.is_open(turn.now):
        turn.say("poll_closed", poll=poll)
    elif not turn.citizen.has_consented:
        await turn.ask_consent()
    elif pressed.choice >= len(poll.options):
        turn.say("stale_button")
    else:
        await _answer(turn, poll, pressed.choice)


async def _list(turn: Turn) -> None:
    open_polls = await turn.uow.polls.list_for(
        turn.commune.code, open_at=turn.now, limit=LIST_LIMIT
    )
    rows = [[(_short(p.question), PollButton(p.id).pack())] for p in open_polls]
    turn.say("poll_list", [*rows, _menu(turn)], polls=open_polls)


def _short(text: str) -> str:
    return text if len(text) <= BUTTON_CHARS else text[: BUTTON_CHARS - 1].rstrip() + "…"


async def _show(turn: Turn, poll: Poll) -> None:
    if not poll.is_open(turn.now):
        turn.say("poll_closed", poll=poll)
        return
    answer = None
    if turn.citizen.has_consented:
        answer = await turn.uow.polls.answer_of(poll.id, turn.citizen.id)
    rows = [[(option, PollButton(poll.id, i).pack())] for i, option in enumerate(poll.options)]
    if answer is not None:
        rows.append([turn.btn("btn.poll_comment", PollCommentButton(poll.id).pack())])
    turn.say(
        "poll_show",
        [*rows, _menu(turn)],
        poll=poll,
        answer=answer,
        last_day=polls.dates(turn.commune, poll)["last_day"],
    )


async def _answer(turn: Turn, poll: Poll, choice: int) -> None:
    citizen_id = turn.citizen.id
    if await turn.uow.polls.change_answer(poll.id, citizen_id, choice, turn.now):
        _recorded(turn, poll, choice, changed=True)
        await turn.go_idle(quiet=True)
        return
    if poll.household:
        turn.data["poll"] = {"id": poll.id, "choice": choice}
        await turn.goto(Polls.CODE)
        return
    hamlet = poll.hamlet
    if hamlet is None:
        subscription = await turn.uow.subscriptions.get(citizen_id)
        hamlet = subscription.hamlet if subscription else None
    await turn.uow.polls.add_answer(poll.id, citizen_id, choice, hamlet, turn.now)
    _recorded(turn, poll, choice, changed=False)
    await turn.go_idle(quiet=True)


def _recorded(turn: Turn, poll: Poll, choice: int, *, changed: bool) -> None:
    turn.say(
        "poll_recorded",
        [[turn.btn("btn.poll_comment", PollCommentButton(poll.id).pack())], _menu(turn)],
        option=poll.options[choice],
        changed=changed,
        household=poll.household,
    )


async def _waiting(turn: Turn) -> tuple[Poll, int] | None:
    """The poll and option the code step waits for, if still open; else back to the menu."""
    pending = turn.data.get("poll") or {}
    poll = await turn.uow.polls.get_by_id(int(pending.get("id", 0)))
    if poll is None or not poll.is_open(turn.now):
        turn.data.pop("poll", None)
        if poll is not None:
            turn.say("poll_closed", poll=poll)
        await turn.go_idle()
        return None
    return poll, int(pending.get("choice", 0))


@router.prompt(Polls.CODE)
async def prompt_code(turn: Turn) -> None:
    waiting = await _waiting(turn)
    if waiting is not None:
        poll, choice = waiting
        cancel = turn.btn("btn.cancel", MenuButton("cancel").pack())
        turn.say("poll_code_ask", [[cancel]], poll=poll, option=poll.options[choice])


@router.handle(Polls.CODE)
async def handle_code(turn: Turn) -> None:
    waiting = await _waiting(turn)
    if waiting is None:
        return
    poll, choice = waiting
    code = polls.normal_code(turn.text or "")
    found = (
        await turn.uow.polls.find_code(poll.id, polls.hash_code(poll.id, code)) if code else None
    )
    reason = None
    if code is None:
        reason = "format"
    elif found is None:
        reason = "unknown"
    elif found.used or not await turn.uow.polls.add_answer(
        poll.id, turn.citizen.id, choice, found.hamlet, turn.now, code_id=found.id
    ):
        reason = "used"
    if reason is not None:
        cancel = turn.btn("btn.cancel", MenuButton("cancel").pack())
        turn.say("poll_code_problem", [[cancel]], reason=reason)
        return
    turn.data.pop("poll", None)
    _recorded(turn, poll, choice, changed=False)
    await turn.go_idle(quiet=True)


@router.action("ykien")
async def comment(turn: Turn, args: str = "") -> None:
    pressed = PollCommentButton.of_argument(args)
    if pressed is None:
        turn.say("stale_button")
        return
    poll = await _poll(turn, pressed.poll_id)
    if poll is None:
        return
    if not poll.is_open(turn.now):
        turn.say("poll_closed", poll=poll)
        return
    if not turn.citizen.has_consented or (
        await turn.uow.polls.answer_of(poll.id, turn.citizen.id) is None
    ):
        await _show(turn, poll)  # answer first, then comment
        return
    turn.data["poll"] = {"id": poll.id}
    await turn.goto(Polls.COMMENT)


@router.prompt(Polls.COMMENT)
async def prompt_comment(turn: Turn) -> None:
    waiting = await _waiting(turn)
    if waiting is not None:
        turn.say("poll_comment_ask", [[turn.btn("btn.skip", "skip")]], poll=waiting[0])


@router.handle(Polls.COMMENT)
async def handle_comment(turn: Turn) -> None:
    if turn.action == "skip":
        turn.data.pop("poll", None)
        await turn.go_idle()
        return
    if not turn.text:
        turn.say("choose_button")
        await turn.reprompt()
        return
    waiting = await _waiting(turn)
    if waiting is None:
        return
    await turn.uow.polls.set_comment(waiting[0].id, turn.citizen.id, turn.text[:MAX_COMMENT])
    turn.data.pop("poll", None)
    turn.say("poll_comment_thanks")
    await turn.go_idle()
