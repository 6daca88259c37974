"""One week's figures for one commune, read from storage aggregates, and the comparison
with the week before.

Pseudonymised by construction (DOMAIN.md §5.6): storage hands over counts, durations,
tracking codes and office codes only. Tố cáo are counted by kind and office and never
broken down by topic or hamlet, and never listed by code (Luật Tố cáo, Điều 9 and 47).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.digest.consultations import PollLine
from bot.digest.consultations import collect as collect_consultations
from bot.digest.weeks import IsoWeek
from bot.settings import DigestSettings
from domain.communes import CommuneSettings
from domain.records import DurationStats, Rating, RecordKind
from domain.surveys import DeskResult
from faq.topics import TOPICS
from storage import UnitOfWork

# Event actions the digest counts (domain.lifecycle.EVENT_NAMES), plus "closed": records
# that entered the closed status, whichever action closed them.
EVENT_ACTIONS = ("accepted", "need_info", "answered", "transferred", "rejected", "extended")
ACTIONS = (*EVENT_ACTIONS[:5], "closed", "extended", "reopened")
RATING_LEVELS = tuple(level.value for level in Rating)
SATISFIED = (Rating.VERY_SATISFIED.value, Rating.SATISFIED.value)
NO_TOPIC = ""
# A run of 6+ digits, possibly split by spaces, dots or dashes: a phone or an ID number.
_NUMBER_RUN = re.compile(r"(?:\d[\s.\-]*){6,}")
# A logged question is listed when it has this many words with letters, or one this long.
_MIN_WORDS = 2
_MIN_LETTERS = 6


@dataclass(frozen=True, slots=True)
class Count:
    key: str
    label: str
    n: int


@dataclass(frozen=True, slots=True)
class OfficeFigures:
    code: str
    name: str
    received: int
    closed: int
    resolved: int
    on_time: int
    overdue: int
    rated: int
    satisfied: int


@dataclass(frozen=True, slots=True)
class OverdueLine:
    code: str
    office: str
    days: int


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date
    received: int
    closed: int


@dataclass(frozen=True, slots=True)
class WeekFigures:
    commune_code: str
    commune_name: str
    week: IsoWeek
    since: datetime
    until: datetime
    received: int
    by_kind: tuple[Count, ...]
    by_office: tuple[Count, ...]
    by_topic: tuple[Count, ...]
    by_hamlet: tuple[Count, ...]
    to_cao_received: int
    actions: Mapping[str, int]
    resolved: int
    on_time: int
    overdue_total: int
    overdue_to_cao: int
    overdue: tuple[OverdueLine, ...]
    first_response: DurationStats
    to_close: DurationStats
    ratings: Mapping[str, int]
    unanswered: tuple[tuple[str, int], ...]
    daily: tuple[DayFigures, ...]
    offices: tuple[OfficeFigures, ...]
    # The week's consultations and household votes (bot/digest/consultations.py).
    consultations: tuple[PollLine, ...] = ()

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.resolved if self.resolved else None

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfied_share(self) -> float | None:
        rated = self.rated
        return sum(self.ratings.get(level, 0) for level in SATISFIED) / rated if rated else None


@dataclass(frozen=True, slots=True)
class Change:
    key: str
    current: float | None
    previous: float | None

    @property
    def arrow(self) -> str:
        if self.current is None or self.previous is None or self.current == self.previous:
            return "="
        return "▲" if self.current > self.previous else "▼"

    @property
    def delta(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True, slots=True)
class Digest:
    """The week, the week before, and what changed."""

    current: WeekFigures
    previous: WeekFigures
    changes: tuple[Change, ...]
    generated_at: datetime
    surveys: tuple[DeskResult, ...] = ()  # the one-stop desk's survey, per desk


def redact_question(text: str) -> str:
    """Questions are redacted when logged; mask any number run again, to be sure."""
    return _NUMBER_RUN.sub("# ", text).strip()


def is_reportable(question: str) -> bool:
    """A question worth listing: two words with letters, or one word of 6+ letters.

    Drops what is no question — a typed button number («1»), «ok», an emoji — and an entry
    redaction left without a word («…», «# …»)."""
    words = [w for w in question.split() if sum(c.isalpha() for c in w) >= 1]
    long_word = any(sum(c.isalpha() for c in w) >= _MIN_LETTERS for w in words)
    return len(words) >= _MIN_WORDS or long_word


def _days_late(due_at: datetime, at: datetime, commune: CommuneSettings) -> int:
    """Calendar days from the deadline's day to `at`'s day, local time (due Sunday → 1 on
    Monday)."""
    tz = commune.timezone
    return max(1, (at.astimezone(tz).date() - due_at.astimezone(tz).date()).days)


def _counts(counter: Counter[str], labels: Mapping[str, str]) -> tuple[Count, ...]:
    ordered = sorted(
        counter.items(),
        key=lambda item: (-item[1], item[0] == NO_TOPIC, labels.get(item[0], item[0])),
    )
    return tuple(Count(key, labels.get(key, key), n) for key, n in ordered if n)


async def collect_week(
    uow: UnitOfWork,
    commune: CommuneSettings,
    week: IsoWeek,
    settings: DigestSettings,
    kind_labels: Mapping[str, str],
    unknown_label: str,
) -> WeekFigures:
    """Read one week's figures; every figure is a SQL aggregate over an index range."""
    since, until = week.bounds(commune.timezone)
    office_names = {o.code: o.name for o in commune.offices}
    kinds: Counter[str] = Counter()
    offices: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    hamlets: Counter[str] = Counter()
    for kind, office, topic, hamlet, n in await uow.digest.received(commune.code, since, until):
        kinds[kind.value] += n
        offices[office] += n
        if kind is not RecordKind.TO_CAO:
            topics[topic or NO_TOPIC] += n
            hamlets[hamlet or NO_TOPIC] += n
    actions: Counter[str] = Counter()
    closed_by_office: Counter[str] = Counter()
    counted = (*EVENT_ACTIONS, "reopened")
    for action, _office, n in await uow.digest.actions(commune.code, since, until, counted):
        actions[action] += n
    for office, n in await uow.digest.closed(commune.code, since, until):
        actions["closed"] += n
        closed_by_office[office] += n
    resolved = {
        office: (n, on_time)
        for office, n, on_time in await uow.digest.resolved(commune.code, since, until)
    }
    overdue_by_office: Counter[str] = Counter()
    overdue_to_cao = 0
    for office, kind, n in await uow.digest.overdue_counts(commune.code, until):
        overdue_by_office[office] += n
        if kind is RecordKind.TO_CAO:
            overdue_to_cao += n
    overdue = tuple(
        OverdueLine(r.code, r.office_code, _days_late(r.due_at, until, commune))
        for r in await uow.digest.overdue_records(
            commune.code, until, settings.overdue_list, (RecordKind.TO_CAO,)
        )
    )
    ratings: Counter[str] = Counter()
    rated_by_office: Counter[str] = Counter()
    satisfied_by_office: Counter[str] = Counter()
    for office, level, n in await uow.digest.ratings(commune.code, since, until):
        ratings[level] += n
        rated_by_office[office] += n
        if level in SATISFIED:
            satisfied_by_office[office] += n
    questions: Counter[str] = Counter()
    if settings.top_questions:
        # Ask for more than listed: entries that are no question are dropped below.
        for question, n in await uow.questions.top_unanswered(
            commune.code, since, until, settings.top_questions * 4
        ):
            shown = redact_question(question)
            if is_reportable(shown):
                questions[shown] += n
    daily = await uow.digest.daily(commune.code, week.day_bounds(commune.timezone))
    codes = [o.code for o in commune.offices]
    codes += sorted(set(offices) - set(codes))
    topic_labels = {**TOPICS, NO_TOPIC: unknown_label}
    hamlet_labels = {NO_TOPIC: unknown_label}
    return WeekFigures(
        commune_code=commune.code,
        commune_name=commune.name,
        week=week,
        since=since,
        until=until,
        received=sum(kinds.values()),
        by_kind=tuple(Count(k.value, kind_labels[k.value], kinds[k.value]) for k in RecordKind),
        by_office=_counts(offices, office_names),
        by_topic=_counts(topics, topic_labels),
        by_hamlet=_counts(hamlets, hamlet_labels),
        to_cao_received=kinds[RecordKind.TO_CAO.value],
        actions={action: actions[action] for action in ACTIONS},
        resolved=sum(n for n, _ in resolved.values()),
        on_time=sum(on_time for _, on_time in resolved.values()),
        overdue_total=sum(overdue_by_office.values()),
        overdue_to_cao=overdue_to_cao,
        overdue=overdue,
        first_response=await uow.digest.first_response(commune.code, since, until),
        to_close=await uow.digest.time_to_close(commune.code, since, until),
        ratings={level: ratings[level] for level in RATING_LEVELS},
        unanswered=tuple(sorted(questions.items(), key=lambda item: (-item[1], item[0])))[
            : settings.top_questions
        ],
        daily=tuple(
            DayFigures(day, received, closed)
            for day, (received, closed) in zip(week.days(), daily, strict=True)
        ),
        offices=tuple(
            OfficeFigures(
                code=code,
                name=office_names.get(code, code),
                received=offices[code],
                closed=closed_by_office[code],
                resolved=resolved.get(code, (0, 0))[0],
                on_time=resolved.get(code, (0, 0))[1],
                overdue=overdue_by_office[code],
                rated=rated_by_office[code],
                satisfied=satisfied_by_office[code],
            )
            for code in codes
        ),
        consultations=await collect_consultations(uow, commune, since, until),
    )


def compare(current: WeekFigures, previous: WeekFigures) -> tuple[Change, ...]:
    """The headline figures against the week before (rates in percentage points)."""

    def pct(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    return (
        Change("received", current.received, previous.received),
        Change("closed", current.actions["closed"], previous.actions["closed"]),
        Change("on_time", pct(current.on_time_rate), pct(previous.on_time_rate)),
        Change("overdue", current.overdue_total, previous.overdue_total),
        Change(
            "first_response",
            current.first_response.median_hours,
            previous.first_response.median_hours,
        ),
        Change("satisfied", pct(current.satisfied_share), pct(previous.satisfied_share)),
    )
