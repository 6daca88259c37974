"""`/laykien`, a leader's short guided flow that makes a poll, and `/ketqua [SỐ]`, its result.

Leaders and administrators of the commune (`may_broadcast`: those who may announce),
in their private chat. `/laykien` puts the official's conversation in `officials.poll`
with the draft in its data and asks, one message each: the question; the options, one a
line; the thôn (or «cả xã»); the last day («không» for none); household mode («có» or
«không»). Each answer is checked at once (a calm "please again" that keeps the draft),
`/huy` drops the draft. The poll is made and sent by `handlers.polls.create_poll`, the
same path as `danvan poll create`. `/ketqua` alone lists the commune's latest polls.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from domain.permissions import may_broadcast
from domain.polls import MAX_OPTION, MAX_OPTIONS, MAX_QUESTION, MIN_OPTIONS
from handlers import polls
from handlers.officials.turn import StaffTurn
from handlers.text import match_form

log = logging.getLogger(__name__)

POLL_DRAFT = "officials.poll"
STEPS = ("question", "options", "scope", "closes", "household")
RECENT = 10
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YES = {"co", "c", "yes", "1", "dung"}
_NO = {"khong", "k", "no", "0"}


def drafting(turn: StaffTurn) -> bool:
    return turn.active and turn.state == POLL_DRAFT


def _allowed(turn: StaffTurn) -> bool:
    if not may_broadcast(turn.official, turn.commune.code):
        turn.say("staff_poll", reason="denied")
        return False
    return True


def _move(turn: StaffTurn, state: str, data: dict[str, Any]) -> None:
    turn.state, turn.data = state, data
    turn.nonce += 1


def _ask(turn: StaffTurn, draft: dict[str, Any], problem: str | None = None) -> None:
    turn.say(
        "staff_poll",
        reason="ask",
        step=draft["step"],
        problem=problem,
        hamlets=turn.commune.hamlets,
        min_options=MIN_OPTIONS,
        max_options=MAX_OPTIONS,
    )


async def start(turn: StaffTurn, _args: str) -> None:
    """/laykien: begin a draft (in the private chat)."""
    if not _allowed(turn):
        return
    if turn.inbound.is_group:
        turn.say("staff_poll", reason="private")
        return
    draft: dict[str, Any] = {"step": STEPS[0]}
    _move(turn, POLL_DRAFT, {"draft": draft})
    _ask(turn, draft)


def cancel(turn: StaffTurn) -> None:
    _move(turn, "officials.idle", {})
    turn.say("staff_poll", reason="cancelled")


async def take(turn: StaffTurn, text: str) -> None:
    """The answer to the step the draft is at."""
    draft: dict[str, Any] = dict(turn.data.get("draft") or {"step": STEPS[0]})
    if not may_broadcast(turn.official, turn.commune.code):
        cancel(turn)
        return
    step = draft["step"]
    problem = _fill(turn, draft, step, text.strip())
    if problem is not None:
        _ask(turn, draft, problem)
        return
    if step != STEPS[-1]:
        draft["step"] = STEPS[STEPS.index(step) + 1]
        _move(turn, POLL_DRAFT, {"draft": draft})
        _ask(turn, draft)
        return
    await _create(turn, draft)


def _fill(turn: StaffTurn, draft: dict[str, Any], step: str, text: str) -> str | None:
    """Put the answer into the draft; the name of the problem if it cannot be taken."""
    if not text:
        return "empty"
    if step == "question":
        draft["question"] = text
        return None if len(text) <= MAX_QUESTION else "long"
    if step == "options":
        parts = re.split(r"\n|\|", text)  # one a line, or «A | B» on a one-line channel
        options = [part.strip(" -•\t") for part in parts if part.strip(" -•\t")]
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or len(set(options)) != len(options):
            return "options"
        if any(len(o) > MAX_OPTION for o in options):
            return "long"
        draft["options"] = options
        return None
    if step == "scope":
        return _scope(turn, draft, text)
    if step == "closes":
        return _closes(turn, draft, text)
    form = match_form(text)
    if form not in _YES | _NO:
        return "yesno"
    draft["household"] = form in _YES
    return None


def _scope(turn: StaffTurn, draft: dict[str, Any], text: str) -> str | None:
    form = match_form(text)
    hamlets = turn.commune.hamlets
    if form in ("ca xa", "toan xa", "xa", "0"):
        draft["hamlet"] = None
        return None
    if text.isdigit() and 1 <= int(text) <= len(hamlets):
        draft["hamlet"] = hamlets[int(text) - 1]
        return None
    named = [h for h in hamlets if match_form(h) == form]
    if not named:
        return "hamlet"
    draft["hamlet"] = named[0]
    return None


def _closes(turn: StaffTurn, draft: dict[str, Any], text: str) -> str | None:
    if match_form(text) in _NO:
        draft["closes"] = None
        return None
    day = _date(text)
    today = turn.local(turn.now).date()
    if day is None:
        return "date"
    if day < today:
        return "past"
    draft["closes"] = day.isoformat()
    return None


def _date(text: str) -> date | None:
    match = _DMY.match(text.strip())
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


async def _create(turn: StaffTurn, draft: dict[str, Any]) -> None:
    official = turn.official
    closes = draft.get("closes")
    try:
        made = await polls.create_poll(
            turn.uow,
            turn.renderer,
            turn.commune,
            draft["question"],
            draft["options"],
            hamlet=draft.get("hamlet"),
            household=bool(draft.get("household")),
            closes_on=date.fromisoformat(closes) if closes else None,
            created_by=official.id if official else None,
            now=turn.now,
        )
    except polls.PollProblem as exc:
        draft["step"] = {"hamlet": "scope", "closes": "closes", "question": "question"}.get(
            exc.reason, "options"
        )
        _move(turn, POLL_DRAFT, {"draft": draft})
        _ask(turn, draft, "again")
        return
    _move(turn, "officials.idle", {})
    log.info("poll %s created by official %s", made.poll.id, official.id if official else None)
    turn.say(
        "staff_poll",
        reason="created",
        poll=made.poll,
        queued=made.queued,
        last_day=polls.dates(turn.commune, made.poll)["last_day"],
    )


async def results(turn: StaffTurn, args: str) -> None:
    """/ketqua SỐ: the poll's counts; /ketqua alone: the latest polls with their numbers."""
    if not _allowed(turn):
        return
    text = args.strip().lstrip("#")
    if not text:
        found = await turn.uow.polls.list_for(turn.commune.code, limit=RECENT)
        turn.say("staff_poll", reason="list", polls=found, now=turn.now)
        return
    poll = await turn.uow.polls.get_by_id(int(text)) if text.isdigit() and len(text) < 12 else None
    if poll is None or poll.commune_code != turn.commune.code:
        turn.say("staff_poll", reason="not_found", number=text[:12])
        return
    result = await polls.tally(turn.uow, turn.commune, poll)
    turn.say_html(polls.render_result(turn.renderer, turn.commune, result))
