"""Consultations and household votes (lấy ý kiến, biểu quyết; issue 14): the types and the
one rule.

Legal basis (../shared/DOMAIN.md §3.3, §3.4): Luật Thực hiện dân chủ ở cơ sở 2022
(10/2022/QH15) Điều 15 lists what the people discuss and decide directly (contributions to
public works, hương ước, electing the Trưởng thôn, …) [verified there]; Điều 16–22 and
Nghị định 59/2023/NĐ-CP allow a community meeting, household ballot papers or online
voting [verified]; a matter is approved when **more than 50 % of the household
representatives** agree [partly verified: the rule of the old Ordinance, reported for ND 59
Điều 4]. So a household vote's line is "more than half of all households of the thôn (or
commune)", not of those who voted: `households` from config where given, else the number
of codes handed out (one per household). Exactly half is not approved.

An ordinary consultation (lấy ý kiến: the matters the people comment on before the
authority decides, DOMAIN.md §3.4 [verified as a list; its article number not checked])
counts people, one answer each, and decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MIN_OPTIONS = 2
MAX_OPTIONS = 10
MAX_QUESTION = 500
MAX_OPTION = 100
MAX_COMMENT = 1000


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    commune_code: str
    question: str
    options: tuple[str, ...]
    hamlet: str | None  # None: the whole commune
    household: bool
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    results_sent_at: datetime | None

    def is_open(self, now: datetime) -> bool:
        return self.closed_at is None and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True, slots=True)
class Answer:
    """A person's own answer (shown only to them)."""

    poll_id: int
    choice: int
    comment: str | None
    hamlet: str | None


@dataclass(frozen=True, slots=True)
class HamletTally:
    hamlet: str | None  # None: the voter's thôn is not known
    votes: tuple[int, ...]  # per option
    households: int | None  # the thôn's households (config), where given
    codes: int = 0  # household codes handed out for this thôn

    @property
    def total(self) -> int:
        return sum(self.votes)

    @property
    def turnout(self) -> float | None:
        """Votes over households (config), else over codes handed out; None if neither."""
        base = self.households or self.codes
        return self.total / base if base else None


@dataclass(frozen=True, slots=True)
class Tally:
    """A poll's counts: no person in it, only numbers."""

    poll: Poll
    hamlets: tuple[HamletTally, ...]
    comments: int = 0

    @property
    def votes(self) -> tuple[int, ...]:
        return tuple(sum(h.votes[i] for h in self.hamlets) for i in range(len(self.poll.options)))

    @property
    def total(self) -> int:
        return sum(self.votes)

    @property
    def electorate(self) -> int | None:
        """All households the vote is about: config's count where every thôn gives one,
        else the codes handed out; None for an ordinary consultation or when unknown."""
        if not self.poll.household:
            return None
        known = [h for h in self.hamlets if h.hamlet is not None]
        if known and all(h.households for h in known):
            return sum(h.households or 0 for h in known)
        codes = sum(h.codes for h in self.hamlets)
        return codes or None

    @property
    def approved(self) -> int | None:
        """The option more than half of all households chose (household votes only)."""
        electorate = self.electorate
        if electorate is None:
            return None
        for index, n in enumerate(self.votes):
            if majority(n, electorate):
                return index
        return None


def majority(votes: int, households: int) -> bool:
    """More than half: 51 of 100 is, 50 of 100 is not."""
    return households > 0 and 2 * votes > households
