"""A commune as the core sees it: its offices, calendar, time limits and routing.

These are the settings types the loader (`bot.config`) fills from TOML, plus the legal
defaults they start from. Pure data: nothing here reads a file or the environment.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from domain.records import RecordKind

# The Văn phòng HĐND và UBND: it receives what no topic routes elsewhere, signs the digest,
# and every commune must configure it.
TRIAGE_OFFICE = "VP"


@dataclass(frozen=True, slots=True)
class OfficeSettings:
    code: str
    name: str
    chat_id: str | None = None
    # The channel the office's chat lives in (its notifications are sent there).
    chat_channel: str = "telegram"


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """The intake limit (xử lý đơn / thụ lý), the resolution limit after thụ lý, extensions."""

    days: int
    working_days: bool
    resolve_days: int = 0  # 0: no separate resolution stage (phản ánh, kiến nghị)
    resolve_working_days: bool = False
    extension_days: int = 0  # how long one extension is; 0: no extensions
    max_extensions: int = 0


@dataclass(frozen=True, slots=True)
class CommuneDigestSettings:
    """How the commune's weekly report is signed and addressed (Nghị định 30/2020/NĐ-CP)."""

    place: str
    symbol: str
    signer_authority: str
    signer_title: str
    signer_name: str
    recipients: tuple[str, ...]
    chat_id: str | None


DEFAULT_RECIPIENTS = (
    "Thường trực Đảng ủy xã",
    "Thường trực HĐND xã",
    "Chủ tịch, các Phó Chủ tịch UBND xã",
    "Lưu: VT, VP",
)


@dataclass(frozen=True, slots=True)
class CommuneSettings:
    code: str
    name: str
    timezone: ZoneInfo
    address: str
    working_hours: str
    hotline: str
    reception_schedule: str
    website: str
    hamlets: tuple[str, ...]
    offices: tuple[OfficeSettings, ...]
    # Days off and "làm bù" days: any container of dates (bot.public_holidays gives
    # the national calendar of every year merged with the config's own days).
    holidays: Container[date]
    deadlines: Mapping[RecordKind, DeadlineRule]
    routing: Mapping[str, str]
    digest: CommuneDigestSettings = field(
        default_factory=lambda: CommuneDigestSettings(
            "", "BC-UBND", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "", DEFAULT_RECIPIENTS, None
        )
    )
    # Bootstrap administrators as (channel, external id); they manage officials.
    admins: tuple[tuple[str, str], ...] = ()
    # Compensatory working days ("làm bù"): weekend dates that count as working days.
    working_days: Container[date] = frozenset()
    # Households per thôn (config), for household votes (domain/polls.py); may be empty.
    households: Mapping[str, int] = field(default_factory=dict)

    def office(self, code: str) -> OfficeSettings | None:
        return next((o for o in self.offices if o.code == code), None)

    @property
    def digest_chat_id(self) -> str | None:
        """The Văn phòng's chat for the weekly digest: its own setting, else VP's chat."""
        office = self.office(TRIAGE_OFFICE)
        return self.digest.chat_id or (office.chat_id if office else None)


# Legal defaults (DOMAIN.md §1): the first time limit that runs for each kind of record.
# phản ánh / kiến nghị: xử lý đơn within 10 days; khiếu nại: thụ lý within 10 days
# (Luật Khiếu nại Điều 27); tố cáo: intake within 7 working days (Luật Tố cáo Điều 24).
# After thụ lý: khiếu nại resolved within 30 days, 45 if complex (Điều 28: one extension of
# 15 days); tố cáo within 30 days, complex cases extended by 30 days up to twice (Điều 30).
DEFAULT_DEADLINES: Mapping[RecordKind, DeadlineRule] = {
    RecordKind.PHAN_ANH: DeadlineRule(days=10, working_days=False),
    RecordKind.KIEN_NGHI: DeadlineRule(days=10, working_days=False),
    RecordKind.KHIEU_NAI: DeadlineRule(
        days=10, working_days=False, resolve_days=30, extension_days=15, max_extensions=1
    ),
    RecordKind.TO_CAO: DeadlineRule(
        days=7, working_days=True, resolve_days=30, extension_days=30, max_extensions=2
    ),
}
