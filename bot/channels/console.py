"""The terminal channel: the same core and storage, typed at a prompt or piped in.

Buttons are shown numbered; type the number or the label. One line is one message.
A few extra inputs stand for what a phone would send:
  :anh TÊN-TỆP        a photo (kept by reference, like a Telegram file id)
  :vitri 20.86,106.68 a location
  :sdt 0912345678     a shared phone number
  :traloi MÃ nội dung an official's reply to a notification about record MÃ
End of input (Ctrl-D, or the end of a pipe) leaves cleanly.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TextIO

from bot.app import App
from bot.channels.menus import NumberedMenu
from domain.messages import (
    RESUME,
    Attachment,
    Button,
    Inbound,
    Location,
    plain_text,
    reply_from_payload,
)

CHANNEL = "console"


class ConsoleChannel:
    def __init__(
        self,
        app: App,
        user_id: str,
        commune: str | None,
        out: TextIO,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.user_id = user_id
        self.commune = commune
        self.out = out
        self.clock = clock
        self.menu = NumberedMenu()
        self._seq = 0

    @property
    def buttons(self) -> list[Button]:
        return self.menu.buttons

    def inbound_for(self, line: str) -> Inbound:
        """Turn one typed line into what a channel would deliver."""
        self._seq += 1
        base = Inbound(
            channel=CHANNEL,
            update_id=f"{self.user_id}:{time.time_ns()}:{self._seq}",
            user_id=self.user_id,
            chat_id=self.user_id,
            received_at=self.clock(),
            commune_hint=self.commune,
        )
        stripped = line.strip()
        picked = self.menu.pick(stripped)
        if picked is not None:
            return replace(base, button=picked.data)
        if stripped.startswith(":anh ") and stripped[5:].strip():
            ref = "console-photo:" + stripped[5:].strip()
            return replace(base, attachments=(Attachment("photo", ref),))
        if stripped.startswith(":vitri "):
            location = _parse_location(stripped[7:])
            if location is not None:
                return replace(base, location=location)
        if stripped.startswith(":traloi ") and stripped[8:].strip():
            # Stands for replying to the notification message (no message threads here).
            return replace(base, text="/traloi " + stripped[8:].strip())
        if stripped.startswith(":sdt ") and stripped[5:].strip():
            return replace(base, contact_phone=stripped[5:].strip())
        return replace(base, text=line.rstrip("\n"))

    async def send_line(self, line: str) -> None:
        await self.app.dispatcher.handle(self.inbound_for(line))
        await self.deliver()

    async def deliver(self) -> int:
        """Print this user's pending outbox messages and mark them sent."""
        shown = 0
        self.menu.start()  # the buttons of everything shown now are numbered together
        while True:
            async with self.app.storage.transaction() as uow:
                batch = await uow.outbox.pending(CHANNEL, self.clock(), 50, chat_id=self.user_id)
                for message in batch:
                    reply = reply_from_payload(
                        message.channel, message.chat_id, message.priority, message.payload
                    )
                    self._print(reply.text, reply.buttons)
                    await uow.outbox.mark_sent(message.id, self.clock())
                    shown += 1
            if len(batch) < 50:
                return shown

    def _print(self, text: str, buttons: tuple[Button, ...]) -> None:
        """Print a message; its buttons continue the numbering of the same delivery
        (bot/channels/menus.py)."""
        self.out.write(plain_text(text) + "\n")
        for line in self.menu.number(buttons):
            self.out.write(line + "\n")
        self.out.write("\n")
        self.out.flush()

    async def resume(self) -> None:
        """Show the step this person was at (the terminal does not remember buttons)."""
        inbound = replace(self.inbound_for(""), text=None, button=RESUME)
        await self.app.dispatcher.handle(inbound)

    async def run(self, inp: TextIO) -> None:
        interactive = inp.isatty()
        await self.resume()
        await self.deliver()
        if interactive:
            commune = self.app.settings.commune(
                self.commune or self.app.settings.bot.default_commune
            )
            banner = self.app.renderer.render("console_banner", commune=commune)
            self.out.write(plain_text(banner) + "\n\n")
            self.out.flush()
        while True:
            if interactive:
                self.out.write("> ")
                self.out.flush()
            line = await asyncio.to_thread(inp.readline)
            if not line:
                break
            if not interactive:
                self.out.write(f"> {line.rstrip()}\n")
            await self.send_line(line)


def _parse_location(text: str) -> Location | None:
    try:
        lat_text, lon_text = text.replace(" ", "").split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return None
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return Location(lat, lon)
    return None


async def chat(app: App, user_id: str, commune: str | None) -> None:
    await ConsoleChannel(app, user_id, commune, sys.stdout).run(sys.stdin)
