"""ISO weeks in the commune's time zone (bot/digest/weeks.py): bounds at local midnights,
week 53 and year ends, the week that is due."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import App
from bot.digest.render import DigestRenderer
from bot.digest.weeks import IsoWeek, due_week
from tests.support.digest import W47, digest_of
from tests.support.digest_seed import HCM, Seed


def test_week_bounds_are_local_midnights() -> None:
    since, until = W47.bounds(HCM)
    assert since == datetime(2026, 11, 15, 17, 0, tzinfo=UTC)  # Mon 16/11 00:00 +07
    assert until == datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # Mon 23/11 00:00 +07
    assert W47.label == "2026-W47"
    assert IsoWeek.parse("2026-w47") == W47
    assert W47.previous() == IsoWeek(2026, 46)


def test_iso_week_53_and_year_ends() -> None:
    w53 = IsoWeek.parse("2026-W53")
    assert (w53.monday, w53.sunday) == (date(2026, 12, 28), date(2027, 1, 3))
    assert IsoWeek.containing(date(2027, 1, 1)) == w53
    assert IsoWeek.containing(date(2027, 1, 4)) == IsoWeek(2027, 1)
    assert IsoWeek(2027, 1).previous() == w53
    # 2026-01-01 is a Thursday: it belongs to 2026-W01, which starts on 2025-12-29.
    assert IsoWeek(2026, 1).monday == date(2025, 12, 29)
    with pytest.raises(ValueError, match="has no such week"):
        IsoWeek.parse("2025-W53")
    with pytest.raises(ValueError, match="YYYY-Www"):
        IsoWeek.parse("tuần 47")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_is_in_exactly_one_week(day: date) -> None:
    week = IsoWeek.containing(day)
    assert week.monday <= day <= week.sunday
    assert IsoWeek.parse(week.label) == week
    since, until = week.bounds(HCM)
    assert until - since == timedelta(days=7)  # no daylight saving in Việt Nam
    following = IsoWeek.containing(week.sunday + timedelta(days=1))
    assert following.previous() == week
    assert following.bounds(HCM)[0] == until  # weeks tile time without gaps or overlaps


@pytest.mark.parametrize(
    ("now_local", "expected"),
    [
        (datetime(2026, 11, 23, 7, 30, tzinfo=HCM), "2026-W47"),  # Monday at the send time
        (
            datetime(2026, 11, 23, 7, 29, tzinfo=HCM),
            "2026-W46",
        ),  # a minute before: last week's is due
        (datetime(2026, 11, 28, 12, 0, tzinfo=HCM), "2026-W47"),  # later in the week: catch up W47
        (datetime(2027, 1, 4, 8, 0, tzinfo=HCM), "2026-W53"),
        (datetime(2027, 1, 11, 8, 0, tzinfo=HCM), "2027-W01"),
    ],
)
def test_due_week(now_local: datetime, expected: str) -> None:
    now = now_local.astimezone(UTC)
    assert due_week(now, time(7, 30), HCM).label == expected


async def test_year_end_records_fall_in_iso_week_53(app: App, renderer: DigestRenderer) -> None:
    due = datetime(2027, 1, 20, tzinfo=HCM)
    async with app.storage.transaction() as uow:
        seed = Seed(uow)
        for code, created in [
            ("CG-2612-A", datetime(2026, 12, 27, 23, 59, 59, tzinfo=HCM)),
            ("CG-2612-B", datetime(2026, 12, 28, tzinfo=HCM)),
            ("CG-2701-C", datetime(2027, 1, 1, tzinfo=HCM)),
            ("CG-2701-D", datetime(2027, 1, 3, 23, 59, 59, tzinfo=HCM)),
            ("CG-2701-E", datetime(2027, 1, 4, tzinfo=HCM)),
        ]:
            await seed.record(code, "phan_anh", "KT", created, due)
    w53 = await digest_of(app, renderer, IsoWeek(2026, 53))
    assert w53.current.received == 3  # B, C, D
    assert w53.previous.received == 1  # A, in 2026-W52
    assert [d.received for d in w53.current.daily] == [1, 0, 0, 0, 1, 0, 1]
    assert (await digest_of(app, renderer, IsoWeek(2027, 1))).current.received == 1
