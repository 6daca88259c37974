"""Filing a record the way a citizen does, and reading what was stored."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from bot.app import App
from bot.config import Settings
from domain.messages import Reply, plain_text
from storage.base import Row
from tests.conftest import Chat
from tests.support.labels import label

CODE = re.compile(r"\b[A-Z]{2,4}-\d{4}-[0-9A-Z]{6}\b")


def db(settings: Settings) -> sqlite3.Connection:
    """The test's SQLite file, rows by column name."""
    conn = sqlite3.connect(settings.storage.sqlite_path)
    conn.row_factory = sqlite3.Row
    return conn


async def rows(app: App, sql: str, *params: Any) -> list[Row]:
    """What `sql` reads from the app's database, on either backend (`?` placeholders)."""
    async with app.storage.transaction() as uow:
        return await uow._all(sql, params)


def texts(replies: list[Reply]) -> str:
    """The plain text of these replies, one after another."""
    return "\n".join(plain_text(r.text) for r in replies)


async def file_report(
    chat: Chat, *, anonymous: bool = True, hamlet: str = "Thôn 3", publish: bool = False
) -> str:
    """File a phản ánh with one photo from the main menu; returns its tracking code."""
    await chat.press(label("btn.menu_file"))
    await chat.press(label("kind.phan_anh"))
    await chat.send("Đèn đường ngõ 7 hỏng hai tuần nay")
    await chat.press(hamlet)
    await chat.photo("file-1")
    await chat.press(label("btn.continue"))
    if anonymous:
        await chat.press(label("btn.anonymous"))
    else:
        await chat.press(label("btn.leave_contact"))
        await chat.send("Nguyễn Văn An")
        await chat.send("0912 345 678")
    assert chat.says("filing_publish"), chat.text
    await chat.press(label("btn.publish_yes" if publish else "btn.publish_no"))
    summary = {
        "kind": "phan_anh",
        "hamlet": hamlet,
        "place": None,
        "location": None,
        "description": "Đèn đường ngõ 7 hỏng hai tuần nay",
        "photos": ["file-1"],
        "anonymous": anonymous,
        "name": "Nguyễn Văn An",
        "phone": "0912345678",
        "publish_asked": True,
        "publishable": publish,
    }
    assert chat.says("filing_summary", draft=summary), chat.text
    await chat.press(label("btn.submit"))
    match = CODE.search(chat.text)
    assert match, chat.text
    return match.group(0)
