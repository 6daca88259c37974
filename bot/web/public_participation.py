"""«Dân bàn, dân kiểm tra» on the public page: the results of closed consultations and
household votes (handlers/polls.py) and the one-stop desk's satisfaction survey per desk
(storage/repos/surveys.py), over the same 12 months as the statistics.

Only numbers, as the digest shows them, with the page's small-count rule: an option chosen
by one or two people, or a desk with one or two answers, shows "<3" (and no means), so a
count never points at a person. A household vote says in words whether more than half of
all households agreed (domain.polls.Tally.approved). Open polls are not shown: their
counts could sway who has not answered yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.communes import CommuneSettings
from domain.polls import Tally
from domain.surveys import DeskResult
from handlers.polls import tally
from storage import UnitOfWork

#: counts below this are shown as "<3" (as the statistics do)
SMALL = 3
#: closed polls listed at most
POLLS = 10


@dataclass(frozen=True, slots=True)
class PollResult:
    question: str
    hamlet: str | None
    household: bool
    closed_on: date
    options: tuple[tuple[str, str], ...]  # (option, count as shown)
    answers: str
    approved: str | None  # the option more than half of all households chose
    electorate: int | None


@dataclass(frozen=True, slots=True)
class DeskScore:
    desk: str
    responses: str
    attitude: str
    waiting: str
    guidance: str
    overall: str
    satisfied: str


def shown(count: int) -> str:
    return "<3" if 0 < count < SMALL else str(count)


def _poll(commune: CommuneSettings, result: Tally, closed_at: datetime) -> PollResult:
    poll = result.poll
    approved = result.approved
    return PollResult(
        question=poll.question,
        hamlet=poll.hamlet,
        household=poll.household,
        closed_on=closed_at.astimezone(commune.timezone).date(),
        options=tuple((o, shown(n)) for o, n in zip(poll.options, result.votes, strict=True)),
        answers=shown(result.total),
        approved=poll.options[approved] if approved is not None else None,
        electorate=result.electorate,
    )


def _mean(value: float, small: bool) -> str:
    return "—" if small else f"{value:.1f}".replace(".", ",")


def _desk(result: DeskResult) -> DeskScore:
    small = result.responses < SMALL
    share = result.satisfied_share
    return DeskScore(
        desk=result.desk,
        responses=shown(result.responses),
        attitude=_mean(result.attitude, small),
        waiting=_mean(result.waiting, small),
        guidance=_mean(result.guidance, small),
        overall=_mean(result.overall, small),
        satisfied="—" if small or share is None else f"{round(100 * share)} %",
    )


async def participation(
    uow: UnitOfWork, commune: CommuneSettings, since: datetime, first_day: date, last_day: date
) -> tuple[list[PollResult], list[DeskScore]]:
    """The closed polls since `since` (newest first) and each desk's scores over the days."""
    polls = []
    for poll in await uow.polls.list_for(commune.code, limit=50):
        if poll.closed_at is None or poll.closed_at < since:
            continue
        polls.append(_poll(commune, await tally(uow, commune, poll), poll.closed_at))
        if len(polls) >= POLLS:
            break
    desks = [_desk(r) for r in await uow.surveys.results(commune.code, first_day, last_day)]
    return polls, desks
