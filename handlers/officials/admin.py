"""Managing officials in chat: `/thamgia` (joining with an invite code), and for
administrators `/moi` (an invite), `/canbo` (the list) and `/thuhoi` (revoking).

`tell_reassign` is shared with `danvan official revoke`: when an official is revoked, the
heads of their office and the leaders hear which open records they handled.
"""

from __future__ import annotations

import logging

from domain import lifecycle
from domain.messages import Priority, Reply
from domain.permissions import may_manage_officials
from domain.records import Official, OfficialRole, Record
from handlers import invites
from handlers.notify import Notifier
from handlers.officials.turn import StaffTurn
from handlers.text import one_line

log = logging.getLogger(__name__)


async def join(turn: StaffTurn, args: str) -> None:
    if turn.inbound.is_group:
        turn.say("staff_join_private")
        return
    code, _, name = args.partition(" ")
    if not code:
        turn.say("staff_join_result", reason="usage")
        return
    try:
        official = await invites.join(
            turn.uow, code, turn.inbound.channel, turn.inbound.user_id, one_line(name), turn.now
        )
    except invites.InviteError as exc:
        log.info("invite refused: %s", exc.reason)
        turn.say("staff_join_result", reason=exc.reason)
        return
    office = turn.commune.office(official.office_code)
    log.info("official %s joined office %s as %s", official.id, official.office_code, official.role)
    turn.say(
        "staff_join_result",
        reason="ok",
        name=official.display_name,
        role=official.role.value,
        office_name=office.name if office else official.office_code,
    )


async def invite(turn: StaffTurn, args: str) -> None:
    if not may_manage_officials(turn.official, turn.commune.code) or turn.official is None:
        turn.say_not_official(admin=True)
        return
    parts = args.split(maxsplit=2)
    try:
        role = OfficialRole(parts[1].lower()) if len(parts) >= 2 else None
    except ValueError:
        role = None
    if role is None:
        turn.say("staff_invite", reason="usage", offices=turn.commune.offices)
        return
    try:
        made = await invites.make_invite(
            turn.uow,
            turn.settings,
            turn.commune,
            parts[0],
            role,
            parts[2] if len(parts) > 2 else None,
            f"official:{turn.official.id}",
            turn.now,
        )
    except invites.InviteError:
        turn.say("staff_invite", reason="unknown_office", offices=turn.commune.offices)
        return
    turn.say(
        "staff_invite",
        reason="ok",
        code=made.code,
        role=made.role.value,
        office_name=turn.office_name(made.office_code),
        expires=turn.local(made.expires_at),
    )


async def list_officials(turn: StaffTurn, _args: str) -> None:
    if not may_manage_officials(turn.official, turn.commune.code):
        turn.say_not_official(admin=True)
        return
    officials = await turn.uow.officials.list_active(turn.commune.code)
    turn.say(
        "staff_officials",
        officials=[
            {
                "id": o.id,
                "name": o.display_name,
                "role": o.role.value,
                "office": turn.office_name(o.office_code),
            }
            for o in officials
        ],
    )


async def revoke(turn: StaffTurn, args: str) -> None:
    if not may_manage_officials(turn.official, turn.commune.code) or turn.official is None:
        turn.say_not_official(admin=True)
        return
    number = args.strip()
    # (ASCII digits only, and a number a database id can be: "²" or 10**30 is no official)
    valid = number.isascii() and number.isdigit() and len(number) <= 18
    target = await turn.uow.officials.get_by_id(int(number)) if valid else None
    if target is not None and target.id == turn.official.id:
        turn.say("staff_revoked", ok=False, self_revoke=True)
        return
    if target is None or target.commune_code != turn.commune.code:
        turn.say("staff_revoked", ok=False)
        return
    ok = await turn.uow.officials.revoke(target.id, turn.now)
    log.info("official %s revoked by %s", target.id, turn.official.id)
    handled = await tell_reassign(turn.notifier, target) if ok else []
    turn.say(
        "staff_revoked",
        ok=ok,
        name=target.display_name,
        handled=[r.code for r in handled],
    )


async def tell_reassign(notifier: Notifier, revoked: Official) -> list[Record]:
    """Tell the heads of a revoked official's office and the leaders which open records
    they handled, so each can be given to someone else (Giao). Codes only: a list is no
    place for a denouncer's identity."""
    handled = await notifier.uow.records.list_handled_by(revoked.id, lifecycle.OPEN)
    if not handled:
        return []
    readers = await _reassigners(notifier, revoked)
    tz = notifier.commune.timezone
    text = notifier.render(
        "official_reassign",
        name=revoked.display_name,
        items=[
            {
                "code": r.code,
                "kind": r.kind.value,
                "office": r.office_code,
                "due": r.due_at.astimezone(tz),
            }
            for r in handled
        ],
    )
    for reader in readers:
        notifier.out.append(
            Reply(
                channel=reader.channel,
                chat_id=reader.external_id,
                text=text,
                priority=Priority.NOTIFICATION,
            )
        )
    if not readers:
        log.warning(
            "official %s revoked with %d open records and no head or leader to tell",
            revoked.id,
            len(handled),
        )
    return handled


async def _reassigners(notifier: Notifier, revoked: Official) -> list[Official]:
    """Who can give a revoked official's records to someone else: the leaders, and the
    heads of the revoked official's office."""
    return [
        o
        for o in await notifier.uow.officials.list_active(notifier.commune.code)
        if o.id != revoked.id
        and (
            o.role is OfficialRole.LEADER
            or (o.role is OfficialRole.HEAD and o.office_code == revoked.office_code)
        )
    ]
