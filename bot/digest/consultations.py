"""The digest's consultations section (issue 14): the polls created or closed in the week,
as counts only (handlers.polls.tally): how many answered, the most chosen option, and for a
household vote whether more than half of the households agreed. No person, no comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.communes import CommuneSettings
from handlers.polls import tally
from storage import UnitOfWork


@dataclass(frozen=True, slots=True)
class PollLine:
    id: int
    question: str
    hamlet: str | None
    household: bool
    closed: bool
    total: int
    leading: str | None  # the most chosen option (None: no answer, or a tie at the top)
    leading_votes: int
    electorate: int | None  # household votes: all the households the vote is about
    approved: str | None  # household votes: the option more than half of them chose


async def collect(
    uow: UnitOfWork, commune: CommuneSettings, since: datetime, until: datetime
) -> tuple[PollLine, ...]:
    lines = []
    for poll in await uow.polls.list_active_between(commune.code, since, until):
        result = await tally(uow, commune, poll)
        votes = result.votes
        top = max(votes, default=0)
        leaders = [i for i, n in enumerate(votes) if n == top]
        approved = result.approved
        lines.append(
            PollLine(
                id=poll.id,
                question=poll.question,
                hamlet=poll.hamlet,
                household=poll.household,
                closed=poll.closed_at is not None and poll.closed_at < until,
                total=result.total,
                leading=poll.options[leaders[0]] if top and len(leaders) == 1 else None,
                leading_votes=top,
                electorate=result.electorate,
                approved=poll.options[approved] if approved is not None else None,
            )
        )
    return tuple(lines)
