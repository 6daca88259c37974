"""The neutral message model between channels and the conversation core.

A channel adapter (Telegram, Zalo, terminal) turns whatever its platform delivers into an
`Inbound` and hands it to `handlers.dispatcher.Dispatcher.handle`. The core answers with
`Reply` objects, which it has already written to the durable outbox in the same transaction
as the state change that caused them; a channel's sender delivers outbox rows.

Text in a `Reply` is Telegram-flavoured HTML (the subset Telegram accepts: b, i, u, s, a,
code, pre, blockquote), produced by autoescaped jinja2 templates. Channels without HTML
strip the tags and unescape the entities (`plain_text`).

Button data is short ASCII (Telegram allows at most 64 bytes of callback data).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import IntEnum

MAX_BUTTON_DATA_BYTES = 64
# Attachment kinds that are recordings: accepted and attached, with a request to type a
# short description (nobody at the office has to listen before knowing what it is about).
CLIP_KINDS = ("voice", "video")
# The button data a channel sends to show the person's current step again (the terminal on
# start-up, a channel after a restart); `handlers.turn` treats it as a global action.
RESUME = "m:resume"


class Priority(IntEnum):
    """Outbox priority: lower sends first; a broadcast never delays a reply."""

    INTERACTIVE = 0
    NOTIFICATION = 1
    BROADCAST = 2


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float

    @property
    def is_valid(self) -> bool:
        """A point on the globe (no NaN, no infinity: the JSON column refuses them)."""
        return (
            math.isfinite(self.latitude)
            and math.isfinite(self.longitude)
            and -90.0 <= self.latitude <= 90.0
            and -180.0 <= self.longitude <= 180.0
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the citizen sent, kept as the channel's reference (e.g. a Telegram file id)."""

    kind: str  # "photo", "document", or a clip: "voice" (a voice message) or "video"
    ref: str
    size: int | None = None
    mime_type: str | None = None
    duration: int | None = None  # seconds, for a clip

    @property
    def is_valid(self) -> bool:
        """A reference storage can keep and the channel can fetch: short, printable text
        that encodes (a lone surrogate does not)."""
        return (
            0 < len(self.ref) <= MAX_ATTACHMENT_REF
            and self.ref.isprintable()
            and _encodes(self.ref)
            and (self.mime_type is None or _encodes(self.mime_type))
        )


MAX_ATTACHMENT_REF = 512  # Telegram's file ids are under 100 characters


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Inbound:
    """One thing a person did in a channel: a message, a command, a button press."""

    channel: str
    update_id: str
    user_id: str
    chat_id: str
    received_at: datetime
    text: str | None = None
    button: str | None = None
    attachments: tuple[Attachment, ...] = ()
    location: Location | None = None
    contact_phone: str | None = None
    # A name the person offered through the channel's own form (Zalo OA's «request user
    # info»), as a shared contact offers the phone: raw, validated by the step that takes it.
    contact_name: str | None = None
    is_group: bool = False
    # The commune the channel was opened for (terminal --commune, a deep link, a per-commune
    # bot). None lets the core use the citizen's saved commune or ask.
    commune_hint: str | None = None
    # The id of the bot's message this one replies to, if any (officials reply to notifications).
    reply_to_message: str | None = None
    # A local channel one person runs on their own machine (the terminal): piped scripts
    # are not a flood, and no message limit applies.
    local: bool = False
    # The id of the bot's message whose button was pressed, where the channel tells it (its
    # buttons can then be removed once they no longer apply).
    pressed_message: str | None = None

    @property
    def offers_contact(self) -> bool:
        """The person offered a phone or a name through the channel's own form."""
        return self.contact_phone is not None or self.contact_name is not None

    def well_formed(self) -> Inbound:
        """This inbound without a location or attachment no channel can mean (a NaN
        coordinate, a file id with a lone surrogate): the core sees the rest, and answers
        "not supported" if nothing is left."""
        location = self.location if self.location is None or self.location.is_valid else None
        attachments = tuple(a for a in self.attachments if a.is_valid)
        if location is self.location and len(attachments) == len(self.attachments):
            return self
        return replace(self, location=location, attachments=attachments)


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    data: str

    def __post_init__(self) -> None:
        if not self.data or len(self.data.encode("ascii")) > MAX_BUTTON_DATA_BYTES:
            raise ValueError(f"button data must be 1-{MAX_BUTTON_DATA_BYTES} ASCII bytes")


@dataclass(frozen=True, slots=True)
class Reply:
    """A message to send. `rows` are rows of inline buttons."""

    channel: str
    chat_id: str
    text: str
    rows: tuple[tuple[Button, ...], ...] = ()
    priority: Priority = Priority.INTERACTIVE
    # Ask the channel to offer its native "share location" control, if it has one.
    request_location: bool = False
    # Ask the channel to offer its native "share phone number" control, if it has one.
    request_contact: bool = False
    # Take away a keyboard of the channel's own left from an earlier step (the native
    # location/contact keyboard), where the channel has one; the core sets it once a step
    # that showed one is over.
    remove_keyboard: bool = False
    # Links the message to a record so replies to it can be tied back (officials' side).
    record_code: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def buttons(self) -> tuple[Button, ...]:
        return tuple(b for row in self.rows for b in row)

    def file_only(self, extra: dict[str, str]) -> Reply:
        """A text-less message to the same chat carrying only `extra` (one file, an
        album, a location), at this reply's priority and for its record."""
        return Reply(
            channel=self.channel,
            chat_id=self.chat_id,
            text="",
            priority=self.priority,
            record_code=self.record_code,
            extra=extra,
        )


_TAG = re.compile(r"<[^>]+>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def plain_text(html_text: str) -> str:
    """Telegram HTML to plain text, for channels that show no markup."""
    return html.unescape(_TAG.sub("", _BR.sub("\n", html_text)))


def reply_to_payload(reply: Reply) -> dict[str, object]:
    """The JSON-able form of a reply, as the outbox keeps it."""
    return {
        "text": reply.text,
        "rows": [[{"label": b.label, "data": b.data} for b in row] for row in reply.rows],
        "request_location": reply.request_location,
        "request_contact": reply.request_contact,
        "remove_keyboard": reply.remove_keyboard,
        "record_code": reply.record_code,
        "extra": dict(reply.extra),
    }


def reply_from_payload(
    channel: str, chat_id: str, priority: int, payload: dict[str, object]
) -> Reply:
    rows = payload.get("rows") or []
    extra = payload.get("extra") or {}
    if not isinstance(rows, list) or not isinstance(extra, dict):
        raise ValueError("malformed outbox payload")
    record_code = payload.get("record_code")
    return Reply(
        channel=channel,
        chat_id=chat_id,
        text=str(payload["text"]),
        rows=tuple(tuple(Button(str(b["label"]), str(b["data"])) for b in row) for row in rows),
        priority=Priority(priority),
        request_location=bool(payload.get("request_location")),
        request_contact=bool(payload.get("request_contact")),
        remove_keyboard=bool(payload.get("remove_keyboard")),
        record_code=str(record_code) if record_code else None,
        extra={str(k): str(v) for k, v in extra.items()},
    )


# The files a reply may name in `extra` (the digest's chart and report): each is sent after
# the reply's text as a part of its own.
FILE_KINDS = ("photo", "document")


def file_parts(reply: Reply) -> list[Reply]:
    """One text-less reply per file `reply` names in `extra`, in `FILE_KINDS` order."""
    return [
        reply.file_only({kind: reply.extra[kind]}) for kind in FILE_KINDS if reply.extra.get(kind)
    ]
