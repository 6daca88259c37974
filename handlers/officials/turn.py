"""What one official's update sees: `StaffTurn` (a `handlers.turn.BaseTurn`), the text step
its conversation may wait for, and the record a command names."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain import tracking_code
from domain.lifecycle import Action
from domain.messages import Button, Priority, Reply
from domain.permissions import GROUP, Actor, Perm, allowed
from domain.records import OFFICIAL_IDLE, OFFICIAL_TEXT, Official, Record
from handlers.notify import EDIT_BUTTONS, Notifier
from handlers.turn import BaseTurn

log = logging.getLogger(__name__)

# The key, in a waiting step's data, of the photos of the result an official sent with it.
RESULT_PHOTOS = "photos"
RESULT_PHOTOS_MAX = 10
# The key, in a waiting step's data, of the card message whose button started the step.
PRESSED_CARD = "card"


@dataclass(frozen=True, slots=True)
class TextStep:
    """The record step an official's conversation waits to have typed (`OFFICIAL_TEXT`)."""

    record_id: int
    action: Action
    chat_id: str  # where it was asked: in a group, only a reply there answers it
    version: int | None  # the record's version then (None: carried over from before 006)

    def data(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "action": self.action.value,
            "chat_id": self.chat_id,
            "version": self.version,
        }

    @classmethod
    def of(cls, state: str, data: Mapping[str, Any]) -> TextStep | None:
        if state != OFFICIAL_TEXT:
            return None
        return cls(int(data["record_id"]), Action(data["action"]), data["chat_id"], data["version"])


@dataclass(slots=True, kw_only=True)
class StaffTurn(BaseTurn[Button]):
    """One update on the officials' side: who sent it, where their conversation is, and
    what goes out.

    `say` takes ready `Button`s (record buttons carry their own data: the record's version,
    which is the stale rule for a card that a whole group sees) and the record a message is
    about. The official's own conversation (`state`, `data`, `nonce`) is kept like a
    citizen's (`handlers.conversations.save`, by the dispatcher): at rest, or waiting for
    the text of a record step (`wait_for_text`, `end_step`, `pending`).
    Messages to other chats go through `notifier` (its `out` list).
    """

    official: Official | None
    state: str = OFFICIAL_IDLE
    data: dict[str, Any] = field(default_factory=dict)
    nonce: int = 0
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

    # --- the official's conversation ---------------------------------------------------

    @property
    def pending(self) -> TextStep | None:
        """The step waiting for this (active) official's text, if any."""
        return TextStep.of(self.state, self.data) if self.active else None

    def wait_for_text(self, step: TextStep) -> None:
        """Wait for the official's text for `step` (replacing a step that waited)."""
        self._move(OFFICIAL_TEXT, step.data())

    def keep_result_photos(self, refs: Sequence[str]) -> None:
        """Photos of the result sent while a step waits for its text: kept in the step
        until the text comes, then sent to the citizen after the answer."""
        kept = [*self.result_photos(), *refs]
        self._move(self.state, {**self.data, RESULT_PHOTOS: kept[:RESULT_PHOTOS_MAX]})

    def remember_card(self) -> None:
        """Keep, in the waiting step, the card whose button started it."""
        if self.inbound.pressed_message:
            self.data[PRESSED_CARD] = self.inbound.pressed_message

    def remove_card_buttons(self) -> None:
        """Remove the buttons of the card pressed for this step (this press's, or the one
        the waiting step kept): the step's confirmation carries the buttons that apply now,
        so old copies do not pile up with buttons that no longer do. An outbox row too."""
        card = self.inbound.pressed_message or self.data.get(PRESSED_CARD)
        pending = self.pending
        chat_id = pending.chat_id if pending and not self.inbound.pressed_message else None
        if card:
            self.notifier.out.append(
                Reply(
                    channel=self.inbound.channel,
                    chat_id=chat_id or self.inbound.chat_id,
                    text="",
                    priority=Priority.INTERACTIVE,
                    extra={EDIT_BUTTONS: str(card)},
                )
            )

    def result_photos(self) -> list[str]:
        return [str(ref) for ref in self.data.get(RESULT_PHOTOS, [])]

    def end_step(self) -> None:
        """Back at rest (nothing to do if nothing waited)."""
        if self.state != OFFICIAL_IDLE:
            self._move(OFFICIAL_IDLE, {})

    def _move(self, state: str, data: dict[str, Any]) -> None:
        self.state, self.data = state, data
        self.nonce += 1  # as a citizen's: a button of the older step is stale

    # --- speaking ----------------------------------------------------------------------

    def say(
        self,
        template: str,
        rows: Sequence[Sequence[Button]] = (),
        /,
        *,
        record_code: str | None = None,
        extra: Mapping[str, str] | None = None,
        **context: Any,
    ) -> None:
        self.say_html(self.render(template, **context), rows, record_code=record_code, extra=extra)

    def say_html(
        self,
        text: str,
        rows: Sequence[Sequence[Button]] = (),
        /,
        *,
        record_code: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        """A message in this chat; `extra` names media to send after it (`Notifier.media`)."""
        self.replies.append(
            Reply(
                channel=self.inbound.channel,
                chat_id=self.inbound.chat_id,
                text=text,
                rows=tuple(tuple(r) for r in rows),
                priority=Priority.INTERACTIVE,
                record_code=record_code,
                extra=dict(extra or {}),
            )
        )

    def say_not_official(self, *, admin: bool = False) -> None:
        """The answer to someone who may not do this: not an official, or revoked."""
        if admin:
            self.say("official_only", revoked=False, admin=True)
        else:
            self.say("official_only", revoked=self.official is not None)

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
        turn.say("lookup_invalid", text=code_text[:40], example_code=turn.example_code())
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
