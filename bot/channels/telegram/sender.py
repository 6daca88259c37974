"""Replies out: the outbox's view of the Bot API, one message per part, errors sorted."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.channels.telegram.inbound import CHANNEL
from bot.channels.telegram.split import split_html
from bot.outbox import PermanentError, RetryLater, TransientError
from domain.messages import Reply, file_parts
from handlers.notify import EDIT_BUTTONS, MEDIA_LOCATION, MEDIA_PHOTOS
from handlers.render import Renderer

MAX_TEXT_UNITS = int(MessageLimit.MAX_TEXT_LENGTH)

# Files a reply may carry in `extra` (the weekly digest's chart and report), sent after
# its text, one message each, in this order.


# --- media: a record's photos (an album) and location pin (issue 16) --------------------
# Named in a reply's `extra` by handlers.notify (MEDIA_PHOTOS, MEDIA_LOCATION): Telegram
# file ids, one per line, and "lat,lon". Sent after the text and files, one part each
# (an album of at most ALBUM_SIZE photos is one part), so the outbox records each.
MEDIA_KINDS = (MEDIA_PHOTOS, MEDIA_LOCATION)
ALBUM_SIZE = 10


def media_parts(reply: Reply) -> list[Reply]:
    """The further parts of `reply` for the media its `extra` names."""
    photos = [ref for ref in reply.extra.get(MEDIA_PHOTOS, "").splitlines() if ref]
    extras = [
        {MEDIA_PHOTOS: "\n".join(photos[i : i + ALBUM_SIZE])}
        for i in range(0, len(photos), ALBUM_SIZE)
    ]
    if reply.extra.get(MEDIA_LOCATION):
        extras.append({MEDIA_LOCATION: reply.extra[MEDIA_LOCATION]})
    return [reply.file_only(extra) for extra in extras]


# A reply whose `extra` names EDIT_BUTTONS (a message id, handlers.officials) removes the
# buttons of that earlier message in its chat: a card whose buttons no longer apply.


def is_edit(reply: Reply) -> bool:
    return EDIT_BUTTONS in reply.extra


async def remove_buttons(bot: Bot, part: Reply) -> str:
    """editMessageReplyMarkup without a markup; a message already without buttons, or too
    old to edit, is left as it is (the stale-button answer still covers a press)."""
    message_id = int(part.extra[EDIT_BUTTONS])
    try:
        await bot.edit_message_reply_markup(
            chat_id=part.chat_id, message_id=message_id, reply_markup=None
        )
    except BadRequest as exc:
        if "not modified" not in exc.message and "can't be edited" not in exc.message:
            raise
    return str(message_id)


async def send_media(bot: Bot, part: Reply) -> Message:
    """Send one media part of `media_parts`: an album (one photo alone), or a pin."""
    if MEDIA_LOCATION in part.extra:
        latitude, _, longitude = part.extra[MEDIA_LOCATION].partition(",")
        return await bot.send_location(
            chat_id=part.chat_id, latitude=float(latitude), longitude=float(longitude)
        )
    photos = part.extra[MEDIA_PHOTOS].splitlines()
    if len(photos) == 1:
        return await bot.send_photo(chat_id=part.chat_id, photo=photos[0])
    album = await bot.send_media_group(
        chat_id=part.chat_id, media=[InputMediaPhoto(media=ref) for ref in photos]
    )
    return album[0]


def opt_in_timedelta() -> None:
    """Ask PTB 22 for durations as `timedelta` (its future default).

    PTB reads `PTB_TIMEDELTA` whenever it builds a duration, e.g. a 429's `RetryAfter`, and
    without it warns (an error under our test settings). A deployment may set it itself.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Cut a long HTML text into messages under `limit`: at blank lines, else at line ends,
    else at spaces, else anywhere but inside a tag or an entity (see `split.py`)."""
    return split_html(text, limit)


class TelegramSender:
    """The outbox's Telegram side: one message per part, errors sorted.

    A part is a piece of the text (split under Telegram's limit) or one file named in the
    reply's `extra` (`photo`, `document`: a path on this machine).
    """

    def __init__(self, bot: Bot, renderer: Renderer) -> None:
        opt_in_timedelta()
        self.bot = bot
        self.renderer = renderer

    @property
    def channel(self) -> str:
        return CHANNEL

    def is_group(self, chat_id: str) -> bool:
        return chat_id.startswith("-")

    def split(self, reply: Reply) -> Sequence[Reply]:
        if is_edit(reply):
            return [reply]  # one edit, no text
        texts = split_text(reply.text)
        last = len(texts) - 1
        files = file_parts(reply)
        return (
            [
                Reply(
                    channel=reply.channel,
                    chat_id=reply.chat_id,
                    text=text,
                    rows=reply.rows if i == last else (),
                    priority=reply.priority,
                    request_location=reply.request_location and i == last,
                    request_contact=reply.request_contact and i == last,
                    remove_keyboard=reply.remove_keyboard and i == 0,
                    record_code=reply.record_code,
                )
                for i, text in enumerate(texts)
            ]
            + files
            + media_parts(reply)
        )

    def markup(
        self, part: Reply
    ) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
        if part.request_location or part.request_contact:
            keys: list[list[KeyboardButton]] = []
            if part.request_location:
                keys.append(
                    [
                        KeyboardButton(
                            self.renderer.label("btn.send_location"), request_location=True
                        )
                    ]
                )
            if part.request_contact:
                keys.append(
                    [KeyboardButton(self.renderer.label("btn.send_contact"), request_contact=True)]
                )
            keys.extend([KeyboardButton(b.label) for b in row] for row in part.rows)
            return ReplyKeyboardMarkup(keys, resize_keyboard=True, one_time_keyboard=True)
        if part.rows:
            return InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
                    for row in part.rows
                ]
            )
        if part.remove_keyboard:
            return ReplyKeyboardRemove()
        return None

    async def _send_file(self, part: Reply) -> Message:
        kind, path = next(iter(part.extra.items()))
        try:
            data = await asyncio.to_thread(Path(path).read_bytes)
        except OSError as exc:
            raise PermanentError(f"{kind} {Path(path).name}: {exc.strerror}") from None
        if kind == "photo":
            return await self.bot.send_photo(chat_id=part.chat_id, photo=data)
        return await self.bot.send_document(
            chat_id=part.chat_id, document=data, filename=Path(path).name
        )

    async def send(self, part: Reply) -> str:
        try:
            if is_edit(part):
                return await remove_buttons(self.bot, part)
            if part.extra and not part.text and set(part.extra) <= set(MEDIA_KINDS):
                sent = await send_media(self.bot, part)
            elif part.extra and not part.text:
                sent = await self._send_file(part)
            else:
                sent = await self.bot.send_message(
                    chat_id=part.chat_id,
                    text=part.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=self.markup(part),
                )
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise RetryLater(seconds, "429 Too Many Requests") from None
        except ChatMigrated as exc:
            raise PermanentError(f"group moved to {exc.new_chat_id}") from None
        except (Forbidden, BadRequest) as exc:
            raise PermanentError(f"{type(exc).__name__}: {exc.message}") from None
        except InvalidToken:
            raise TransientError("the bot token was refused") from None
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            raise TransientError(f"{type(exc).__name__}: {exc.message}") from None
        except TelegramError as exc:
            raise TransientError(f"{type(exc).__name__}: {exc.message}") from None
        return str(sent.message_id)
