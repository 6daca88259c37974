"""The queue `/console/`: the records an official may see, filtered, sorted and paged, with
the counts per status of the same selection on top.

The scope is the chat's (`handlers.officials.queues.scope_of`): a member or head sees
their office's records, a leader the whole commune (and may pick an office); an
administrator works no records (`domain.permissions`). A filter that does not parse (a
date like "31/02") is dropped and said so; nothing is refused for a bad query string.
`parse` is shared with the export (`bot.web.export`), so the file holds what the page lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from bot.web.desk import Desk
from domain import lifecycle
from domain.records import OfficialRole, Record, RecordKind, RecordStatus
from handlers.officials.queues import SUMMARY_MAX, scope_of, shorten
from storage.repos.console import SORTS, QueueFilter

PAGE_SIZE = 25
OPEN = "open"  # the status filter's default: every open status
ALL = "all"
FIELDS = ("office", "status", "kind", "hamlet", "due", "from", "to", "q", "sort")


@dataclass(frozen=True, slots=True)
class Query:
    """The queue's filter as the official chose it (the form's values, cleaned)."""

    wanted: QueueFilter
    values: dict[str, str]
    sort: str
    page: int
    problems: list[str] = field(default_factory=list)

    def link(self, **changes: Any) -> str:
        """The query string of this selection with `changes` (e.g. another page)."""
        values = {**self.values, "page": str(self.page), **{k: str(v) for k, v in changes.items()}}
        kept = {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}
        return "?" + urlencode(kept)


def works_records(desk: Desk) -> bool:
    return desk.official.role is not OfficialRole.ADMIN


def parse(desk: Desk, params: QueryParams, reminder_days: int) -> Query:
    """The filter from the query string, within what `desk`'s official may see."""
    values = {name: params.get(name, "").strip()[:80] for name in FIELDS}
    problems: list[str] = []
    tz = desk.commune.timezone
    office = scope_of(desk.official)
    if office is None and desk.commune.office(values["office"].upper()) is not None:
        office = values["office"].upper()
    values["office"] = office or ""
    status = values["status"] or OPEN
    statuses: tuple[RecordStatus, ...]
    if status == OPEN:
        statuses = lifecycle.OPEN
    elif status in RecordStatus.__members__.values():
        statuses = (RecordStatus(status),)
    else:
        status, statuses = ALL, ()
    values["status"] = status
    kind = RecordKind(values["kind"]) if values["kind"] in set(RecordKind) else None
    values["kind"] = kind.value if kind else ""
    hamlet = values["hamlet"] if values["hamlet"] in desk.commune.hamlets else ""
    values["hamlet"] = hamlet
    due_before = due_after = None
    if values["due"] == "overdue":
        due_before = desk.now
    elif values["due"] == "soon":
        last = desk.now.astimezone(tz).date() + timedelta(days=reminder_days + 1)
        due_after, due_before = desk.now, datetime.combine(last, time(), tz)
    else:
        values["due"] = ""
    filed_from = _day(values, "from", problems)
    filed_until = _day(values, "to", problems)
    sort = values["sort"] if values["sort"] in SORTS else "due"
    values["sort"] = sort
    text = values["q"][:80]
    page_text = params.get("page", "1")
    page = int(page_text) if page_text.isascii() and page_text.isdigit() else 1
    wanted = QueueFilter(
        commune_code=desk.commune.code,
        office_code=office,
        statuses=statuses,
        kind=kind,
        hamlet=hamlet or None,
        due_before=due_before,
        due_after=due_after,
        open_statuses=lifecycle.OPEN,
        filed_from=datetime.combine(filed_from, time(), tz) if filed_from else None,
        filed_until=(
            datetime.combine(filed_until + timedelta(days=1), time(), tz) if filed_until else None
        ),
        text=text or None,
    )
    return Query(wanted, values, sort, max(1, min(page, 100_000)), problems)


def _day(values: dict[str, str], name: str, problems: list[str]) -> date | None:
    raw = values[name]
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(name)
        values[name] = ""
        return None


def row(desk: Desk, record: Record) -> dict[str, Any]:
    office = desk.commune.office(record.office_code)
    return {
        "code": record.code,
        "kind": record.kind.value,
        "status": record.status.value,
        "office": office.name if office else record.office_code,
        "hamlet": record.hamlet or "",
        "created": record.created_at,
        "due": record.due_at,
        "overdue": record.due_at < desk.now and record.status in lifecycle.OPEN,
        "summary": shorten(record.description, SUMMARY_MAX * 2),
    }
