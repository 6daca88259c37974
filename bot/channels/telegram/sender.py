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
from bot.outbox import PermanentError, RetryLater, TransientError
from domain.messages import Reply
from handlers.render import Renderer

MAX_TEXT_UNITS = int(MessageLimit.MAX_TEXT_LENGTH)

# Files a reply may carry in `extra` (the weekly digest's chart and report), sent after
# its text, one message each, in this order.
FILE_KINDS = ("photo", "document")


def opt_in_timedelta() -> None:
    """Ask PTB 22 for durations as `timedelta` (its future default).

    PTB reads `PTB_TIMEDELTA` whenever it builds a duration, e.g. a 429's `RetryAfter`, and
    without it warns (an error under our test settings). A deployment may set it itself.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """Cut a long text into messages under `limit`: at blank lines, else at line ends,
    else at spaces, else anywhere."""
    if _units(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while _units(rest) > limit:
        window = _prefix(rest, limit)
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = window.rfind(sep)
            if cut > 0:
                break
        if cut <= 0:
            cut = len(window)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return [p for p in parts if p]


def _prefix(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` UTF-16 units."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text


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
        texts = split_text(reply.text)
        last = len(texts) - 1
        files = [
            Reply(
                channel=reply.channel,
                chat_id=reply.chat_id,
                text="",
                priority=reply.priority,
                record_code=reply.record_code,
                extra={kind: reply.extra[kind]},
            )
            for kind in FILE_KINDS
            if reply.extra.get(kind)
        ]
        return [
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
        ] + files

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
            if part.extra and not part.text:
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
