"""Replies out through `POST /v3.0/oa/message/cs`: plain text in NFC, cut at 2,000
characters; up to five buttons as `oa.query.hide` with danvan's payload, the rest as
numbered choices the citizen types; the digest's chart and report as an image and a file.

A reply to a citizen whose last message is under 48 h old quotes it (`quote_message_id`),
so Zalo counts it as an answer rather than a proactive message. Zalo's errors are HTTP 200
with a non-zero `error`: -32 and -100 are retried with back-off, a refused access token is
refreshed once, and the window codes are not retried: the row fails with
`WINDOW_ERROR_PREFIX` and `ZaloOutboxSender` records that the citizen could not be reached,
which the office's card and `/xem` show; the office is also told once per record and reason.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.channels.zalo_oa.api import ZaloApiError, ZaloOaApi, ZaloTransportError
from bot.channels.zalo_oa.inbound import BUTTON_PREFIX, CHANNEL
from bot.channels.zalo_oa.tokens import NotAuthorized, TokenKeeper
from bot.outbox import OutboxSender, PermanentError, SendError, TransientError
from domain.messages import FILE_KINDS, Reply, file_parts, plain_text
from domain.records import OutboxMessage
from domain.settings import CoreSettings
from handlers.notify import MEDIA_PHOTOS, Notifier
from handlers.render import Renderer
from storage import Storage, UnitOfWork

MAX_CHARS = 2000
MAX_BUTTONS = 5
QUOTE_WINDOW = timedelta(hours=48)
# How far back from the limit a cut looks for a space before cutting inside a word.
SPACE_REACH = 200
WINDOW_ERROR_PREFIX = "zalo window closed"
# A part's `extra` key: the URL of a record's photo to upload and send as an image.
PHOTO_URL = "photo_url"
# Zalo's limit for an uploaded image (developers.zalo.me, upload image: jpg/png up to 1 MB;
# unverified against a real OA, as are the stand-in's checks of it).
MAX_IMAGE_BYTES = 1024 * 1024
UNFOLLOWED = -213  # Zalo's code for "the user does not follow the OA"


class WindowClosed(PermanentError):
    def __init__(self, code: int) -> None:
        super().__init__(f"{WINDOW_ERROR_PREFIX}: error {code}")
        self.code = code


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """NFC, then cut into parts of at most `limit` characters: at a blank line, a line end
    or a space near the limit, never inside a word when a space is near."""
    rest = unicodedata.normalize("NFC", text).strip()
    parts: list[str] = []
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            at = window.rfind(sep)
            if at > 0 and limit - at <= SPACE_REACH:
                cut = at
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return [p for p in parts if p]


def _image(attachment_id: str) -> dict[str, Any]:
    element = {"media_type": "image", "attachment_id": attachment_id}
    payload = {"template_type": "media", "elements": [element]}
    return {"attachment": {"type": "template", "payload": payload}}


def _record_photos(reply: Reply) -> list[Reply]:
    """A record's photos for an official (`MEDIA_PHOTOS`: a Zalo citizen's photo URLs), one
    image message each after the card; Zalo fetches nothing itself, so each is uploaded."""
    refs = [r for r in reply.extra.get(MEDIA_PHOTOS, "").splitlines() if r]
    return [
        reply.file_only({PHOTO_URL: ref}) for ref in refs if ref.startswith(("http://", "https://"))
    ]


def _choices_text(reply: Reply) -> tuple[str, dict[str, str]]:
    """The buttons past the fifth as numbered lines, and number → data."""
    extra = reply.buttons[MAX_BUTTONS:]
    lines = [f"{i}. {b.label}" for i, b in enumerate(extra, start=MAX_BUTTONS + 1)]
    return "\n".join(lines), {str(i): b.data for i, b in enumerate(extra, start=MAX_BUTTONS + 1)}


class ZaloOaSender:
    """The outbox's view of the OA: one CS message per part."""

    def __init__(
        self,
        storage: Storage,
        api: ZaloOaApi,
        tokens: TokenKeeper,
        clock: Callable[[], datetime],
    ) -> None:
        self.storage = storage
        self.api = api
        self.tokens = tokens
        self.clock = clock

    @property
    def channel(self) -> str:
        return CHANNEL

    def is_group(self, chat_id: str) -> bool:
        return False  # the OA has no group chats

    def split(self, reply: Reply) -> Sequence[Reply]:
        text = plain_text(reply.text)
        choices, numbered = _choices_text(reply)
        if choices:
            text = f"{text}\n\n{choices}"
        texts = split_text(text) or [""]
        last = len(texts) - 1
        parts = [
            Reply(
                channel=reply.channel,
                chat_id=reply.chat_id,
                text=t,
                rows=((tuple(reply.buttons[:MAX_BUTTONS]),) if i == last and reply.rows else ()),
                priority=reply.priority,
                record_code=reply.record_code,
                extra={"choices": _encode(numbered)} if i == last and numbered else {},
            )
            for i, t in enumerate(texts)
            if t or (i == last and reply.rows)
        ]
        files = file_parts(reply)
        return parts + files + _record_photos(reply)

    async def _message(self, part: Reply, token: str) -> dict[str, Any]:
        if part.extra.get(PHOTO_URL):  # a record's photo for an official: upload, then send
            url = part.extra[PHOTO_URL]
            content = await self.api.download(url, MAX_IMAGE_BYTES)
            ref = await self.api.upload(token, "image", Path(url).name or "anh.jpg", content)
            return _image(ref)
        if part.extra.get("photo") or part.extra.get("document"):
            kind, path = next((k, v) for k, v in part.extra.items() if k in FILE_KINDS)
            try:
                content = await asyncio.to_thread(Path(path).read_bytes)
            except OSError as exc:
                raise PermanentError(f"{kind} {Path(path).name}: {exc.strerror}") from None
            upload = "image" if kind == "photo" else "file"
            ref = await self.api.upload(token, upload, Path(path).name, content)
            if kind == "photo":
                return _image(ref)
            return {"attachment": {"type": "file", "payload": {"token": ref}}}
        if part.buttons:
            buttons = [
                {"title": b.label[:100], "type": "oa.query.hide", "payload": BUTTON_PREFIX + b.data}
                for b in part.buttons
            ]
            payload = {"template_type": "button", "text": part.text, "buttons": buttons}
            return {"attachment": {"type": "template", "payload": payload}}
        return {"text": part.text}

    async def _quote(self, message: dict[str, Any], user_id: str) -> None:
        """Quote the citizen's last message within 48 h; nothing goes to one who unfollowed
        (Zalo would refuse it as -213 anyway)."""
        async with self.storage.transaction() as uow:
            last = await uow.zalo_contacts.last_message(user_id)
        if last is not None and not last[2]:
            raise ZaloApiError(UNFOLLOWED, "the citizen unfollowed the OA")
        if last is not None and last[0] and self.clock() - last[1] < QUOTE_WINDOW:
            message["quote_message_id"] = last[0]

    async def send(self, part: Reply) -> str:
        try:
            token = await self.tokens.access_token()
            quote: dict[str, Any] = {}
            await self._quote(quote, part.chat_id)
            message = {**await self._message(part, token), **quote}
            try:
                sent = await self.api.send_cs(token, message, part.chat_id)
            except ZaloApiError as exc:
                if not exc.token_refused:
                    raise
                token = await self.tokens.access_token(refused=token)
                sent = await self.api.send_cs(token, message, part.chat_id)
        except ZaloApiError as exc:
            if exc.window_closed:
                raise WindowClosed(exc.code) from None
            if exc.retryable or exc.token_refused:
                raise TransientError(str(exc)) from None
            raise PermanentError(str(exc)) from None
        except (ZaloTransportError, NotAuthorized) as exc:
            raise TransientError(f"{type(exc).__name__}: {exc}") from None
        if part.extra.get("choices"):
            async with self.storage.transaction() as uow:
                await uow.zalo_contacts.set_choices(
                    part.chat_id, _decode(part.extra["choices"]), self.clock()
                )
        return sent


def _encode(numbered: dict[str, str]) -> str:
    return "\n".join(f"{k} {v}" for k, v in numbered.items())


def _decode(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


# Told once per record and reason: (the unit of work, the record's code, when) — queues the
# office's message in the transaction that records the failure (bot.channels.zalo_oa.channel).
OfficeAlert = Callable[[UnitOfWork, str, datetime], Awaitable[None]]


class ZaloOutboxSender(OutboxSender):
    """The outbox sender for the OA: a closed window is recorded for the office to see, and
    the office is told once per record and reason (`alert`)."""

    alert: OfficeAlert | None = None

    async def _fail(self, message: OutboxMessage, error: SendError) -> None:
        await super()._fail(message, error)
        if isinstance(error, WindowClosed):
            raw_code = message.payload.get("record_code")
            record_code = str(raw_code) if raw_code else None
            now = self.clock()
            async with self.storage.transaction() as uow:
                earlier = (
                    await uow.zalo_contacts.unreachable_for(record_code) if record_code else []
                )
                await uow.zalo_contacts.mark_unreachable(
                    message.id, message.chat_id, record_code, error.code, now
                )
                first = not any(u.error_code == error.code for u in earlier)
                if record_code and first and self.alert is not None:
                    await self.alert(uow, record_code, now)


async def tell_office_unreachable(
    renderer: Renderer, settings: CoreSettings, uow: UnitOfWork, record_code: str, at: datetime
) -> None:
    """The office that got the record's card hears that its citizen could not be told, through
    the outbox, in the transaction that records the failure."""
    record = await uow.records.get_by_code(record_code)
    commune = settings.commune(record.commune_code) if record is not None else None
    if record is None or commune is None:
        return
    notifier = Notifier(uow, renderer, commune, at)
    await notifier.unreachable(record)
    for reply in notifier.out:
        await uow.outbox.enqueue(reply, at)
