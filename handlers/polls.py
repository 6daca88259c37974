"""Consultations and household votes, the parts every caller shares (issue 14).

`danvan poll …` (bot/cli/polls.py), a leader's `/laykien` and `/ketqua`
(handlers/officials/polls.py), the citizens' flow (handlers/flows/polls.py) and the closing
job (bot/polls.py) all go through here: checking a new poll, queueing it to the subscribers
at broadcast priority with its options as buttons (`PollButton`, global, like the
announcement path of `handlers.broadcast`), making household codes, counting, and closing
once with the result sent to everyone who answered.

Decisions:
- One answer per person, changeable until the poll closes (press another option).
- A household poll takes a one-time code of the voter's thôn with the first answer. The
  code binds to that person: they may change the household's choice until the poll
  closes, without the code again; anyone else typing the same code is told it was used.
  Codes are 8 Crockford base32 characters (40 random bits, `secrets`), printed once and
  stored only as SHA-256 hashes.
- The thôn an answer counts for: the poll's thôn, else the code's thôn, else the thôn the
  person subscribed to announcements for; otherwise «chưa rõ thôn».
- Turnout is of household votes: votes over the thôn's `households` (config), else over
  the codes handed out. The "more than half" line is over all households of the poll
  (domain/polls.py); exactly half is not approved.
- A poll with a closing date closes at 23:59:59 local time that day; the daily job closes
  it (so at the next `bot.daily_jobs_time`), `danvan poll close ID` at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.communes import CommuneSettings
from domain.messages import Button, Priority, Reply
from domain.polls import (
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    HamletTally,
    Poll,
    Tally,
)
from handlers.callbacks import PollButton
from handlers.render import Renderer
from storage import UnitOfWork

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 8
MAX_CODES = 2000


class PollProblem(ValueError):
    """A poll that cannot be made as asked; `reason` names the Vietnamese answer."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def check_poll(
    commune: CommuneSettings,
    question: str,
    options: Sequence[str],
    hamlet: str | None,
    closes_on: date | None,
    today: date,
) -> tuple[str, tuple[str, ...]]:
    """The question and options cleaned, or `PollProblem`."""
    question = " ".join(question.split())
    cleaned = tuple(" ".join(o.split()) for o in options if o.strip())
    if not question or len(question) > MAX_QUESTION:
        raise PollProblem("question", f"1-{MAX_QUESTION} characters")
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        raise PollProblem("options", f"{MIN_OPTIONS}-{MAX_OPTIONS} options")
    if any(len(o) > MAX_OPTION for o in cleaned) or len(set(cleaned)) != len(cleaned):
        raise PollProblem("options", f"distinct, at most {MAX_OPTION} characters each")
    if hamlet is not None and hamlet not in commune.hamlets:
        raise PollProblem("hamlet", hamlet)
    if closes_on is not None and closes_on < today:
        raise PollProblem("closes", closes_on.isoformat())
    return question, cleaned


def closing_time(commune: CommuneSettings, day: date) -> datetime:
    """The end of `day` in the commune's time: the first moment after it."""
    return datetime.combine(day + timedelta(days=1), time(), commune.timezone)


@dataclass(frozen=True, slots=True)
class Created:
    poll: Poll
    queued: int


async def create_poll(
    uow: UnitOfWork,
    renderer: Renderer,
    commune: CommuneSettings,
    question: str,
    options: Sequence[str],
    *,
    hamlet: str | None,
    household: bool,
    closes_on: date | None,
    created_by: int | None,
    now: datetime,
) -> Created:
    """Store a checked poll and queue it to the subscribers (of its thôn and the commune)."""
    today = now.astimezone(commune.timezone).date()
    question, cleaned = check_poll(commune, question, options, hamlet, closes_on, today)
    poll = await uow.polls.add(
        commune.code,
        question,
        cleaned,
        hamlet=hamlet,
        household=household,
        closes_at=closing_time(commune, closes_on) if closes_on else None,
        created_by=created_by,
        at=now,
    )
    body = renderer.render("poll_broadcast", commune=commune, poll=poll, **dates(commune, poll))
    rows = option_buttons(poll)
    queued = 0
    for subscription in await uow.subscriptions.list_for(commune.code, hamlet):
        reply = Reply(
            channel=subscription.channel,
            chat_id=subscription.chat_id,
            text=body,
            rows=rows,
            priority=Priority.BROADCAST,
        )
        await uow.outbox.enqueue(reply, now)
        queued += 1
    return Created(poll, queued)


def option_buttons(poll: Poll) -> tuple[tuple[Button, ...], ...]:
    return tuple(
        (Button(option, PollButton(poll.id, index).pack()),)
        for index, option in enumerate(poll.options)
    )


def dates(commune: CommuneSettings, poll: Poll) -> dict[str, datetime | None]:
    """The poll's closing day (the last day it is open) and closing time, in local time."""
    closes = poll.closes_at.astimezone(commune.timezone) if poll.closes_at else None
    return {"last_day": closes - timedelta(seconds=1) if closes else None, "closes": closes}


# --- household codes ---------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """A typed code as stored: upper case, no spaces or dashes, O→0 and I/L→1 as Crockford
    reads them; None if it cannot be one."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    ok = len(cleaned) == CODE_LENGTH and all(c in CODE_ALPHABET for c in cleaned)
    return cleaned if ok else None


def hash_code(poll_id: int, code: str) -> str:
    return hashlib.sha256(f"{poll_id}:{code}".encode()).hexdigest()


def shown_code(code: str) -> str:
    """As printed for the trưởng thôn: two groups of four («K7Q3-XD9M»)."""
    return f"{code[:4]}-{code[4:]}"


async def make_codes(
    uow: UnitOfWork, poll: Poll, hamlet: str, count: int, now: datetime
) -> list[str]:
    """`count` fresh codes for the thôn's households; only their hashes are stored."""
    if not poll.household:
        raise PollProblem("not_household")
    if poll.hamlet is not None and hamlet != poll.hamlet:
        raise PollProblem("hamlet", hamlet)
    if not 1 <= count <= MAX_CODES:
        raise PollProblem("count", f"1-{MAX_CODES}")
    codes = sorted({new_code() for _ in range(count)})
    while len(codes) < count:  # a repeat among 2^40: draw again
        codes = sorted({*codes, new_code()})
    await uow.polls.add_codes(poll.id, hamlet, [hash_code(poll.id, c) for c in codes], now)
    return [shown_code(c) for c in codes]


# --- counting and closing ----------------------------------------------------------------


async def tally(uow: UnitOfWork, commune: CommuneSettings, poll: Poll) -> Tally:
    counts = await uow.polls.counts(poll.id)
    codes = await uow.polls.count_codes(poll.id) if poll.household else {}
    places: list[str | None] = [poll.hamlet] if poll.hamlet else list(commune.hamlets)
    for hamlet, _choice in counts:
        if hamlet not in places:
            places.append(hamlet)
    hamlets = []
    for place in places:
        votes = tuple(counts.get((place, i), 0) for i in range(len(poll.options)))
        households = commune.households.get(place) if place else None
        hamlets.append(HamletTally(place, votes, households, codes.get(place or "", 0)))
    comments = len(await uow.polls.comments(poll.id))
    return Tally(poll, tuple(hamlets), comments)


def render_result(renderer: Renderer, commune: CommuneSettings, result: Tally) -> str:
    return renderer.render(
        "poll_result", commune=commune, t=result, poll=result.poll, **dates(commune, result.poll)
    )


async def close_poll(
    uow: UnitOfWork, renderer: Renderer, commune: CommuneSettings, poll: Poll, now: datetime
) -> int:
    """Close the poll (if open) and, once, tell everyone who answered; the messages queued."""
    await uow.polls.close(poll.id, now)
    if not await uow.polls.mark_results_sent(poll.id, now):
        return 0
    closed = await uow.polls.get_by_id(poll.id)
    if closed is None:
        return 0
    text = render_result(renderer, commune, await tally(uow, commune, closed))
    participants = await uow.polls.participants(poll.id)
    for p in participants:
        reply = Reply(p.channel, p.chat_id, text, priority=Priority.NOTIFICATION)
        await uow.outbox.enqueue(reply, now)
    return len(participants)
