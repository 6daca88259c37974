"""Messages to other chats than the one being answered: offices, leaders, heads, citizens.

Every message is rendered for the people who will read it, through
`domain.permissions.contact_for`: an office's group chat is read by everyone in it, so a
denouncer's identity never goes there; a leader's or the handler's private chat may carry
it. The messages are `Reply` objects with priority NOTIFICATION and the record's code;
the dispatcher or the job writes them to the outbox in the same transaction as the change.

An office with a chat in config is told there; an office without one is told through each
of its active officials' private chats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain import lifecycle
from domain.communes import CommuneSettings
from domain.deadlines import can_extend
from domain.lifecycle import Action
from domain.messages import Button, Priority, Reply
from domain.permissions import GROUP, Actor, contact_for
from domain.records import Official, OfficialRole, Rating, Record
from handlers.callbacks import RatingButton, RecordButton
from handlers.render import Renderer
from storage import UnitOfWork

# What a follower of someone else's record hears of (not a request for information).
FOLLOWED_EVENTS = ("accepted", "answered", "transferred", "rejected", "closed", "reopened")

# The buttons an office sees on a record card, in this order, when the status allows,
# with their labels' keys in labels.j2 (written out so that a search finds them).
CARD_ACTIONS: Mapping[Action, str] = {
    Action.TAKE: "btn.r_take",
    Action.ASK_INFO: "btn.r_info",
    Action.REPLY: "btn.r_reply",
    Action.TRANSFER: "btn.r_transfer",
    Action.REJECT: "btn.r_reject",
    Action.COMPLETE: "btn.r_done",
    Action.EXTEND: "btn.r_extend",
    Action.ASSIGN: "btn.r_assign",
}
# The keys of a reply's `extra` that name media for the channel's sender to send after the
# text: photos (the channel's file references, one per line) and a location ("lat,lon").
MEDIA_PHOTOS = "photos"
MEDIA_LOCATION = "location"
# A reply's `extra` key asking the channel to remove the buttons of an earlier message of
# the chat (its channel id): a card whose buttons no longer apply.
EDIT_BUTTONS = "remove_buttons_of"
RATING_LABELS = {
    Rating.VERY_SATISFIED: "btn.rate_vs",
    Rating.SATISFIED: "btn.rate_s",
    Rating.UNSATISFIED: "btn.rate_u",
}


@dataclass(slots=True)
class Notifier:
    uow: UnitOfWork
    renderer: Renderer
    commune: CommuneSettings
    now: datetime
    out: list[Reply] = field(default_factory=list)

    # --- rendering ---------------------------------------------------------------------

    async def card(self, record: Record, viewer: Actor) -> dict[str, Any]:
        """What a record card shows to `viewer` (contact masked as the viewer's rights say)."""
        tz = self.commune.timezone
        office = self.commune.office(record.office_code)
        handler = (
            await self.uow.officials.get_by_id(record.handler_id) if record.handler_id else None
        )
        photos = len(await self.uow.attachments.list_for(record.id))
        located = record.latitude is not None and record.longitude is not None
        return {
            "code": record.code,
            "kind": record.kind.value,
            "status": record.status.value,
            "office_name": office.name if office else record.office_code,
            "description": record.description,
            "hamlet": record.hamlet,
            "place": record.place,
            "photos": photos,
            "location": (record.latitude, record.longitude) if located else None,
            "due": record.due_at.astimezone(tz),
            "overdue": record.due_at < self.now,
            "contact": contact_for(viewer, record),
            "handler": handler.display_name if handler else None,
            # Zalo's window kept a message about it from the citizen (call them instead)
            "unreachable": bool(await self.uow.zalo_contacts.unreachable_for(record.code)),
            "publishable": record.publishable,
        }

    def card_buttons(
        self, record: Record, viewer: Actor | None = None
    ) -> tuple[tuple[Button, ...], ...]:
        """Buttons for the steps the status allows (and, for a known viewer, their rights)."""
        buttons = [
            Button(
                self.renderer.label(label_key),
                RecordButton(record.code, action, record.version).pack(),
            )
            for action, label_key in CARD_ACTIONS.items()
            if (action, record.status) in lifecycle.TRANSITIONS
            and (action is not Action.EXTEND or self.can_extend(record))
            and (viewer is None or viewer is GROUP or lifecycle.can(viewer, record, action))
        ]
        return tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))

    async def media(self, record: Record, channel: str) -> dict[str, str]:
        """A reply's `extra` naming the record's photos and location, for a reader in
        `channel`: the photos (the channel's own file references, so only a reader in the
        channel they came from) as `photos`, one per line, and the pin as `location`
        ("lat,lon"). The channel's sender sends them after the text."""
        extra: dict[str, str] = {}
        kept = await self.uow.attachments.list_for(record.id)
        refs = [a.ref for a in kept if (a.channel or record.channel) == channel]
        photos = [ref for ref in refs if ref and "\n" not in ref]
        if photos:
            extra[MEDIA_PHOTOS] = "\n".join(photos)
        if record.latitude is not None and record.longitude is not None:
            extra[MEDIA_LOCATION] = f"{record.latitude},{record.longitude}"
        return extra

    def can_extend(self, record: Record) -> bool:
        return can_extend(self.commune, record)

    def render(self, template: str, **context: Any) -> str:
        context.setdefault("commune", self.commune)
        return self.renderer.render(template, **context)

    # --- recipients --------------------------------------------------------------------

    async def office_readers(self, office_code: str) -> list[tuple[str, str, Actor]]:
        """(channel, chat, viewer) for an office: its group chat, or its officials."""
        office = self.commune.office(office_code)
        if office is not None and office.chat_id:
            return [(office.chat_channel, office.chat_id, GROUP)]
        officials = await self.uow.officials.list_active(self.commune.code, office_code)
        return [
            (o.channel, o.external_id, Actor.for_official(o))
            for o in officials
            if o.role is not OfficialRole.ADMIN  # administrators do no record work
        ]

    async def officials_with_role(
        self, role: OfficialRole, office_code: str | None = None
    ) -> list[Official]:
        return [
            o
            for o in await self.uow.officials.list_active(self.commune.code, office_code)
            if o.role is role
        ]

    def _send(
        self,
        channel: str,
        chat_id: str,
        text: str,
        record: Record,
        rows: Sequence[Sequence[Button]] = (),
        extra: Mapping[str, str] | None = None,
    ) -> None:
        self.out.append(
            Reply(
                channel=channel,
                chat_id=chat_id,
                text=text,
                rows=tuple(tuple(r) for r in rows),
                priority=Priority.NOTIFICATION,
                record_code=record.code,
                extra=dict(extra or {}),
            )
        )

    def send_text(self, channel: str, chat_id: str, text: str, record: Record) -> None:
        """A short line about `record` (no card, no buttons) — one reader's copy."""
        self._send(channel, chat_id, text, record)

    async def to_office(
        self,
        record: Record,
        template: str,
        *,
        buttons: bool = True,
        skip: Iterable[tuple[str, str]] = (),
        media: bool = False,
        **context: Any,
    ) -> None:
        """Tell the record's office (its chat, or each official), with the record card.

        `skip` lists (channel, chat) pairs already told in the turn's own reply; `media`
        sends the record's photos (an album) and location pin after the card.
        """
        skipped = set(skip)
        for channel, chat_id, viewer in await self.office_readers(record.office_code):
            if (channel, chat_id) in skipped:
                continue
            card = await self.card(record, viewer)
            text = self.render(template, card=card, **context)
            rows = self.card_buttons(record, viewer) if buttons else ()
            extra = await self.media(record, channel) if media else None
            self._send(channel, chat_id, text, record, rows, extra)

    async def unreachable(self, record: Record) -> None:
        """The citizen could not be told about `record` on their channel: its office hears
        it, with the phone where the reader may see it, so that someone calls."""
        for channel, chat_id, viewer in await self.office_readers(record.office_code):
            card = await self.card(record, viewer)
            self.send_text(channel, chat_id, self.render("office_unreachable", card=card), record)

    async def to_officials(
        self,
        officials: Iterable[Official],
        record: Record,
        template: str,
        *,
        media: bool = False,
        **context: Any,
    ) -> None:
        """Private messages, each rendered for its reader (a leader sees a denouncer)."""
        for official in officials:
            viewer = Actor.for_official(official)
            card = await self.card(record, viewer)
            text = self.render(template, card=card, **context)
            self._send(
                official.channel,
                official.external_id,
                text,
                record,
                self.card_buttons(record, viewer),
                await self.media(record, official.channel) if media else None,
            )

    async def to_citizen(
        self,
        record: Record,
        template: str,
        rows: Sequence[Sequence[Button]] = (),
        *,
        extra: Mapping[str, str] | None = None,
        **context: Any,
    ) -> bool:
        """Tell the citizen who filed `record`, in their chat; False if there is no one."""
        await self.to_followers(record, str(context.get("event") or ""), context.get("note"))
        if record.citizen_id is None:
            return False
        citizen = await self.uow.citizens.get_by_id(record.citizen_id)
        if citizen is None:
            return False
        office = self.commune.office(record.office_code)
        text = self.render(
            template,
            record=record,
            office_name=office.name if office else record.office_code,
            due=record.due_at.astimezone(self.commune.timezone),
            **context,
        )
        self._send(citizen.channel, citizen.external_id, text, record, rows, extra)
        return True

    async def to_followers(self, record: Record, event: str, note: object = None) -> None:
        """Citizens following the record («theo dõi cùng», flows/filing/duplicate.py) hear
        of its progress: no buttons, no request addressed to the one who filed it."""
        if event not in FOLLOWED_EVENTS:
            return
        for follower in await self.uow.followers.list_for(record.id):
            text = self.render("citizen_follow_update", record=record, event=event, note=note)
            self._send(follower.channel, follower.chat_id, text, record, ())

    def rating_rows(self, record: Record) -> tuple[tuple[Button, ...], ...]:
        return (
            tuple(
                Button(self.renderer.label(label), RatingButton(record.code, rating).pack())
                for rating, label in RATING_LABELS.items()
            ),
        )
