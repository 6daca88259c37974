"""Public holidays for any year: Vietnam's from `holidays`, merged with the config's own.

`holidays.country_holidays("VN")` knows the days of Bộ luật Lao động 2019 Điều 112 for
every year: Tết Dương lịch, Tết Nguyên đán by the lunar calendar (five days, plus the
compensatory days off when one falls on a weekend, khoản 3), Giỗ Tổ Hùng Vương (10/3 âm
lịch), 30/4, 1/5, Quốc khánh 2/9 with the day before or after, and the days the
Government moves ("Day off (substituted from MM/DD/YYYY)": the weekend day named there
becomes a working day, "làm bù"). The config's `communes.holidays` adds what only the
year's announcement says (a longer Tết for officials, an extra closure) and
`communes.working_days` the Saturdays worked; both only ever add days.

`CommuneCalendar` is what `CommuneSettings.holidays` and `.working_days` hold: a
container (`day in calendar`) that asks the library for the year it is asked about.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime

import holidays as holiday_data

from domain.communes import CommuneSettings

COUNTRY = "VN"
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@functools.cache
def _national(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """The year's national days off, and the weekend days worked to make up for them."""
    days = holiday_data.country_holidays(COUNTRY, years=year, language="en_US")
    off = frozenset(days)
    worked = frozenset(
        date(int(found[3]), int(found[1]), int(found[2]))
        for name in days.values()
        for found in [_SUBSTITUTED.search(name)]
        if found
    )
    return off, worked


@dataclass(frozen=True, slots=True)
class CommuneCalendar:
    """Days off (`worked=False`) or compensatory working days (`worked=True`): the
    national ones of every year plus the config's `extra`."""

    extra: frozenset[date] = frozenset()
    worked: bool = False

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if day in self.extra:
            return True
        off, worked = _national(day.year)
        return day in (worked if self.worked else off)


def holidays_calendar(extra: frozenset[date]) -> CommuneCalendar:
    return CommuneCalendar(extra, worked=False)


def working_days_calendar(extra: frozenset[date]) -> CommuneCalendar:
    return CommuneCalendar(extra, worked=True)


def configured(days: object) -> frozenset[date]:
    """The days the config itself lists (a plain set in tests is taken as it is)."""
    if isinstance(days, CommuneCalendar):
        return days.extra
    if isinstance(days, frozenset | set):
        return frozenset(d for d in days if isinstance(d, date))
    return frozenset()


def national_days(year: int) -> list[tuple[date, str]]:
    """The library's days off for a year, with their names (for `danvan config check`)."""
    days = holiday_data.country_holidays(COUNTRY, years=year, language="en_US")
    return sorted(days.items())


def missing_holiday_warnings(communes: tuple[CommuneSettings, ...], now: datetime) -> list[str]:
    """A line per commune whose config lists no holiday in the current (local) year: the
    national days still count, but that year's announced extra days and làm bù are missing."""
    lines = []
    for commune in communes:
        year = now.astimezone(commune.timezone).year
        if not any(day.year == year for day in configured(commune.holidays)):
            lines.append(
                f"commune {commune.code}: communes.holidays lists no day in {year} — the "
                f"national holidays ({COUNTRY}) are counted, but add the year's announced "
                "days off (Tết for officials, compensatory days) and communes.working_days"
            )
    return lines
