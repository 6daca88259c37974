"""ISO weeks in a commune's time zone: Monday 00:00 to the next Monday 00:00, local time.

`IsoWeek.parse("2026-W47")` refuses weeks that do not exist (2025-W53); 2026-W53 exists
and runs from 2026-12-28 to 2027-01-03. Bounds are returned as aware UTC datetimes, which
is how storage compares times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    year: int
    number: int

    def __post_init__(self) -> None:
        # date.fromisocalendar checks that the week exists in that ISO year.
        date.fromisocalendar(self.year, self.number, 1)

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = _WEEK.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an ISO week — write it as YYYY-Www, e.g. 2026-W47")
        try:
            return cls(int(match.group(1)), int(match.group(2)))
        except ValueError:
            raise ValueError(f"{text!r}: the year {match.group(1)} has no such week") from None

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def previous(self) -> IsoWeek:
        return IsoWeek.containing(self.monday - timedelta(days=7))

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[Monday 00:00, next Monday 00:00) local time, as UTC."""
        return _midnight(self.monday, tz), _midnight(self.monday + timedelta(days=7), tz)

    def day_bounds(self, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
        return [(_midnight(d, tz), _midnight(d + timedelta(days=1), tz)) for d in self.days()]


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def due_week(now: datetime, send_time: time, tz: ZoneInfo) -> IsoWeek:
    """The latest week whose digest is due by `now`: Monday at `send_time` sends last week.

    Before this Monday's send time the latest due week is the one before last week (its
    digest was due a week ago; a scheduler that finds it unsent catches it up).
    """
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    send_at = datetime.combine(monday, send_time, tzinfo=tz)
    ended = monday - timedelta(days=7 if local >= send_at else 14)
    return IsoWeek.containing(ended)
