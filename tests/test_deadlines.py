"""Deadlines: calendar and working days, weekends, holidays, month and year ends, time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_settings
from domain.communes import CommuneSettings, DeadlineRule
from domain.deadlines import (
    ExtensionRefused,
    add_days,
    due_at,
    due_within,
    extended_due_at,
    extension_after,
    is_working_day,
    resolve_due_at,
)
from domain.records import RecordKind

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TET_2026 = {date(2026, 2, d) for d in range(14, 23)}


@pytest.mark.parametrize(
    ("start", "days", "working", "expected"),
    [
        (date(2026, 11, 26), 10, False, date(2026, 12, 7)),  # month end; Sun 6/12 → Mon
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


# --- stages and extensions -------------------------------------------------------------


def _commune_with(**rules: object) -> CommuneSettings:
    base = load_settings(None).communes[0]
    deadlines = dict(base.deadlines)
    for kind, rule in rules.items():
        deadlines[RecordKind(kind)] = rule  # type: ignore[assignment]
    return replace(base, deadlines=deadlines, holidays=frozenset(TET_2026))


@pytest.mark.parametrize(
    ("accepted_local", "kind", "expected"),
    [
        # khiếu nại: 30 calendar days from thụ lý, across a month end
        (datetime(2026, 11, 26, 9, 0, tzinfo=HCM), RecordKind.KHIEU_NAI, date(2026, 12, 28)),
        # tố cáo: 30 days from thụ lý, across a year end
        (datetime(2026, 12, 20, 16, 0, tzinfo=HCM), RecordKind.TO_CAO, date(2027, 1, 19)),
        # late evening local time is still the same local day
        (datetime(2026, 1, 30, 23, 30, tzinfo=HCM), RecordKind.KHIEU_NAI, date(2026, 3, 2)),
    ],
)
def test_resolution_stage_counts_from_thu_ly(
    accepted_local: datetime, kind: RecordKind, expected: date
) -> None:
    commune = _commune_with()
    due = resolve_due_at(commune, kind, accepted_local)
    assert due is not None
    assert due == datetime.combine(expected, time(23, 59, 59), tzinfo=HCM)


def test_phan_anh_has_no_resolution_stage_nor_extensions() -> None:
    commune = _commune_with()
    assert resolve_due_at(commune, RecordKind.PHAN_ANH, datetime(2026, 1, 5, tzinfo=UTC)) is None
    with pytest.raises(ExtensionRefused):
        extended_due_at(commune, RecordKind.PHAN_ANH, datetime(2026, 1, 5, tzinfo=UTC), 0)


def test_working_day_resolution_skips_weekends_and_tet() -> None:
    rule = DeadlineRule(
        7, True, resolve_days=5, resolve_working_days=True, extension_days=3, max_extensions=1
    )
    commune = _commune_with(khieu_nai=rule)
    # Thursday 12/02/2026: Fri 13, then Tết 14–22, then Mon 23 … Thu 26
    due = resolve_due_at(commune, RecordKind.KHIEU_NAI, datetime(2026, 2, 12, 3, tzinfo=UTC))
    assert due == datetime(2026, 2, 26, 23, 59, 59, tzinfo=HCM)
    # one extension of 3 working days: 5 + 3 working days from thụ lý (Fri 27, Mon 02/03,
    # Tue 03/03 after the first limit)
    accepted = datetime(2026, 2, 12, 3, tzinfo=UTC)
    extended = extended_due_at(commune, RecordKind.KHIEU_NAI, accepted, 0)
    assert extended == datetime(2026, 3, 3, 23, 59, 59, tzinfo=HCM)
    with pytest.raises(ExtensionRefused):
        extended_due_at(commune, RecordKind.KHIEU_NAI, accepted, 1)


def test_to_cao_extensions_are_thirty_days_twice() -> None:
    commune = _commune_with()
    accepted = datetime(2026, 11, 26, 9, tzinfo=HCM)  # 30 days: Sat 26/12 → Mon 28/12
    first = extended_due_at(commune, RecordKind.TO_CAO, accepted, 0)  # day 60: Mon 25/01
    second = extended_due_at(commune, RecordKind.TO_CAO, accepted, 1)  # day 90: Wed 24/02
    assert (first.date(), second.date()) == (date(2027, 1, 25), date(2027, 2, 24))
    with pytest.raises(ExtensionRefused):
        extended_due_at(commune, RecordKind.TO_CAO, accepted, 2)


def test_a_khieu_nai_extension_counts_45_days_from_thu_ly_not_from_a_moved_due_day() -> None:
    # The review's case: thụ lý Wed 02/12/2026; day 30 is Fri 01/01/2027, a holiday, so the
    # first limit ends Mon 04/01. Day 45 is Sat 16/01/2027, so the extended limit ends Mon
    # 18/01 — not 19/01 (15 days on from the moved 04/01), which is 48 days after thụ lý.
    commune = replace(_commune_with(), holidays=frozenset({date(2027, 1, 1)}))
    accepted = datetime(2026, 12, 2, 10, tzinfo=HCM)
    first = resolve_due_at(commune, RecordKind.KHIEU_NAI, accepted)
    assert first is not None
    assert first.date() == date(2027, 1, 4)
    extended = extended_due_at(commune, RecordKind.KHIEU_NAI, accepted, 0)
    assert extended == datetime(2027, 1, 18, 23, 59, 59, tzinfo=HCM)


def test_an_extension_after_a_restarted_limit_counts_on_from_it() -> None:
    commune = _commune_with()
    due = datetime(2027, 3, 1, 23, 59, 59, tzinfo=HCM)
    assert extension_after(commune, RecordKind.KHIEU_NAI, due, 0).date() == date(2027, 3, 16)
    with pytest.raises(ExtensionRefused):
        extension_after(commune, RecordKind.KHIEU_NAI, due, 1)


@pytest.mark.parametrize(
    ("now_local", "within"),
    [
        (
            datetime(2026, 12, 4, 8, 0, tzinfo=HCM),
            True,
        ),  # due Sunday 06/12; Friday is 2 days before
        (datetime(2026, 12, 3, 23, 0, tzinfo=HCM), False),  # 3 days before
        (datetime(2026, 12, 6, 23, 0, tzinfo=HCM), True),  # the last day
        (datetime(2026, 12, 7, 0, 0, tzinfo=HCM), False),  # overdue is not "due soon"
    ],
)
def test_due_within_two_days(now_local: datetime, within: bool) -> None:
    due = datetime(2026, 12, 6, 23, 59, 59, tzinfo=HCM)
    assert due_within(due, now_local, 2, HCM) is within


# --- a calendar-day limit ending on a day off (Bộ luật Dân sự 2015, Điều 148 khoản 5) ----


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 26), 10, date(2026, 12, 7)),  # Sunday 06/12 → Monday 07/12
        (date(2026, 11, 25), 10, date(2026, 12, 7)),  # Saturday 05/12 → Monday 07/12
        (date(2026, 2, 4), 10, date(2026, 2, 23)),  # Saturday 14/02, then all of Tết
        (date(2026, 11, 27), 10, date(2026, 12, 7)),  # Monday: unchanged
        (date(2026, 11, 28), 0, date(2026, 11, 28)),  # zero days: the day itself
    ],
)
def test_a_calendar_limit_ending_on_a_day_off_moves_to_the_next_working_day(
    start: date, days: int, expected: date
) -> None:
    assert add_days(start, days, working_days=False, holidays=TET_2026) == expected


def test_a_compensatory_working_saturday_counts() -> None:
    made_up = {date(2026, 12, 5)}  # say 05/12 were worked to make up for a holiday
    assert is_working_day(date(2026, 12, 5), set(), made_up)
    assert not is_working_day(date(2026, 12, 5), {date(2026, 12, 5)}, made_up)
    assert add_days(date(2026, 11, 25), 10, working_days=False, holidays=(), working=made_up) == (
        date(2026, 12, 5)
    )
    # Friday 04/12 + 1 working day is that Saturday
    assert add_days(date(2026, 12, 4), 1, working_days=True, holidays=(), working=made_up) == (
        date(2026, 12, 5)
    )


def test_working_days_come_from_config(tmp_path: object) -> None:
    from pathlib import Path

    from bot.config import ConfigError

    root = Path(__file__).resolve().parents[1]
    example = (root / "config.example.toml").read_text("utf-8")
    assert "working_days = []" in example
    folder = Path(str(tmp_path))
    good = folder / "good.toml"
    good.write_text(example.replace("working_days = []", 'working_days = ["2026-05-09"]'))
    commune = load_settings(good).communes[0]
    assert date(2026, 5, 9) in commune.working_days
    assert date(2026, 5, 16) not in commune.working_days
    assert date(2026, 9, 2) in commune.holidays  # the example lists 2026's holidays
    bad = folder / "bad.toml"
    bad.write_text(example.replace("working_days = []", 'working_days = ["2026-05-08"]'))
    with pytest.raises(ConfigError, match="weekday already"):
        load_settings(bad)
