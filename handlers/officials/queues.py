"""What an official has to do: `/hangdoi` (open records), `/quahan` (late and due soon),
`/xem CODE` (one record's card and its whole history).

A member or head sees their office's records; a leader sees the whole commune.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain import lifecycle
from domain.deadlines import due_within
from domain.records import Official, OfficialRole, Record
from handlers.notify import MEDIA_LOCATION, MEDIA_PHOTOS
from handlers.officials.turn import StaffTurn, named_record
from handlers.text import one_line

SUMMARY_MAX = 60


async def show(turn: StaffTurn, args: str) -> None:
    record, _ = await named_record(turn, args)
    if record is None:
        return
    card = await turn.notifier.card(record, turn.viewer)
    events = await turn.uow.events.list_for(record.id, visible_only=False)
    turn.say(
        "staff_card",
        turn.notifier.card_buttons(record, turn.viewer),
        record_code=record.code,
        card=card,
        events=[{"at": turn.local(e.at), "action": e.action, "note": e.note} for e in events],
    )


async def media(turn: StaffTurn, args: str) -> None:
    """/anh MÃ: the record's photos (an album) and location pin again, in this chat."""
    record, _ = await named_record(turn, args)
    if record is None:
        return
    extra = await turn.notifier.media(record, turn.inbound.channel)
    kept = await turn.uow.attachments.list_for(record.id)
    results = sum(a.role == "result" for a in kept)
    location = (record.latitude, record.longitude) if MEDIA_LOCATION in extra else None
    turn.say(
        "staff_media",
        record_code=record.code,
        extra=extra,
        code=record.code,
        photos=len(kept),
        results=results,
        shown=MEDIA_PHOTOS in extra,
        location=location,
    )


def _scope(turn: StaffTurn) -> str | None:
    return scope_of(turn.official)


def scope_of(official: Official | None) -> str | None:
    """The office whose records an official sees (None: the whole commune, for leaders);
    the chat's queues and the web console's both ask this."""
    if official is None or official.role is OfficialRole.LEADER:
        return None
    return official.office_code


async def queue(turn: StaffTurn, args: str) -> None:
    page = int(args) if args.isdigit() and int(args) > 0 else 1
    size = turn.settings.bot.queue_page_size
    office = _scope(turn)
    total = await turn.uow.records.count_open(turn.commune.code, office, lifecycle.OPEN)
    open_records = await turn.uow.records.list_open(
        turn.commune.code, office, lifecycle.OPEN, size, (page - 1) * size
    )
    turn.say(
        "staff_queue",
        items=[_item(turn, r) for r in open_records],
        page=page,
        pages=max(1, -(-total // size)),
        total=total,
        office_name=turn.office_name(office),
    )


async def overdue(turn: StaffTurn, _args: str) -> None:
    days = turn.settings.bot.reminder_days
    horizon = turn.now + timedelta(days=days + 1)
    open_records = await turn.uow.records.list_open(
        turn.commune.code, _scope(turn), lifecycle.OPEN, 100, due_before=horizon
    )
    tz = turn.commune.timezone
    late = [r for r in open_records if r.due_at < turn.now]
    soon = [r for r in open_records if due_within(r.due_at, turn.now, days, tz)]
    turn.say(
        "staff_overdue",
        late=[_item(turn, r) for r in late],
        soon=[_item(turn, r) for r in soon],
        days=days,
    )


def _item(turn: StaffTurn, record: Record) -> dict[str, Any]:
    return {
        "code": record.code,
        "kind": record.kind.value,
        "status": record.status.value,
        "due": turn.local(record.due_at),
        "overdue": record.due_at < turn.now,
        "office": record.office_code,
        "summary": shorten(record.description, SUMMARY_MAX),
    }


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word boundary with "…"."""
    line = one_line(text)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"
