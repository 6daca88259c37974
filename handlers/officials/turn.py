"""What one official's update sees: `StaffTurn`, and the record a command names."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain import tracking_code
from domain.communes import CommuneSettings
from domain.messages import Button, Inbound, Priority, Reply
from domain.permissions import GROUP, Actor, Perm, allowed
from domain.records import Official, Pending, Record
from domain.settings import CoreSettings
from handlers.notify import Notifier
from handlers.render import Renderer
from storage import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(slots=True)
class StaffTurn:
    """One update on the officials' side: who sent it, and what goes out.

    The first six fields (`inbound`, `now`, `uow`, `settings`, `commune`, `renderer`) and
    `say` carry the same names as the citizens' `handlers.turn.Turn`, so that both can
    extend one `BaseTurn` once it exists; `say` takes ready `Button`s (record buttons carry
    their own data, not a step nonce) and the record a message is about.
    Messages to other chats go through `notifier` (its `out` list).
    """

    inbound: Inbound
    now: datetime
    uow: UnitOfWork
    settings: CoreSettings
    commune: CommuneSettings
    renderer: Renderer
    official: Official | None
    pending: Pending | None
    replies: list[Reply] = field(default_factory=list)
    notifier: Notifier = field(init=False)

    def __post_init__(self) -> None:
        self.notifier = Notifier(self.uow, self.renderer, self.commune, self.now)

    @property
    def active(self) -> bool:
        return self.official is not None and self.official.active

    @property
    def actor(self) -> Actor:
        return Actor.for_official(self.official) if self.official else GROUP

    @property
    def viewer(self) -> Actor:
        """Whose eyes a message in this chat is for: everyone's, in a group."""
        return GROUP if self.inbound.is_group else self.actor

    def say(
        self,
        template: str,
        /,
        rows: Sequence[Sequence[Button]] = (),
        record_code: str | None = None,
        **ctx: Any,
    ) -> None:
        ctx.setdefault("commune", self.commune)
        self.replies.append(
            Reply(
                channel=self.inbound.channel,
                chat_id=self.inbound.chat_id,
                text=self.renderer.render(template, **ctx),
                rows=tuple(tuple(r) for r in rows),
                priority=Priority.INTERACTIVE,
                record_code=record_code,
            )
        )

    def say_not_official(self, *, admin: bool = False) -> None:
        """The answer to someone who may not do this: not an official, or revoked."""
        if admin:
            self.say("official_only", revoked=False, admin=True)
        else:
            self.say("official_only", revoked=self.official is not None)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.commune.timezone)

    def office_name(self, office_code: str | None) -> str | None:
        office = self.commune.office(office_code) if office_code else None
        return office.name if office else None


def command_name(text: str) -> tuple[str, str]:
    """`/traloi@bot CODE nội dung` → ("traloi", "CODE nội dung")."""
    head, _, args = text[1:].partition(" ")
    return head.split("@", 1)[0].casefold(), args.strip()


async def named_record(turn: StaffTurn, args: str) -> tuple[Record | None, str]:
    """The record a command names first, and the rest of the line."""
    code_text, _, rest = args.partition(" ")
    if not code_text:
        turn.say("staff_usage")
        return None, ""
    try:
        parsed = tracking_code.parse_code(code_text)
    except tracking_code.InvalidCode:
        example = tracking_code.make_code(turn.commune.code, turn.local(turn.now), "7KQ3X")
        turn.say("lookup_invalid", text=code_text[:40], example_code=example)
        return None, ""
    record = await turn.uow.records.get_by_code(parsed.code)
    if record is not None and not allowed(turn.actor, record, Perm.VIEW):
        log.warning(
            "official %s refused access to %s",
            turn.official.id if turn.official else None,
            record.code,
        )
        record = None
    if record is None:
        # Same answer for "no such record" and "not yours": nothing leaks.
        turn.say("lookup_not_found", code=parsed.code)
        return None, ""
    return record, rest.strip()
