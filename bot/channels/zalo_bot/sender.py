"""`ZaloBotSender`: the outbox's view of the Zalo Bot API.

A reply becomes plain text (no markup on Zalo Bot), NFC-normalised and cut into messages
of at most 2,000 characters (`split_characters`: by characters, at a space or line break
near the end when there is one, never inside a word otherwise avoidable). Buttons become
the numbered menu the terminal shows (`bot/channels/menus.py`), with a one-line hint, on
the last message; a notification or broadcast starts a new menu, an answer continues the
one begun by the person's message. An image named by URL in `extra["photo"]` is sent
after the text with `sendPhoto` (Zalo fetches it, so a local file cannot be sent and is
left out, logged by kind only). A record's photos on an official's card or `/anh MÃ` go the
same way when they have a public URL; the others get one line saying where to see them.

Errors: 429 → `RetryLater`; 5xx, 401 (a token being fixed) and the network →
`TransientError`; any other `ok: false` → `PermanentError`.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

import httpx

from bot.channels.menus import ChatMenus
from bot.channels.zalo_bot.client import MAX_TEXT, ZaloBotClient, ZaloBotError
from bot.channels.zalo_bot.inbound import CHANNEL
from bot.outbox import PermanentError, RetryLater, TransientError
from domain.messages import Priority, Reply, plain_text
from handlers.notify import MEDIA_PHOTOS
from handlers.render import Renderer

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0
_NEAR = 200  # look this far back from the limit for a space to cut at


def split_characters(text: str, limit: int = MAX_TEXT) -> list[str]:
    """`text` in pieces of at most `limit` characters (code points, after NFC), cut at the
    last line break or space in the final `_NEAR` characters of each piece when there is
    one; whitespace at the cut is dropped. An empty text gives no piece."""
    text = unicodedata.normalize("NFC", text).strip()
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n", limit - _NEAR), window.rfind(" ", limit - _NEAR))
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


class ZaloBotSender:
    def __init__(self, client: ZaloBotClient, renderer: Renderer, menus: ChatMenus) -> None:
        self.client = client
        self.renderer = renderer
        self.menus = menus
        self.groups: set[str] = set()  # chats the inbound side saw as groups

    @property
    def channel(self) -> str:
        return CHANNEL

    def is_group(self, chat_id: str) -> bool:
        return chat_id in self.groups

    def _menu_tail(self, reply: Reply) -> str:
        """The numbered lines and the hint that end a reply with buttons."""
        if not reply.buttons:
            return ""
        menu = self.menus.of(reply.chat_id)
        lines = menu.preview(reply.buttons, restart=reply.priority != Priority.INTERACTIVE)
        return "\n".join([*lines, plain_text(self.renderer.render("numbered_menu_hint"))])

    def split(self, reply: Reply) -> Sequence[Reply]:
        tail = self._menu_tail(reply)
        body = split_characters(plain_text(reply.text))
        parts = [replace(reply, text=t, rows=(), extra={}) for t in body]
        if tail:
            if parts and len(parts[-1].text) + 2 + len(tail) <= MAX_TEXT:
                parts[-1] = replace(parts[-1], rows=reply.rows)
            else:
                parts.append(replace(reply, text="", extra={}))
        parts += self._record_photos(reply)
        photo = reply.extra.get("photo", "")
        if photo.startswith(("http://", "https://")):
            parts.append(replace(reply, text="", rows=(), extra={"photo": photo}))
        elif photo or reply.extra.get("document"):
            log.info("zalo_bot: a local file cannot be sent by URL; left out")
        return parts

    def _record_photos(self, reply: Reply) -> list[Reply]:
        """A record's photos for an official (`MEDIA_PHOTOS`): each one with a public URL
        as an image after the card (Zalo fetches it); for the rest — a channel's own file
        reference, which Zalo Bot cannot fetch — one line saying where to see them."""
        refs = [r for r in reply.extra.get(MEDIA_PHOTOS, "").splitlines() if r]
        public = [r for r in refs if r.startswith(("http://", "https://"))]
        parts = [replace(reply, text="", rows=(), extra={"photo": url}) for url in public]
        if len(public) < len(refs):
            line = self.renderer.render(
                "zalo_bot_photos_elsewhere", count=len(refs) - len(public), code=reply.record_code
            )
            parts.append(replace(reply, text=plain_text(line), rows=(), extra={}))
        return parts

    async def send(self, part: Reply) -> str:
        try:
            if part.extra.get("photo"):
                return await self.client.send_photo(part.chat_id, part.extra["photo"])
            tail = self._menu_tail(part)
            text = f"{part.text}\n\n{tail}" if part.text and tail else part.text or tail
            message_id = await self.client.send_message(part.chat_id, text)
            if part.rows:  # remembered once Zalo took it, so a retry numbers the same
                menu = self.menus.of(part.chat_id)
                if part.priority != Priority.INTERACTIVE:
                    menu.start()
                menu.number(part.buttons)
            return message_id
        except ZaloBotError as exc:
            if exc.code == 429:
                raise RetryLater(RETRY_AFTER_SECONDS, f"{exc.method}: 429") from None
            if exc.code >= 500 or exc.code == 401:
                raise TransientError(f"{exc.method}: {exc.code}") from None
            raise PermanentError(f"{exc.method}: {exc.code} {exc.description[:80]}") from None
        except httpx.TransportError as exc:
            raise TransientError(f"network: {type(exc).__name__}") from None
