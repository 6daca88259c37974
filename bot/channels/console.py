"""The terminal channel: the same core and storage, typed at a prompt or piped in.

Buttons are shown numbered; type the number or the label. One line is one message.
A few extra inputs stand for what a phone would send:
  :anh TÊN-TỆP        a photo (kept by reference, like a Telegram file id)
  :ghiam TÊN-TỆP      a voice message;  :video TÊN-TỆP  a video
  :vitri 20.86,106.68 a location
  :sdt 0912345678     a shared phone number
  :traloi MÃ nội dung an official's reply to a notification about record MÃ
End of input (Ctrl-D, or the end of a pipe) leaves cleanly. What a phone would never
send (a number no button has, a file that is not there or not a picture, a place off the
globe) is answered here, in the terminal, and goes nowhere.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
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
POLL_SECONDS = 2.0  # how often an interactive terminal looks for messages that arrived
# The file a line stands for: its attachment kind and the endings that kind may have.
_FILE_COMMANDS = {
    ":anh": ("photo", (".jpg", ".jpeg", ".png", ".webp", ".heic", ".gif", ".bmp")),
    ":ghiam": ("voice", (".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".wav", ".amr")),
    ":video": ("video", (".mp4", ".mov", ".webm", ".mkv", ".3gp", ".avi")),
}


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
        self._delivering = asyncio.Lock()  # the poller and a typed line print in turn

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
            local=True,  # a piped script is not a flood
        )
        stripped = line.strip()
        picked = self.menu.pick(stripped)
        if picked is not None:
            return replace(base, button=picked.data)
        command, _, argument = stripped.partition(" ")
        if command in _FILE_COMMANDS and argument.strip():
            kind = _FILE_COMMANDS[command][0]
            ref = f"console-{kind}:" + argument.strip()
            return replace(base, attachments=(Attachment(kind, ref),))
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
        problem = self.problem(line.strip())
        if problem is not None:
            kind, detail = problem
            text = self.app.renderer.render("console_problem", problem=kind, detail=detail)
            self._print(text, ())  # no buttons: the numbers shown before still stand
            return
        await self.app.dispatcher.handle(self.inbound_for(line))
        await self.deliver()

    def problem(self, stripped: str) -> tuple[str, str] | None:
        """What is wrong with a typed line a phone could not have sent, if anything."""
        if stripped.isdigit() and self.buttons and not 1 <= int(stripped) <= len(self.buttons):
            return "range", str(len(self.buttons))
        command, _, argument = stripped.partition(" ")
        name = argument.strip()
        if command in _FILE_COMMANDS and name:
            path = Path(name).expanduser()
            if not path.is_file():
                return "missing", name
            if path.suffix.casefold() not in _FILE_COMMANDS[command][1]:
                return "not_" + _FILE_COMMANDS[command][0], name
        if command == ":vitri" and _parse_location(argument) is None:
            return "location", argument.strip()
        return None

    async def deliver(self) -> int:
        """Print this user's pending outbox messages and mark them sent."""
        async with self._delivering:
            return await self._deliver()

    async def _deliver(self) -> int:
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
        poller = asyncio.create_task(self.poll()) if interactive else None
        try:
            while True:
                if interactive:
                    self.out.write("> ")
                    self.out.flush()
                line = await asyncio.to_thread(inp.readline)
                if not line:
                    break
                await self._take(line, interactive)
        finally:
            if poller is not None:
                poller.cancel()

    async def poll(self, every: float = POLL_SECONDS) -> None:
        """At a prompt, print what arrives meanwhile (a card, an answer from the office)
        as it arrives, not after the next line typed."""
        while True:
            await asyncio.sleep(every)
            if await self.deliver():
                self.out.write("> ")
                self.out.flush()

    async def _take(self, line: str, interactive: bool) -> None:
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
