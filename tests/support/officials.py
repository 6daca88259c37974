"""Helpers of the officials' tests (tests/officials/): a record's events and status as
stored (either backend), a card's delivery, an office with a group chat, and filing a tố
cáo with the identity its masking tests look for."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from bot.app import App
from bot.config import Settings
from domain.messages import Reply
from storage.base import Row
from tests.conftest import Chat, Clock
from tests.support.labels import label
from tests.support.records import CODE, rows


async def events(app: App, code: str) -> list[Row]:
    return await rows(
        app,
        "SELECT e.* FROM events e JOIN records r ON r.id = e.record_id "
        "WHERE r.code = ? ORDER BY e.id",
        code,
    )


async def status(app: App, code: str) -> str:
    (row,) = await rows(app, "SELECT status FROM records WHERE code = ?", code)
    return str(row["status"])


async def delivered(app: App, chat_id: str, code: str, message_id: str, at: datetime) -> None:
    """What the channel's sender records when it delivers the card about `code`."""
    async with app.storage.transaction() as uow:
        rows = await uow._all("SELECT id, payload FROM outbox WHERE chat_id = ?", (chat_id,))
        for row in rows:
            if json.loads(row["payload"]).get("record_code") == code:
                await uow.outbox.record_delivery(row["id"], 0, "test", chat_id, message_id, at)
                return
    raise AssertionError(f"no card about {code} for {chat_id}")


async def file_to_cao(citizen: Chat) -> str:
    await citizen.send("/gopy")
    await citizen.press(label("kind.to_cao"))
    await citizen.press(label("btn.continue"))
    await citizen.send("Cán bộ địa chính đòi tiền khi làm sổ đỏ")
    await citizen.press("Thôn 2")
    await citizen.press(label("btn.skip"))
    await citizen.send("Trần Văn Bình")
    await citizen.send("0987654321")
    await citizen.press(label("btn.submit"))
    match = CODE.search(citizen.text)
    assert match, citizen.text
    return match.group(0)


SECRETS = ("Trần Văn Bình", "0987654321", "dan")


def leaks(reply: Reply) -> bool:
    return any(s in reply.text or s in str(reply.extra) for s in SECRETS[:2])


async def app_with_vp_group(settings: Settings, clock: Clock) -> App:
    """The app with the Văn phòng's notifications going to the group chat "grp-vp"."""
    commune = settings.communes[0]
    offices = tuple(
        replace(o, chat_id="grp-vp", chat_channel="test") if o.code == "VP" else o
        for o in commune.offices
    )
    app = await App.open(replace(settings, communes=(replace(commune, offices=offices),)))
    app.dispatcher.clock = clock
    return app
