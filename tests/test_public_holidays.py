"""bot/public_holidays.py: Vietnam's holidays for any year, merged with the config's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.public_holidays import (
    holidays_calendar,
    missing_holiday_warnings,
    national_days,
    working_days_calendar,
)
from domain.deadlines import add_days, is_working_day, record_due_at
from domain.records import RecordKind

ROOT = Path(__file__).resolve().parents[1]


def test_the_days_of_bo_luat_lao_dong_dieu_112() -> None:
    """Điều 112: Tết Dương lịch, five days of Tết, Giỗ Tổ (10/3 âm lịch), 30/4, 1/5 and two
    days of Quốc khánh; a day that falls on a weekend gets a compensatory day (khoản 3)."""
    days = dict(national_days(2027))
    assert date(2027, 1, 1) in days
    # Tết Đinh Mùi: mùng 1 is Saturday 6/2/2027; 4/2 to 10/2 are off (five days + the
    # two weekend days they cover, moved on)
    assert {date(2027, 2, d) for d in range(4, 11)} <= days.keys()
    assert date(2027, 4, 16) in days  # Giỗ Tổ Hùng Vương, 10/3 Đinh Mùi
    assert {date(2027, 4, 30), date(2027, 5, 1), date(2027, 5, 3)} <= days.keys()  # 1/5 Sat
    assert {date(2027, 9, 2), date(2027, 9, 3)} <= days.keys()
    # Giỗ Tổ 2026 fell on Sunday 26/4: Monday 27/4 was off
    assert date(2026, 4, 27) in dict(national_days(2026))


def test_the_calendar_merges_the_configs_days_for_any_year() -> None:
    calendar = holidays_calendar(frozenset({date(2026, 2, 14), date(2031, 6, 2)}))
    assert date(2026, 2, 14) in calendar  # the config's own (officials' longer Tết)
    assert date(2031, 6, 2) in calendar
    assert date(2040, 9, 2) in calendar  # a year nobody configured
    assert date(2026, 2, 17) in calendar  # mùng 1 Tết Bính Ngọ
    assert date(2026, 2, 23) not in calendar
    assert "2026-02-17" not in calendar


def test_a_substituted_day_off_makes_its_weekend_day_a_working_day() -> None:
    days = dict(national_days(2026))
    moved = [(day, name) for day, name in days.items() if "substituted from" in name]
    assert moved, "the library names the weekend day that is worked instead"
    worked = working_days_calendar(frozenset())
    holidays = holidays_calendar(frozenset())
    for day_off, name in moved:
        month, day, year = name.rsplit(" ", 1)[1].rstrip(")").split("/")
        weekend_day = date(int(year), int(month), int(day))
        assert weekend_day.weekday() >= 5
        assert weekend_day in worked
        assert is_working_day(weekend_day, holidays, worked)
        assert not is_working_day(day_off, holidays, worked)


def test_to_cao_intake_limit_skips_tet_2027() -> None:
    """The demo config lists 2026's holidays only: Tết 2027 comes from the library."""
    commune = load_settings(None, {}).communes[0]
    received = datetime(2027, 2, 3, 9, 0, tzinfo=commune.timezone)  # Wednesday before Tết
    due = record_due_at(commune, RecordKind.TO_CAO, received)
    # 4/2–10/2 off; then Thu 11, Fri 12, Mon 15 … Fri 19 are the seven working days
    assert due.date() == date(2027, 2, 19)
    without_tet = add_days(date(2027, 2, 3), 7, working_days=True, holidays=())
    assert without_tet == date(2027, 2, 12)
    # a calendar-day limit ending inside Tết moves to the first working day after it
    kien_nghi = record_due_at(commune, RecordKind.KIEN_NGHI, received - timedelta(days=4))
    assert kien_nghi.date() == date(2027, 2, 11)


def test_a_config_without_this_years_holidays_is_warned_about() -> None:
    commune = load_settings(None, {}).communes[0]
    assert missing_holiday_warnings((commune,), datetime(2026, 6, 1, tzinfo=UTC)) == []
    lines = missing_holiday_warnings((commune,), datetime(2028, 6, 1, tzinfo=UTC))
    assert len(lines) == 1
    assert "lists no day in 2028" in lines[0]
    bare = replace(commune, holidays=holidays_calendar(frozenset()))
    assert missing_holiday_warnings((bare,), datetime(2026, 6, 1, tzinfo=UTC))


def test_config_check_warns_when_no_holiday_is_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = (ROOT / "config.example.toml").read_text("utf-8")
    start = example.index("holidays = [")
    end = example.index("]", start) + 1
    config = tmp_path / "config.toml"
    config.write_text(example[:start] + "holidays = []" + example[end:], "utf-8")
    assert main(["--config", str(config), "config", "check"]) == 0
    out = capsys.readouterr().out
    assert "warning: commune CG: communes.holidays lists no day in" in out
    assert "0 holidays in the config" in out
