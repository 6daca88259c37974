"""The Telegram channel end to end (bot/channels/telegram/channel.py): real PTB, real HTTP to
a Bot API stand-in, the real dispatcher and a real SQLite file, in polling and webhook mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.app import App
from bot.config import Settings
from bot.shared_files import attachment_bytes
from tests.botapi import BotApiStandIn, FakeClock
from tests.support.labels import label
from tests.support.records import CODE
from tests.support.telegram import Citizen, db_rows, deliverer, running


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_citizen_files_a_report_with_photo_and_location(
    app: App, standin: BotApiStandIn, settings: Settings, sender_clock: FakeClock, mode: str
) -> None:
    standin.files["large-id"] = b"\xff\xd8 a photo of a broken street light"
    async with (
        running(app, standin, mode, sender_clock) as channel,
        httpx.AsyncClient() as client,
    ):
        citizen = Citizen(standin, settings, deliverer(mode, standin, channel, client))
        await citizen.send("/start")
        assert label("btn.consent_yes") in citizen.last[-1].inline_buttons
        await citizen.press(label("btn.consent_yes"))
        await citizen.press(label("btn.menu_file"))
        await citizen.press(label("kind.phan_anh"))
        await citizen.send("Đèn đường ngõ 7 hỏng hai tuần nay")
        await citizen.press("Thôn 3")
        # the media step asks for the phone's location control: a one-time reply keyboard
        assert label("btn.send_location") in citizen.last[-1].keyboard_labels
        await citizen.send_fields(
            photo=[
                {"file_id": "small-id", "file_unique_id": "s", "width": 90, "height": 90},
                {"file_id": "large-id", "file_unique_id": "l", "width": 1280, "height": 960},
            ],
            caption="cột đèn",
        )
        await citizen.send_fields(location={"latitude": 20.86, "longitude": 106.68})
        assert "Đã nhận vị trí" in citizen.text
        # the keyboard is replaced with the step's current keys (issue 16 #2): no «Bỏ qua»
        keys = citizen.last[-1].keyboard_labels
        assert label("btn.continue") in keys
        assert label("btn.skip") not in keys
        await citizen.send(label("btn.skip"))  # an old keyboard's key: taken as «Tiếp tục»
        assert label("btn.anonymous") in citizen.last[-1].inline_buttons
        await citizen.send(label("btn.skip"))  # and never stored as data
        assert "bấm một nút bên dưới" in citizen.text
        await citizen.press(label("btn.anonymous"))
        await citizen.press(label("btn.publish_no"))
        await citizen.press(label("btn.submit"))
        match = CODE.search(citizen.text)
        assert match, citizen.text
        assert channel.files is not None
        assert await channel.files.fetch_pending() == 1  # the record's photo, copied
        copies = db_rows(settings, "SELECT * FROM attachment_files")
        photo = standin.files["large-id"]
        assert [(c["size"], c["error"]) for c in copies] == [(len(photo), None)]
        # kept in the database, which every process reads (no shared folder configured)
        assert copies[0]["path"] == f"db:{copies[0]['file_id']}"
        kept = await attachment_bytes(app.storage, settings.storage, copies[0]["attachment_id"])
        assert kept is not None
        assert kept[1] == photo
        assert kept[0].endswith(".jpg")
        assert not list((settings.storage.data_dir / "files").rglob("*.*"))  # no stray copy
        async with app.storage.transaction() as uow:  # the digests' files purge keeps it
            await uow.files.purge(datetime.now(UTC) + timedelta(days=365))
        assert (
            await attachment_bytes(app.storage, settings.storage, copies[0]["attachment_id"])
            == kept
        )
    records = db_rows(settings, "SELECT * FROM records")
    assert [r["code"] for r in records] == [match.group(0)]
    assert (records[0]["latitude"], records[0]["longitude"]) == (20.86, 106.68)
    assert [r["ref"] for r in db_rows(settings, "SELECT ref FROM attachments")] == ["large-id"]
    # every button press was answered, and every outbox row was sent exactly once
    assert len(standin.methods("answerCallbackQuery")) == 7  # every press, publish step too
    # the native keyboard is taken away once its step is over
    assert any((m.reply_markup or {}).get("remove_keyboard") for m in standin.sent)
    assert "Bỏ qua" not in str(records[0]["place"])
    deliveries = db_rows(
        settings, "SELECT outbox_id, count(*) AS n FROM outbox_deliveries GROUP BY outbox_id"
    )
    assert deliveries
    assert all(r["n"] == 1 for r in deliveries)
    assert len(standin.sent) == len(deliveries)
    assert all(r["status"] == "sent" for r in db_rows(settings, "SELECT status FROM outbox"))
    # the command menu was registered in Vietnamese
    commands = standin.methods("setMyCommands")
    assert any(c.get("language_code") == "vi" for c in commands)
    assert "xoadulieu" in str(commands[0]["commands"])
