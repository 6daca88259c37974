"""The public page's statistics: received, resolved, on-time rate and satisfaction, by
month, office and thôn, over the last twelve months (issue 12).

Small counts can identify people, so every figure resting on fewer than `SMALL` records
(1 or 2) is published as "<3" — a count, and a rate whose denominator is that small. Zero
is shown as 0: nobody is identified by nobody. Where a column of a table would hide just
one cell, its smallest other non-zero cell is hidden too, so that the column's total
cannot give the hidden one back by subtraction.

Tố cáo are counted only in the commune's total: a denunciation's month, office or thôn
could point at the denouncer or the denounced. A rejection (không thụ lý) is not a
resolution (resolved: `resolved_at` set — completed, rated or closed, as the digest counts).
On time: answered (or, with no answer, resolved) by the deadline, since the legal limit is
the answer's. Satisfaction: the share of rated records
whose latest rating is satisfied or very satisfied. A record's month is the month (in the
commune's time zone) it was received, for "received", and resolved, for the other three.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.communes import CommuneSettings
from domain.records import Rating, RecordKind, RecordStatus
from storage.repos.public import StatRow

SMALL = 3
HIDDEN = "<3"
MONTHS = 12
SATISFIED = frozenset({Rating.SATISFIED.value, Rating.VERY_SATISFIED.value})
UNKNOWN_HAMLET = "Chưa rõ thôn"
COLUMNS = ("received", "resolved", "on_time", "satisfaction")

Cell = int | str | None  # a count, HIDDEN, or (a rate over nothing) None


@dataclass
class Tally:
    received: int = 0
    resolved: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0

    def cells(self) -> dict[str, Cell]:
        return {
            "received": _count(self.received),
            "resolved": _count(self.resolved),
            "on_time": _rate(self.on_time, self.resolved),
            "satisfaction": _rate(self.satisfied, self.rated),
        }


@dataclass(frozen=True, slots=True)
class Line:
    label: str
    cells: dict[str, Cell]


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    key: str  # month, office, hamlet
    column: str  # the first column's heading
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Statistics:
    since: datetime
    until: datetime
    total: Line
    tables: list[Table]

    def as_json(self, commune: CommuneSettings) -> dict[str, Any]:
        return {
            "commune": {"code": commune.code, "name": commune.name},
            "since": self.since.isoformat(timespec="seconds"),
            "until": self.until.isoformat(timespec="seconds"),
            "small_count": HIDDEN,
            "rates": "per cent, rounded; null where nothing was resolved or rated",
            "total": self.total.cells,
            **{t.key: [{"label": ln.label, **ln.cells} for ln in t.lines] for t in self.tables},
        }


def _count(n: int) -> Cell:
    return HIDDEN if 0 < n < SMALL else n


def _rate(part: int, whole: int) -> Cell:
    if whole == 0:
        return None
    if whole < SMALL:
        return HIDDEN
    return round(100 * part / whole)


def window(now: datetime, zone: ZoneInfo) -> tuple[datetime, list[str]]:
    """The first instant of the month eleven months before `now` (local), and the months
    from there to now as "MM/YYYY", newest first."""
    local = now.astimezone(zone)
    year, month = local.year, local.month
    months = []
    for _ in range(MONTHS):
        months.append(f"{month:02d}/{year}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return datetime(year, month, 1, tzinfo=zone), months


def compute(commune: CommuneSettings, rows: Iterable[StatRow], now: datetime) -> Statistics:
    """The statistics of `rows` (`uow.public.stat_rows` since `window(...)[0]`)."""
    zone = commune.timezone
    since, months = window(now, zone)
    total = Tally()
    by: dict[str, dict[str, Tally]] = {"month": {m: Tally() for m in months}, "office": {}}
    by["hamlet"] = {}

    def month_of(at: datetime) -> str:
        return at.astimezone(zone).strftime("%m/%Y")

    for row in rows:
        detailed = row.kind is not RecordKind.TO_CAO
        places = (
            [
                by["office"].setdefault(_office_name(commune, row.office_code), Tally()),
                by["hamlet"].setdefault(row.hamlet or UNKNOWN_HAMLET, Tally()),
            ]
            if detailed
            else []
        )
        if row.created_at >= since:
            total.received += 1
            if detailed:
                _touch(by["month"], month_of(row.created_at), places, "received")
        resolved = row.resolved_at is not None and row.status is not RecordStatus.REJECTED
        if resolved and row.resolved_at is not None and row.resolved_at >= since:
            on_time = (row.answered_at or row.resolved_at) <= row.due_at
            rated = row.rating is not None
            happy = row.rating in SATISFIED
            _resolve(total, on_time, rated, happy)
            if detailed:
                month = by["month"].get(month_of(row.resolved_at))
                for tally in (*places, *([month] if month else [])):
                    _resolve(tally, on_time, rated, happy)
    tables = [
        _table(("Theo tháng", "month", "Tháng"), by["month"], keep_order=True),
        _table(("Theo đơn vị xử lý", "office", "Đơn vị"), by["office"]),
        _table(("Theo thôn, tổ dân phố", "hamlet", "Thôn, tổ dân phố"), by["hamlet"]),
    ]
    return Statistics(since, now.astimezone(zone), Line("Toàn xã", total.cells()), tables)


def _touch(months: dict[str, Tally], month: str, places: Sequence[Tally], what: str) -> None:
    for tally in (*places, *([months[month]] if month in months else [])):
        setattr(tally, what, getattr(tally, what) + 1)


def _resolve(tally: Tally, on_time: bool, rated: bool, happy: bool) -> None:
    tally.resolved += 1
    tally.on_time += on_time
    tally.rated += rated
    tally.satisfied += happy


def _office_name(commune: CommuneSettings, code: str) -> str:
    office = commune.office(code)
    return office.name if office else code


def _table(
    names_of: tuple[str, str, str], tallies: dict[str, Tally], *, keep_order: bool = False
) -> Table:
    names = list(tallies) if keep_order else sorted(tallies)
    if not keep_order:  # a place with nothing in the window is left out
        names = [n for n in names if tallies[n].received or tallies[n].resolved]
    lines = [Line(n, tallies[n].cells()) for n in names]
    for column, size in (
        ("received", lambda t: t.received),
        ("resolved", lambda t: t.resolved),
        ("on_time", lambda t: t.resolved),
        ("satisfaction", lambda t: t.rated),
    ):
        _hide_a_second(lines, [tallies[n] for n in names], column, size)
    return Table(*names_of, lines)


def _hide_a_second(
    lines: list[Line], tallies: list[Tally], column: str, size: Callable[[Tally], int]
) -> None:
    """A column hiding exactly one cell hides its smallest other non-zero one too."""
    if sum(1 for ln in lines if ln.cells[column] == HIDDEN) != 1:
        return
    others = [
        (size(t), i)
        for i, (ln, t) in enumerate(zip(lines, tallies, strict=True))
        if ln.cells[column] != HIDDEN and size(t) > 0
    ]
    if others:
        lines[min(others)[1]].cells[column] = HIDDEN
