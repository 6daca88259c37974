"""A Zalo Bot update (`{event_name, message}`) as the neutral `Inbound`.

The update is the same from `getUpdates` and from the webhook (which some copies wrap in
`{ok, result}`; both are accepted). Ids are strings; `date` is epoch milliseconds. With no
update id and no offset in this API, the idempotency key is `event_name:message_id`.

Events: `message.text.received` (text; a number from the chat's numbered menu is the
press of that button), `message.image.received` (`photo_url`, or `photo`/`url` as older
copies have it, with an optional caption), `message.sticker.received` and
`message.unsupported.received` (location, files, voice: passed on with nothing in them,
so the core asks politely for text). A number typed where no menu was shown since the
process started (a restart) shows the person's step again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.channels.menus import NumberedMenu
from domain.messages import RESUME, Attachment, Inbound

CHANNEL = "zalo_bot"
TEXT = "message.text.received"
IMAGE = "message.image.received"
EVENTS = frozenset({TEXT, IMAGE, "message.sticker.received", "message.unsupported.received"})
_SHORT_NUMBER = 2  # "1"…"99" can be a menu choice; a phone number is much longer


class BadUpdate(ValueError):
    """Not a Zalo Bot update; the message is for the log (no personal data)."""


def unwrap(body: dict[str, Any]) -> dict[str, Any]:
    if "event_name" not in body and isinstance(body.get("result"), dict):
        return body["result"]  # type: ignore[no-any-return]
    return body


def _string(value: Any, what: str) -> str:
    if isinstance(value, str) and value.strip():
        return value
    raise BadUpdate(f"{what} is not a string id")


def chat_of(update: dict[str, Any]) -> tuple[str, bool]:
    """The chat id and whether it is a group; raises BadUpdate."""
    message = update.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("chat"), dict):
        raise BadUpdate("no message.chat")
    chat = message["chat"]
    return _string(chat.get("id"), "message.chat.id"), chat.get("chat_type") == "GROUP"


def inbound_from_update(
    update: dict[str, Any], received_at: datetime, menu: NumberedMenu
) -> Inbound | None:
    """The `Inbound`, or None for an event this channel does not take (a bot's own
    message); raises `BadUpdate` for something that is not an update at all."""
    event = update.get("event_name")
    if not isinstance(event, str):
        raise BadUpdate("no event_name")
    message = update.get("message")
    if not isinstance(message, dict):
        raise BadUpdate("no message object")
    message_id = _string(message.get("message_id"), "message.message_id")
    chat_id, is_group = chat_of(update)
    sender = message.get("from")
    user_id = _string(sender.get("id"), "message.from.id") if isinstance(sender, dict) else chat_id
    if isinstance(sender, dict) and sender.get("is_bot") is True:
        return None
    base = Inbound(
        channel=CHANNEL,
        update_id=f"{event}:{message_id}",
        user_id=user_id,
        chat_id=chat_id,
        received_at=received_at,
        is_group=is_group,
    )
    text = message.get("text")
    text = text if isinstance(text, str) else None
    if event == TEXT and text is not None:
        picked = menu.pick(text)
        if picked is not None:
            return _with(base, button=picked.data)
        stripped = text.strip()
        if stripped.isdigit() and len(stripped) <= _SHORT_NUMBER and not menu.buttons:
            return _with(base, button=RESUME)
        return _with(base, text=text)
    if event == IMAGE:
        url = _photo_url(message)
        caption = message.get("caption")
        return _with(
            base,
            text=caption if isinstance(caption, str) and caption.strip() else None,
            attachments=(Attachment("photo", url),) if url else (),
        )
    return base  # sticker, unsupported, or an event not known yet: nothing to read


def _photo_url(message: dict[str, Any]) -> str | None:
    for key in ("photo_url", "photo", "url"):
        value = message.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value
    attachments = message.get("attachments")
    if isinstance(attachments, list):
        for item in attachments:
            if isinstance(item, dict) and isinstance(item.get("url"), str):
                return str(item["url"])
    return None


def _with(base: Inbound, **fields: Any) -> Inbound:
    return replace(base, **fields)
