"""Legal time limits: the due time of a record from its kind and the commune's calendar.

A limit of N days "kể từ ngày nhận" ends at the end of the Nth day after the day of
receipt, in the commune's local time (Asia/Ho_Chi_Minh). Working days skip Saturdays,
Sundays and the public holidays listed in the commune's configuration; a weekend day the
Government makes a compensatory working day (`communes.working_days`, "làm bù") counts.

A limit in calendar days whose last day is a weekend day or a holiday ends at the end of
the next working day: Bộ luật Dân sự 2015 (91/2015/QH13), Điều 148 khoản 5 — "Khi ngày
cuối cùng của thời hạn là ngày nghỉ cuối tuần hoặc ngày nghỉ lễ thì thời hạn kết thúc tại
thời điểm kết thúc ngày làm việc tiếp theo ngày nghỉ đó" (Điều 156 khoản 1 of the Code
applies its counting rules to time limits set by other laws, the Luật Khiếu nại's and the
Luật Tố cáo's included). A limit in working days already ends on a working day.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.communes import CommuneSettings
from domain.records import Record, RecordKind, Stage

_END_OF_DAY = time(23, 59, 59)


def is_working_day(day: date, holidays: Container[date], working: Container[date] = ()) -> bool:
    """Monday to Friday, or a configured compensatory working Saturday/Sunday; never a
    holiday."""
    return (day.weekday() < 5 or day in working) and day not in holidays


def add_days(
    start: date,
    days: int,
    *,
    working_days: bool,
    holidays: Container[date],
    working: Container[date] = (),
) -> date:
    """The day on which a limit of `days` days counted from `start` runs out."""
    if days < 0:
        raise ValueError("days must not be negative")
    if not working_days:
        day = start + timedelta(days=days)
        # BLDS 2015 Điều 148 khoản 5: a last day that is a weekend day or a holiday moves
        # to the next working day. (A limit of 0 days is "today", left as it is.)
        while days and not is_working_day(day, holidays, working):
            day += timedelta(days=1)
        return day
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, holidays, working):
            remaining -= 1
    return day


def due_at(
    received: datetime,
    days: int,
    *,
    working_days: bool,
    holidays: Container[date],
    tz: ZoneInfo,
    working: Container[date] = (),
) -> datetime:
    """The last moment (local 23:59:59) of a limit counted from `received`."""
    local_day = received.astimezone(tz).date()
    last_day = add_days(
        local_day, days, working_days=working_days, holidays=holidays, working=working
    )
    return datetime.combine(last_day, _END_OF_DAY, tzinfo=tz)


def _commune_due_at(
    commune: CommuneSettings, start: datetime, days: int, working_days: bool
) -> datetime:
    """`due_at` on the commune's calendar (its holidays, compensatory days, time zone)."""
    return due_at(
        start,
        days,
        working_days=working_days,
        holidays=commune.holidays,
        tz=commune.timezone,
        working=commune.working_days,
    )


def record_due_at(commune: CommuneSettings, kind: RecordKind, received: datetime) -> datetime:
    rule = commune.deadlines[kind]
    return _commune_due_at(commune, received, rule.days, rule.working_days)


# --- stages and extensions (DOMAIN.md §1) ------------------------------------------------


def resolve_due_at(
    commune: CommuneSettings, kind: RecordKind, accepted: datetime
) -> datetime | None:
    """The resolution limit counted from thụ lý, or None when the kind has no such stage."""
    rule = commune.deadlines[kind]
    if not rule.resolve_days:
        return None
    return _commune_due_at(commune, accepted, rule.resolve_days, rule.resolve_working_days)


class ExtensionRefused(Exception):
    """No (more) extensions for this kind of record."""


def extended_due_at(
    commune: CommuneSettings, kind: RecordKind, stage_start: datetime, extensions_so_far: int
) -> datetime:
    """The due time after one more extension, counted from the start of the stage.

    Luật Khiếu nại 2011, Điều 28: a khiếu nại is resolved within 30 days of thụ lý, 45 for a
    complex case; Luật Tố cáo 2018, Điều 30: 30 days, extended by 30 days up to twice. So the
    extended limit is the stage's own limit plus the extensions, counted from thụ lý
    (`stage_start`) — never from a due day a holiday had already moved — and only then is
    the last day moved to a working day (BLDS Điều 148 khoản 5).
    """
    rule = commune.deadlines[kind]
    if not rule.extension_days or extensions_so_far >= rule.max_extensions:
        raise ExtensionRefused(kind.value)
    stage_days = rule.resolve_days or rule.days
    working = rule.resolve_working_days if rule.resolve_days else rule.working_days
    total = stage_days + rule.extension_days * (extensions_so_far + 1)
    return _commune_due_at(commune, stage_start, total, working)


def extension_after(
    commune: CommuneSettings, kind: RecordKind, current_due: datetime, extensions_so_far: int
) -> datetime:
    """One extension counted on from the current due day: for a limit a reopening restarted
    (its start is not thụ lý), where the count from thụ lý would end before it."""
    rule = commune.deadlines[kind]
    if not rule.extension_days or extensions_so_far >= rule.max_extensions:
        raise ExtensionRefused(kind.value)
    working = rule.resolve_working_days if rule.resolve_days else rule.working_days
    return _commune_due_at(commune, current_due, rule.extension_days, working)


def can_extend(commune: CommuneSettings, record: Record) -> bool:
    """Extensions apply to the resolution stage (or the only stage, for kinds without one)."""
    rule = commune.deadlines[record.kind]
    in_stage = record.stage is Stage.RESOLVE or not rule.resolve_days
    return in_stage and bool(rule.extension_days) and record.extensions < rule.max_extensions


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def due_within(due: datetime, now: datetime, days: int, tz: ZoneInfo) -> bool:
    """Not yet overdue, and due on or before the `days`-th calendar day from today."""
    return now <= due and local_day(due, tz) <= local_day(now, tz) + timedelta(days=days)
