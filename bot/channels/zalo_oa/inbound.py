"""OA events in: each `user_*` event the core may see becomes one neutral `Inbound`.

A button tap (`oa.query.hide`) arrives as `user_send_text` whose text is the button's
payload; danvan's payloads carry `BUTTON_PREFIX`, so a citizen who types such a text just
presses a button of their own conversation. `user_click_button`, if it ever arrives, is
read the same way. Ids are per-OA strings; times are epoch milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.messages import Attachment, Inbound, Location

CHANNEL = "zalo_oa"
BUTTON_PREFIX = "#dv:"

TEXT_EVENTS = ("user_send_text", "user_click_button", "user_send_link")
MEDIA_KINDS = {
    "user_send_image": "photo",
    "user_send_file": "document",
    "user_send_audio": "document",
    "user_send_video": "document",
}
# Accepted politely; nothing in them for a record (the core asks for typed content).
IGNORED_MEDIA = ("user_send_sticker", "user_send_gif")
USER_EVENTS = (
    *TEXT_EVENTS,
    *MEDIA_KINDS,
    *IGNORED_MEDIA,
    "user_send_location",
    "follow",
    "unfollow",
    "user_submit_info",
)


class MalformedEvent(ValueError):
    """An event whose shape is not what Zalo sends."""


@dataclass(frozen=True, slots=True)
class Event:
    """The parts of a verified event the adapter reads."""

    name: str
    user_id: str
    msg_id: str | None
    at: datetime
    raw: dict[str, Any]

    @property
    def key(self) -> str:
        """The event's identity: Zalo's retries carry the same one."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"{self.name}:{self.user_id}:{int(self.at.timestamp() * 1000)}"


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedEvent(f"{what} is not an object")
    return value


def parse_event(data: Any) -> Event:
    body = _dict(data, "event")
    name = body.get("event_name")
    if not isinstance(name, str) or not name:
        raise MalformedEvent("no event_name")
    try:
        at = datetime.fromtimestamp(int(str(body.get("timestamp"))) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise MalformedEvent("bad timestamp") from None
    who = body.get("follower") if name in ("follow", "unfollow") else None
    who = who or (body.get("recipient") if name.startswith("oa_") else body.get("sender"))
    user_id = str(_dict(who, "sender").get("id") or "")
    if not user_id:
        raise MalformedEvent("no user id")
    message = body.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    return Event(name, user_id, str(msg_id) if msg_id else None, at, body)


def recipient_oa(event: Event) -> str | None:
    """The OA a user event is addressed to (None for follow events, which name it in oa_id)."""
    if event.name in ("follow", "unfollow"):
        return str(event.raw.get("oa_id") or "") or None
    recipient = event.raw.get("recipient")
    return str(recipient.get("id")) if isinstance(recipient, dict) else None


def _attachments(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = message.get("attachments")
    return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []


def _payload(attachment: dict[str, Any]) -> dict[str, Any]:
    payload = attachment.get("payload")
    return payload if isinstance(payload, dict) else {}


def _location(message: dict[str, Any]) -> Location:
    for attachment in _attachments(message):
        coordinates = _payload(attachment).get("coordinates")
        if isinstance(coordinates, dict):
            try:
                lat = float(coordinates["latitude"])
                lon = float(coordinates["longitude"])
            except (KeyError, TypeError, ValueError):
                break
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                return Location(lat, lon)
    raise MalformedEvent("no usable coordinates")


def _media(message: dict[str, Any], kind: str) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for attachment in _attachments(message):
        payload = _payload(attachment)
        url = payload.get("url")
        if isinstance(url, str) and url:
            size = str(payload.get("size") or "")
            found.append(Attachment(kind, url, int(size) if size.isdigit() else None, None))
    return tuple(found)


def _info_field(info: dict[str, Any], key: str) -> str | None:
    value = info.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _make(event: Event, **fields: Any) -> Inbound:
    return Inbound(
        channel=CHANNEL,
        update_id=event.key,
        user_id=event.user_id,
        chat_id=event.user_id,
        received_at=event.at,
        **fields,
    )


def inbound_from_event(event: Event) -> Inbound | None:
    """The neutral form of an event, or None for what the core never sees."""
    message = event.raw.get("message")
    message = message if isinstance(message, dict) else {}
    name = event.name
    if name in TEXT_EVENTS:
        text = message.get("text")
        if not isinstance(text, str):
            raise MalformedEvent("text event without text")
        if text.startswith(BUTTON_PREFIX) and len(text) > len(BUTTON_PREFIX):
            return _make(event, button=text[len(BUTTON_PREFIX) :])
        return _make(event, text=text)
    if name in MEDIA_KINDS:
        caption = message.get("text")
        return _make(
            event,
            text=caption if isinstance(caption, str) and caption.strip() else None,
            attachments=_media(message, MEDIA_KINDS[name]),
        )
    if name in IGNORED_MEDIA:
        return _make(event)
    if name == "user_send_location":
        return _make(event, location=_location(message))
    if name == "follow":
        return _make(event, text="/start")
    if name == "user_submit_info":
        info = event.raw.get("info")
        info = info if isinstance(info, dict) else {}
        phone, given = _info_field(info, "phone"), _info_field(info, "name")
        if phone is None and given is None:
            raise MalformedEvent("submit_info without a phone or a name")
        return _make(event, contact_phone=phone, contact_name=given)
    return None  # unfollow is the adapter's own; oa_* echoes and the rest are not ours
