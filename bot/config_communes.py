"""The `[[communes]]` tables: a commune's offices, calendar, time limits, routing, digest.

The keys' types, defaults and ranges are `bot/config_schema.py`'s; these are the rules that
span keys: the codes' forms, the VP office (`TRIAGE_OFFICE`) every commune needs, routing
only to the commune's own offices, compensatory working days only on weekends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from bot import config_schema as schema
from bot.config_schema import ConfigError
from bot.public_holidays import holidays_calendar, working_days_calendar
from domain.communes import (
    DEFAULT_DEADLINES,
    TRIAGE_OFFICE,
    CommuneDigestSettings,
    CommuneSettings,
    DeadlineRule,
    OfficeSettings,
)
from domain.records import RecordKind

_COMMUNE_CODE = re.compile(r"^[A-Z]{2,4}$")
_OFFICE_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
_TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def communes(tables: tuple[schema.CommuneTable, ...]) -> tuple[CommuneSettings, ...]:
    """Every commune, checked; at least one, each code once."""
    found = tuple(_commune(c, f"communes[{i}]") for i, c in enumerate(tables))
    if not found:
        raise ConfigError("communes: no commune configured — add a [[communes]] table")
    codes = [c.code for c in found]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            raise ConfigError(f"communes[{i}].code: {code!r} appears twice")
    return found


def _default_place(name: str) -> str:
    """ "xã Cát Giang" → "Cát Giang": the place name written before the date."""
    for prefix in ("xã ", "phường ", "thị trấn ", "đặc khu "):
        if name.casefold().startswith(prefix):
            name = name[len(prefix) :]
            break
    return name.split("(", 1)[0].strip() or name


def _dates(texts: tuple[str, ...], key: str) -> frozenset[date]:
    days = set()
    for i, text in enumerate(texts):
        try:
            days.add(date.fromisoformat(text.strip()))
        except ValueError:
            raise ConfigError(
                f"{key}[{i}]: {text!r} is not a date — write it as YYYY-MM-DD"
            ) from None
    return frozenset(days)


def _office(t: schema.OfficeTable, key: str) -> OfficeSettings:
    code = t.code.strip().upper()
    if not _OFFICE_CODE.match(code):
        raise ConfigError(f"{key}.code: {code!r} — use 2–10 capital letters or digits")
    return OfficeSettings(
        code=code,
        name=t.name.strip(),
        chat_id=t.chat_id.strip() or None,
        chat_channel=t.chat_channel.strip(),
    )


def _deadlines(t: schema.DeadlinesTable) -> dict[RecordKind, DeadlineRule]:
    rules = dict(DEFAULT_DEADLINES)
    for kind in RecordKind:
        given: schema.DeadlineTable | None = getattr(t, kind.value)
        if given is not None:
            changes = {
                f.name: getattr(given, f.name)
                for f in msgspec.structs.fields(given)
                if getattr(given, f.name) is not None
            }
            rules[kind] = replace(rules[kind], **changes)
    return rules


def _routing(t: Mapping[str, Any], key: str, codes: list[str]) -> dict[str, str]:
    routing: dict[str, str] = {}
    for topic, office_code in t.items():
        if not _TOPIC.match(topic):
            raise ConfigError(f"{key}.{topic}: topic ids are lower_snake_case")
        if not isinstance(office_code, str) or office_code.upper() not in codes:
            raise ConfigError(
                f"{key}.{topic}: {office_code!r} is not one of this commune's "
                f"offices ({', '.join(codes)})"
            )
        routing[topic] = office_code.upper()
    return routing


def _admins(identities: tuple[str, ...], key: str) -> tuple[tuple[str, str], ...]:
    admins: list[tuple[str, str]] = []
    for i, identity in enumerate(identities):
        channel, _, external_id = identity.strip().partition(":")
        if not (channel.strip() and external_id.strip()):
            raise ConfigError(
                f"{key}[{i}]: {identity.strip()!r} — write the channel and the user id, "
                'e.g. "telegram:123456789"'
            )
        admins.append((channel.strip(), external_id.strip()))
    return tuple(admins)


def _offices(t: schema.CommuneTable, key: str) -> tuple[OfficeSettings, ...]:
    offices = tuple(_office(o, f"{key}.offices[{i}]") for i, o in enumerate(t.offices))
    if not offices:
        raise ConfigError(f"{key}.offices: a commune needs at least one [[offices]] table")
    codes = [o.code for o in offices]
    for i, office_code in enumerate(codes):
        if office_code in codes[:i]:
            raise ConfigError(f"{key}.offices[{i}].code: {office_code!r} appears twice")
    if TRIAGE_OFFICE not in codes:
        raise ConfigError(
            f'{key}.offices: the office with code "{TRIAGE_OFFICE}" '
            "(Văn phòng HĐND và UBND) is required — it "
            "receives khiếu nại, tố cáo and anything unclear"
        )
    return offices


def _commune(t: schema.CommuneTable, key: str) -> CommuneSettings:
    code = t.code.strip().upper()
    if not _COMMUNE_CODE.match(code):
        raise ConfigError(
            f'{key}.code: {code!r} — the commune\'s short code is 2–4 letters A–Z, e.g. code = "CG"'
        )
    try:
        tz = ZoneInfo(t.timezone.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'{key}.timezone: unknown time zone {t.timezone.strip()!r} — use "Asia/Ho_Chi_Minh"'
        ) from None
    offices = _offices(t, key)
    hamlets = tuple(h.strip() for h in t.hamlets if h.strip())
    if len(set(hamlets)) != len(hamlets):
        raise ConfigError(f"{key}.hamlets: a hamlet is listed twice")
    working_days = _dates(t.working_days, f"{key}.working_days")
    for day in sorted(working_days):
        if day.weekday() < 5:
            raise ConfigError(
                f"{key}.working_days: {day.isoformat()} is a weekday already — list "
                "only the Saturdays or Sundays that are worked to make up for a holiday"
            )
    return CommuneSettings(
        code=code,
        name=t.name.strip(),
        timezone=tz,
        address=t.address.strip(),
        working_hours=t.working_hours.strip(),
        hotline=t.hotline.strip(),
        reception_schedule=t.reception_schedule.strip(),
        website=t.website.strip(),
        hamlets=hamlets,
        offices=offices,
        holidays=holidays_calendar(_dates(t.holidays, f"{key}.holidays")),
        deadlines=_deadlines(t.deadlines),
        routing=_routing(t.routing, f"{key}.routing", [o.code for o in offices]),
        digest=_commune_digest(t.digest, f"{key}.digest", t.name.strip()),
        admins=_admins(t.admins, f"{key}.admins"),
        working_days=working_days_calendar(working_days),
        households=_households(t.households, f"{key}.households", hamlets),
    )


def _commune_digest(t: schema.CommuneDigestTable, key: str, name: str) -> CommuneDigestSettings:
    digest = CommuneDigestSettings(
        place=t.place.strip() or _default_place(name),
        symbol=t.symbol.strip(),
        signer_authority=t.signer_authority.strip(),
        signer_title=t.signer_title.strip(),
        signer_name=t.signer_name.strip(),
        recipients=tuple(r.strip() for r in t.recipients if r.strip()),
        chat_id=t.chat_id.strip() or None,
    )
    if not digest.recipients:
        raise ConfigError(f'{key}.recipients: list at least one recipient, e.g. ["Lưu: VT"]')
    return digest


def _households(table: dict[str, int], key: str, hamlets: tuple[str, ...]) -> dict[str, int]:
    """thôn → households: each a configured thôn, each a positive number."""
    households: dict[str, int] = {}
    for hamlet, count in table.items():
        name = hamlet.strip()
        if name not in hamlets:
            raise ConfigError(f"{key}: {hamlet!r} is not one of the hamlets")
        if count < 1:
            raise ConfigError(f"{key}.{name}: the number of households must be at least 1")
        households[name] = count
    return households
