"""Deadlines: calendar and working days, weekends, holidays, month and year ends, time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.deadlines import add_days, due_at, is_working_day

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TET_2026 = {date(2026, 2, d) for d in range(14, 23)}


@pytest.mark.parametrize(
    ("start", "days", "working", "expected"),
    [
        (date(2026, 11, 26), 10, False, date(2026, 12, 6)),  # across a month end
        (date(2026, 12, 25), 10, False, date(2027, 1, 4)),  # across a year end
        (date(2026, 11, 26), 7, True, date(2026, 12, 7)),  # Thu + 7 working days = Mon
        (date(2026, 11, 27), 1, True, date(2026, 11, 30)),  # Fri + 1 = Mon
        (date(2026, 11, 28), 1, True, date(2026, 11, 30)),  # received on a Saturday
        (date(2026, 2, 12), 3, True, date(2026, 2, 24)),  # Tết: 13/2 Fri, then 23, 24
        (date(2026, 2, 27), 1, True, date(2026, 3, 2)),  # Feb end
        (date(2028, 2, 28), 1, False, date(2028, 2, 29)),  # leap day
        (date(2026, 11, 26), 0, True, date(2026, 11, 26)),
    ],
)
def test_add_days(start: date, days: int, working: bool, expected: date) -> None:
    assert add_days(start, days, working_days=working, holidays=TET_2026) == expected


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 11, 28), set())
    assert not is_working_day(date(2026, 2, 16), TET_2026)
    assert is_working_day(date(2026, 2, 23), TET_2026)


def test_due_counts_from_the_local_day() -> None:
    # 18:30 UTC on 30/11 is already 01/12 in Việt Nam.
    received = datetime(2026, 11, 30, 18, 30, tzinfo=UTC)
    due = due_at(received, 10, working_days=False, holidays=set(), tz=HCM)
    assert due == datetime(2026, 12, 11, 23, 59, 59, tzinfo=HCM)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_days(date(2026, 1, 1), -1, working_days=False, holidays=set())
