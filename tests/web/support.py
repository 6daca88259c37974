"""Driving the console as an official's browser would, over HTTP (httpx on the real ASGI
app, or a real uvicorn server for the browser tests), and seeding what it shows."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx

from bot.app import App
from bot.server import build_app
from bot.web.console import ACT_MAX_BODY, ACT_PATH, routes
from bot.web.desk import Console
from bot.web.session import Sessions
from handlers.officials.weblink import make_link
from tests.conftest import Chat, OfficialChat
from tests.support.labels import label
from tests.support.records import CODE

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECRET = "a-test-secret-for-the-console-cookie-signature"  # noqa: S105 (a test key)


def console_of(app: App) -> Console:
    return Console(app, Sessions(SECRET, secure=False), clock=lambda: app.dispatcher.clock())


def asgi(app: App) -> object:
    return build_app(routes(console_of(app)), body_limits={ACT_PATH: ACT_MAX_BODY})


@asynccontextmanager
async def browser_client(app: App) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the console's ASGI app (cookies kept, like a browser)."""
    transport = httpx.ASGITransport(app=asgi(app))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as client:
        yield client


async def official_id(app: App, official: OfficialChat) -> int:
    async with app.storage.transaction() as uow:
        found = await uow.officials.get(official.channel, official.user)
    assert found is not None
    return found.id


async def link_for(app: App, official: OfficialChat) -> str:
    """A one-time login link, as `danvan official weblink ID` makes it."""
    async with app.storage.transaction() as uow:
        found = await uow.officials.get(official.channel, official.user)
        assert found is not None
        return await make_link(uow, found, "http://console.test/console/", app.dispatcher.clock())


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


async def log_in(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """Open the link, press «Đăng nhập» (the form's POST)."""
    page = await client.get(url.removeprefix("http://console.test"))
    assert page.status_code == 200, page.text
    return await client.post("/console/login", data={"token": token_of(url)})


def csrf_in(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small real PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def keep_local_copies(app: App, code: str, now: datetime) -> list[int]:
    """Give a record's photos local copies, as the channel's file fetcher does."""
    folder: Path = app.settings.storage.data_dir / "files" / "test"
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (a test's setup)
    ids = []
    async with app.storage.transaction() as uow:
        record = await uow.records.get_by_code(code)
        assert record is not None
        for attachment in await uow.attachments.list_for(record.id):
            path = folder / f"{record.id}-{attachment.id}.png"
            path.write_bytes(png(PHOTO_SIZE[0], PHOTO_SIZE[1], (70, 110, 160)))
            await uow.attachments.save_file(attachment.id, now, path=str(path), size=1)
            ids.append(attachment.id)
    return ids


def code_in(chat: Chat) -> str:
    found = CODE.search(chat.text)
    assert found, chat.text
    return found.group(0)


LAT, LON = 21.028511, 105.804817
PHOTO_SIZE = (240, 160)  # the citizen's photo a record is given (a real PNG)


async def file_located(
    chat: Chat,
    description: str = "Đèn đường ngõ 7 hỏng hai tuần nay",
    at: tuple[float, float] = (LAT, LON),
) -> str:
    """A phản ánh with one photo, a location and the sender's contact; its tracking code.
    (Another record near the same place would be offered as a duplicate: vary `at`.)"""
    await chat.press(label("btn.menu_file"))
    await chat.press(label("kind.phan_anh"))
    await chat.send(description)
    await chat.press("Thôn 3")
    await chat.photo("file-1")
    await chat.location(*at)
    await chat.press(label("btn.continue"))
    await chat.press(label("btn.leave_contact"))
    await chat.send("Nguyễn Văn An")
    await chat.send("0912 345 678")
    await chat.press(label("btn.publish_no"))
    await chat.press(label("btn.submit"))
    return code_in(chat)
