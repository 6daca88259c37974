"""The Telegram channel end to end: real PTB, real HTTP to a Bot API stand-in, the real
dispatcher and a real SQLite file. Polling and webhook mode."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update
from telegram.request import HTTPXRequest

from bot.app import App
from bot.channels.telegram import (
    SECRET_HEADER,
    BotIdentity,
    TelegramChannel,
    inbound_from_update,
    split_text,
)
from bot.config import Secret, Settings, TelegramSettings
from tests.botapi import (
    BOT_ID,
    TIMEOUT,
    TOKEN,
    BotApiStandIn,
    FakeClock,
    SentMessage,
    serve_app,
    standin_app,
)
from tests.conftest import T0
from tests.support.labels import label

CODE = re.compile(r"\b[A-Z]{2,4}-\d{4}-[0-9A-Z]{6}\b")
CITIZEN = 4242
WEBHOOK_SECRET = "s3cret_Token-for-tests"  # noqa: S105 (a test secret)
ME = BotIdentity(BOT_ID, "danvan_test_bot")


async def eventually(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    """Wait for something the bot does in the background (a safety limit, not a timing)."""
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for: {what}")


def db_rows(settings: Settings, sql: str, *params: Any) -> list[sqlite3.Row]:
    conn = sqlite3.connect(settings.storage.sqlite_path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


class Citizen:
    """A person in a private chat, talking through the stand-in."""

    def __init__(
        self,
        standin: BotApiStandIn,
        settings: Settings,
        deliver: Callable[[dict[str, Any]], Awaitable[None]],
        user: int = CITIZEN,
    ) -> None:
        self.standin = standin
        self.settings = settings
        self.deliver = deliver
        self.user = user
        self.seen = 0
        self.last: list[SentMessage] = []

    async def _do(self, update: dict[str, Any]) -> list[SentMessage]:
        await self.deliver(update)
        uid = str(update["update_id"])

        def settled() -> bool:
            done = db_rows(
                self.settings,
                "SELECT 1 FROM processed_updates WHERE channel='telegram' AND update_id=?",
                uid,
            )
            pending = db_rows(self.settings, "SELECT 1 FROM outbox WHERE status='pending'")
            return bool(done) and not pending

        await eventually(settled, f"update {uid} handled and answered")
        mine = self.standin.to(self.user)
        self.last, self.seen = mine[self.seen :], len(mine)
        return self.last

    async def send(self, text: str) -> list[SentMessage]:
        return await self._do(self.standin.message_update(self.user, text=text))

    async def send_fields(self, **fields: Any) -> list[SentMessage]:
        return await self._do(self.standin.message_update(self.user, **fields))

    async def press(self, label: str) -> list[SentMessage]:
        for message in reversed(self.standin.to(self.user)):
            if label in message.inline_buttons:
                return await self._do(self.standin.press_update(self.user, message, label))
        raise AssertionError(f"no button {label!r}")

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.last)


def telegram_settings(port: int, mode: str = "polling") -> TelegramSettings:
    """Files are downloaded, so the citizen's photo is fetched too."""
    return TelegramSettings(
        token_env="DANVAN_TEST_TOKEN",  # noqa: S106 (a variable name)
        mode=mode,
        base_url=f"http://127.0.0.1:{port}/bot",
        webhook_url="https://bot.example.vn/telegram/hook" if mode == "webhook" else None,
        listen="127.0.0.1",
        port=0,
        secret_env="DANVAN_TEST_SECRET",  # noqa: S106 (a variable name)
        download_files=True,
    )


@asynccontextmanager
async def running(
    app: App, standin: BotApiStandIn, mode: str, clock: FakeClock
) -> AsyncIterator[TelegramChannel]:
    async with serve_app(standin_app(standin, timeout_delay=1.0)) as port:
        channel = TelegramChannel(
            app,
            telegram_settings(port, mode),
            Secret(TOKEN),
            webhook_secret=Secret(WEBHOOK_SECRET),
            request=HTTPXRequest(read_timeout=0.3, connect_timeout=1.0),
            get_updates_request=HTTPXRequest(read_timeout=2.0, connect_timeout=1.0),
            poll_timeout=0.2,
            clock=app.dispatcher.clock,
            sender_clock=clock,
            sender_sleep=clock.sleep,
        )
        stopping, ready = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(channel.serve(stopping, ready))
        await asyncio.wait(
            {task, asyncio.create_task(ready.wait())},
            timeout=10,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if task.done():
            await task
        try:
            yield channel
        finally:
            stopping.set()
            await asyncio.wait_for(task, 10)


@pytest.fixture
def sender_clock() -> FakeClock:
    return FakeClock(T0, pause=0.002)


@pytest.fixture
def standin(sender_clock: FakeClock) -> BotApiStandIn:
    return BotApiStandIn(clock=sender_clock)


def deliverer(
    mode: str, standin: BotApiStandIn, channel: TelegramChannel, client: httpx.AsyncClient
) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """How an update reaches the bot: fetched by polling, or posted to the webhook."""

    async def by_polling(update: dict[str, Any]) -> None:
        standin.push(update)

    async def by_webhook(update: dict[str, Any]) -> None:
        url = f"http://127.0.0.1:{channel.port}/telegram/hook"
        answer = await client.post(url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET})
        assert answer.status_code == 200

    return by_polling if mode == "polling" else by_webhook


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
        await citizen.press(label("btn.continue"))
        await citizen.press(label("btn.anonymous"))
        await citizen.press(label("btn.submit"))
        match = CODE.search(citizen.text)
        assert match, citizen.text
        assert channel.files is not None
        assert await channel.files.fetch_pending() == 1  # the record's photo, copied
    copies = db_rows(settings, "SELECT path, size, error FROM attachment_files")
    photo = standin.files["large-id"]
    assert [(c["size"], c["error"]) for c in copies] == [(len(photo), None)]
    assert Path(copies[0]["path"]).read_bytes() == photo  # noqa: ASYNC240 (a test's check)
    records = db_rows(settings, "SELECT * FROM records")
    assert [r["code"] for r in records] == [match.group(0)]
    assert (records[0]["latitude"], records[0]["longitude"]) == (20.86, 106.68)
    assert [r["ref"] for r in db_rows(settings, "SELECT ref FROM attachments")] == ["large-id"]
    # every button press was answered, and every outbox row was sent exactly once
    assert len(standin.methods("answerCallbackQuery")) == 7
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


async def test_webhook_refuses_a_wrong_secret_and_serves_the_right_one(
    app: App, standin: BotApiStandIn, settings: Settings, sender_clock: FakeClock
) -> None:
    async with running(app, standin, "webhook", sender_clock) as channel:
        url = f"http://127.0.0.1:{channel.port}/telegram/hook"
        update = standin.message_update(CITIZEN, text="/start")
        async with httpx.AsyncClient() as client:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: WEBHOOK_SECRET + "x"}):
                refused = await client.post(url, json=update, headers=headers)
                assert refused.status_code == 403
            assert db_rows(settings, "SELECT * FROM processed_updates") == []

            async def deliver(u: dict[str, Any]) -> None:
                answer = await client.post(url, json=u, headers={SECRET_HEADER: WEBHOOK_SECRET})
                assert answer.status_code == 200

            citizen = Citizen(standin, settings, deliver)
            await citizen._do(update)
            assert label("btn.consent_yes") in citizen.last[-1].inline_buttons
            # Telegram retrying the same update changes nothing
            await deliver(update)
            await citizen.press(label("btn.consent_yes"))
            assert "Anh/chị cần giúp gì" in citizen.text
        hooks = standin.methods("setWebhook")
        assert hooks[0]["url"] == "https://bot.example.vn/telegram/hook"
        assert hooks[0]["secret_token"] == WEBHOOK_SECRET
    assert len(standin.to(CITIZEN)) == len(db_rows(settings, "SELECT * FROM outbox"))


async def test_webhook_answers_500_when_storage_fails_so_telegram_retries(
    app: App,
    standin: BotApiStandIn,
    settings: Settings,
    sender_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with running(app, standin, "webhook", sender_clock) as channel:
        url = f"http://127.0.0.1:{channel.port}/telegram/hook"
        update = standin.message_update(CITIZEN, text="/start")
        working = app.storage.transaction

        def broken() -> Any:
            raise RuntimeError("database unreachable")

        monkeypatch.setattr(app.storage, "transaction", broken)
        async with httpx.AsyncClient() as client:
            failed = await client.post(url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET})
            assert failed.status_code == 500
            monkeypatch.setattr(app.storage, "transaction", working)
            retried = await client.post(url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET})
            assert retried.status_code == 200
    assert len(db_rows(settings, "SELECT * FROM processed_updates")) == 1
    assert "UBND" in standin.to(CITIZEN)[0].text  # the notice went out once, after the retry


async def test_faults_are_retried_and_every_message_arrives_once(
    app: App, standin: BotApiStandIn, settings: Settings, sender_clock: FakeClock
) -> None:
    standin.faults["sendMessage"] = [429, 500, TIMEOUT, 500]
    standin.retry_after = 7

    async def deliver(update: dict[str, Any]) -> None:
        standin.push(update)

    async with running(app, standin, "polling", sender_clock):
        first = Citizen(standin, settings, deliver, user=1001)
        second = Citizen(standin, settings, deliver, user=1002)
        await first.send("/start")
        await second.send("/start")
        await first.press(label("btn.consent_yes"))
        await second.press(label("btn.consent_no"))
    attempts = standin.methods("sendMessage")
    assert len(attempts) == len(standin.sent) + 4  # each fault cost exactly one retry
    rows = db_rows(settings, "SELECT id, status, attempts FROM outbox ORDER BY id")
    assert [r["status"] for r in rows] == ["sent"] * len(rows)
    assert len(standin.sent) == len(rows)
    assert len({(m.chat_id, m.text) for m in standin.sent}) == len(standin.sent)
    # after the 429 nothing was sent for retry_after seconds on the sender's clock
    assert standin.sent[0].at - T0 >= timedelta(seconds=7)


async def test_a_restart_sends_what_was_pending(
    app: App, standin: BotApiStandIn, settings: Settings, sender_clock: FakeClock
) -> None:
    async with app.storage.transaction() as uow:
        for chat in ("11", "12", "-100500"):
            await uow.outbox.enqueue_payload("telegram", chat, 0, {"text": f"chờ gửi {chat}"}, T0)
        await uow.outbox.enqueue_payload("console", "11", 0, {"text": "other channel"}, T0)
    async with running(app, standin, "polling", sender_clock):
        await eventually(lambda: len(standin.sent) == 3, "the three pending messages")
    assert sorted(m.chat_id for m in standin.sent) == ["-100500", "11", "12"]
    assert [
        r["n"] for r in db_rows(settings, "SELECT count(*) AS n FROM outbox WHERE status='pending'")
    ] == [1]


# --- the adapter's translation, without the network --------------------------------------


def update_of(data: dict[str, Any]) -> Update:
    return Update.de_json(data, None)


def test_photos_documents_locations_and_contacts_become_inbound(standin: BotApiStandIn) -> None:
    photo = inbound_from_update(
        update_of(
            standin.message_update(
                7,
                photo=[
                    {"file_id": "a", "file_unique_id": "a", "width": 1, "height": 1},
                    {
                        "file_id": "b",
                        "file_unique_id": "b",
                        "width": 9,
                        "height": 9,
                        "file_size": 99,
                    },
                ],
            )
        ),
        ME,
        T0,
    )
    assert photo is not None
    assert [(a.kind, a.ref, a.size) for a in photo.attachments] == [("photo", "b", 99)]
    doc = inbound_from_update(
        update_of(
            standin.message_update(
                7, document={"file_id": "d", "file_unique_id": "d", "mime_type": "application/pdf"}
            )
        ),
        ME,
        T0,
    )
    assert doc is not None
    assert [(a.kind, a.ref, a.mime_type) for a in doc.attachments] == [
        ("document", "d", "application/pdf")
    ]
    own = standin.message_update(
        7, contact={"phone_number": "0912345678", "first_name": "A", "user_id": 7}
    )
    other = standin.message_update(
        7, contact={"phone_number": "0988888888", "first_name": "B", "user_id": 8}
    )
    inbound_own = inbound_from_update(update_of(own), ME, T0)
    inbound_other = inbound_from_update(update_of(other), ME, T0)
    assert inbound_own is not None
    assert inbound_other is not None
    assert inbound_own.contact_phone == "0912345678"
    assert inbound_other.contact_phone is None  # only the person's own number counts
    deep = inbound_from_update(
        update_of(standin.message_update(7, text="/start cg")), ME, T0, ["CG"]
    )
    assert deep is not None
    assert deep.commune_hint == "CG"


def test_group_chatter_is_ignored_but_commands_replies_and_buttons_pass(
    standin: BotApiStandIn,
) -> None:
    group = -100777
    chatter = standin.message_update(5, chat=group, text="ăn trưa chưa mọi người")
    command = standin.message_update(5, chat=group, text="/tracuu@danvan_test_bot CG-2611-7KQ3XD")
    bot_message = {
        "message_id": 77,
        "date": 0,
        "chat": {"id": group, "type": "supergroup"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "danvan"},
        "text": "Hồ sơ mới",
    }
    reply = standin.message_update(5, chat=group, text="đã nhận", reply_to_message=bot_message)
    sent = SentMessage(
        77,
        str(group),
        "Hồ sơ mới",
        {"inline_keyboard": [[{"text": "Nhận", "callback_data": "o:1"}]]},
        T0,
    )
    press = standin.press_update(5, sent, "Nhận")
    other_bot = standin.message_update(5, chat=group, text="/help@another_bot")
    assert inbound_from_update(update_of(chatter), ME, T0) is None
    assert inbound_from_update(update_of(other_bot), ME, T0) is None
    passed = [inbound_from_update(update_of(u), ME, T0) for u in (command, reply, press)]
    assert all(p is not None and p.is_group and p.chat_id == str(group) for p in passed)
    assert passed[1] is not None
    assert passed[1].reply_to_message == "77"
    assert passed[2] is not None
    assert passed[2].button == "o:1"


def test_long_text_is_split_at_paragraphs_under_the_limit() -> None:
    paragraph = ("Thông báo lịch tiếp công dân tháng 12. " * 20).strip()
    text = "\n\n".join(f"{i}. {paragraph}" for i in range(12))
    parts = split_text(text)
    assert len(parts) > 1
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert all(re.match(r"^\d+\. ", p) for p in parts)  # each part starts at a paragraph
    assert "\n\n".join(parts) == text
    emoji = split_text("😀" * 3000)  # two UTF-16 units each
    assert [len(p) for p in emoji] == [2048, 952]
    assert split_text("ngắn") == ["ngắn"]
