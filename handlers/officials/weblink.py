"""`/web` and «🖥 Mở trang quản lý»: a one-time link to the officials' web console.

The link carries a random token (256 bits); storage keeps only its SHA-256, so a copy of
the database lets no one in. It works once, for `LINK_VALID`; the console then gives a
signed session cookie (`bot/web`). It is sent only in a private chat: in a group
everyone would see it. `danvan official weblink ID` makes the same link from the shell.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from domain.records import Official
from handlers.officials.turn import StaffTurn
from storage import UnitOfWork

log = logging.getLogger(__name__)

LINK_VALID = timedelta(minutes=10)
LOGIN_PATH = "login/"  # under the console's address: <console_url>login/<token>


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


async def make_link(uow: UnitOfWork, official: Official, console_url: str, now: datetime) -> str:
    """A new one-time login link for `official` (stored hashed, valid `LINK_VALID`)."""
    token = secrets.token_urlsafe(32)
    await uow.web_links.add(token_hash(token), official.id, now, now + LINK_VALID)
    log.info("web console link made for official %s", official.id)
    return console_url + LOGIN_PATH + token


async def web(turn: StaffTurn, _args: str) -> None:
    """`/web` (and the menu's button): the link, in this private chat."""
    official = turn.official
    if official is None or not official.active:
        turn.say_not_official()
        return
    if turn.inbound.is_group:
        turn.say("staff_weblink", group=True)
        return
    console = turn.settings.bot.console_url
    url = await make_link(turn.uow, official, console, turn.now)
    minutes = int(LINK_VALID.total_seconds() // 60)
    turn.say("staff_weblink", group=False, url=url, minutes=minutes)
