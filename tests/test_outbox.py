"""The outbox sender through the real Telegram sender and PTB, with the Bot API stand-in
wired in process (`StandInRequest`) and a fake clock: pacing, priorities, errors,
exactly-once, and announcements."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot

from bot.app import App
from bot.channels.telegram import TelegramSender, split_text
from bot.config import OutboxSettings, Settings
from bot.outbox import OutboxSender
from bot.shared_files import share
from domain.messages import Inbound, Priority, Reply
from handlers.broadcast import queue_broadcast
from tests.botapi import TOKEN, BotApiStandIn, FakeClock
from tests.botapi_http import StandInRequest
from tests.conftest import T0, Chat
from tests.support.labels import label
from tests.support.records import rows

PACE = OutboxSettings(
    messages_per_second=30, private_chat_per_minute=60, group_per_minute=20, retry_max_seconds=300
)


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def standin(fake_clock: FakeClock) -> BotApiStandIn:
    return BotApiStandIn(clock=fake_clock)


@pytest.fixture
async def sender(
    app: App, standin: BotApiStandIn, fake_clock: FakeClock
) -> AsyncIterator[OutboxSender]:
    bot = Bot(TOKEN, request=StandInRequest(standin))
    async with bot:
        yield OutboxSender(
            app.storage,
            TelegramSender(bot, app.renderer),
            PACE,
            clock=fake_clock,
            sleep=fake_clock.sleep,
        )


async def enqueue(
    app: App, chat_id: str, text: str, priority: Priority = Priority.INTERACTIVE, **kw: object
) -> int:
    reply = Reply(channel="telegram", chat_id=chat_id, text=text, priority=priority, **kw)  # type: ignore[arg-type]
    async with app.storage.transaction() as uow:
        return await uow.outbox.enqueue(reply, T0)


async def status_of(app: App) -> dict[str, int]:
    found = await rows(app, "SELECT status, count(*) FROM outbox GROUP BY status")
    return {row[0]: row[1] for row in found}


async def test_pacing_per_chat_per_group_and_overall(
    app: App, sender: OutboxSender, standin: BotApiStandIn
) -> None:
    for n in range(10):
        for chat in ("1", "2", "3", "-1001"):
            await enqueue(app, chat, f"tin {n} cho {chat}")
    for chat in range(100, 160):
        await enqueue(app, str(chat), "một tin")
    await sender.drain()
    assert len(standin.sent) == 100
    by_chat: dict[str, list[datetime]] = defaultdict(list)
    for message in standin.sent:
        by_chat[message.chat_id].append(message.at)
    for chat, times in by_chat.items():
        gap = timedelta(seconds=3 if chat.startswith("-") else 1)
        assert all(b - a >= gap for a, b in itertools.pairwise(times)), chat
    # each chat's messages in the order they were queued
    assert [m.text for m in standin.to("1")] == [f"tin {n} cho 1" for n in range(10)]
    times = [m.at for m in standin.sent]
    for i, start in enumerate(times):
        assert sum(1 for t in times[i:] if t - start < timedelta(seconds=1)) <= 30


async def test_a_broadcast_to_thousands_does_not_hold_back_a_reply(
    app: App, sender: OutboxSender, standin: BotApiStandIn, fake_clock: FakeClock
) -> None:
    commune = app.settings.communes[0]
    async with app.storage.transaction() as uow:
        for n in range(2000):
            citizen = await uow.citizens.create("telegram", str(10_000 + n), T0)
            await uow.citizens.set_consent(citizen.id, T0, "v")
            await uow.subscriptions.save(citizen.id, commune.code, None, T0)
        queued = await queue_broadcast(
            uow, app.renderer, commune, "Lịch cắt điện thứ Bảy", None, T0
        )
    assert queued.count == 2000
    asked_at: list[datetime] = []
    asker = "10500"  # also a subscriber, so the per-chat limit applies to the reply too

    async def citizen_writes(message: object) -> None:
        if len(standin.sent) == 600:
            asked_at.append(fake_clock())
            await app.dispatcher.handle(
                Inbound(
                    channel="telegram",
                    update_id="u-mid-broadcast",
                    user_id=asker,
                    chat_id=asker,
                    received_at=T0,
                    text="/trogiup",
                )
            )

            sender.wake()  # as the channel does after handing an update to the core

    standin.on_send = citizen_writes
    await sender.drain()
    replies = [m for m in standin.to(asker) if "Thông báo của UBND" not in m.text]
    assert replies
    assert len(standin.sent) == 2000 + len(replies)
    assert replies[0].at - asked_at[0] <= timedelta(seconds=1 + 1 / 30 + 1e-6)
    assert standin.sent[-1].at - T0 >= timedelta(seconds=2000 / 30 - 1)  # paced at ~30/s


async def test_permanent_errors_are_recorded_and_not_retried(
    app: App, sender: OutboxSender, standin: BotApiStandIn, settings: Settings
) -> None:
    standin.faults["sendMessage"] = [403, 400]
    blocked = await enqueue(app, "21", "chặn bot")
    missing = await enqueue(app, "22", "không có chat")
    fine = await enqueue(app, "23", "bình thường")
    await sender.drain()
    assert [m.chat_id for m in standin.sent] == ["23"]
    found = await rows(app, "SELECT id, status || ':' || coalesce(last_error, '') FROM outbox")
    outcome = {row[0]: row[1] for row in found}
    assert outcome[blocked].startswith("failed:Forbidden")
    assert "chat not found" in outcome[missing].casefold()
    assert outcome[fine] == "sent:"
    assert len(standin.methods("sendMessage")) == 3


async def test_429_pauses_everything_and_5xx_backs_off(
    app: App, sender: OutboxSender, standin: BotApiStandIn
) -> None:
    standin.faults["sendMessage"] = [429, 500, 500]
    standin.retry_after = 5
    for chat in ("31", "32", "33"):
        await enqueue(app, chat, f"cho {chat}")
    await sender.drain()
    assert sorted(m.chat_id for m in standin.sent) == ["31", "32", "33"]
    assert min(m.at for m in standin.sent) - T0 >= timedelta(seconds=5)
    assert len(standin.methods("sendMessage")) == 6


async def test_a_split_message_resumes_after_a_crash_and_nothing_goes_twice(
    app: App, sender: OutboxSender, standin: BotApiStandIn, settings: Settings
) -> None:
    long_text = "\n\n".join(["Đoạn " + "x" * 3000] * 3)
    assert len(split_text(long_text)) == 3
    partial = await enqueue(app, "41", long_text)
    done_but_unmarked = await enqueue(app, "42", "đã gửi trước khi sập")
    async with app.storage.transaction() as uow:
        # the previous process sent part 0 of the first, and all of the second, then died
        await uow.outbox.record_delivery(partial, 0, "telegram", "41", "1", T0)
        await uow.outbox.record_delivery(done_but_unmarked, 0, "telegram", "42", "2", T0)
    await sender.drain()
    assert [m.chat_id for m in standin.sent] == ["41", "41"]
    assert (await status_of(app)) == {"sent": 2}
    async with app.storage.transaction() as uow:
        assert await uow.outbox.sent_parts(partial) == 3
    # a second sender (another restart) finds nothing to do
    await sender.drain()
    assert len(standin.sent) == 2


async def test_a_reply_to_a_notification_finds_its_record(
    app: App, sender: OutboxSender, standin: BotApiStandIn
) -> None:
    await enqueue(
        app,
        "-1002",
        "Hồ sơ mới CG-2611-7KQ3XD",
        Priority.NOTIFICATION,
        record_code="CG-2611-7KQ3XD",
    )
    await sender.drain()
    sent = standin.to("-1002")[0]
    async with app.storage.transaction() as uow:
        code = await uow.outbox.record_code_for_message("telegram", "-1002", str(sent.message_id))
        unknown = await uow.outbox.record_code_for_message("telegram", "-1002", "1")
    assert code == "CG-2611-7KQ3XD"
    assert unknown is None


async def test_buttons_and_the_location_keyboard_reach_telegram(
    app: App, sender: OutboxSender, standin: BotApiStandIn
) -> None:
    from domain.messages import Button

    await enqueue(app, "51", "<b>Chọn</b>", rows=((Button("Gửi", "3:submit"),),))
    await enqueue(
        app, "52", "Vị trí?", rows=((Button("Bỏ qua", "4:skip"),),), request_location=True
    )
    await sender.drain()
    assert standin.to("51")[0].inline_buttons == {"Gửi": "3:submit"}
    assert standin.to("52")[0].keyboard_labels == [label("btn.send_location"), label("btn.skip")]
    assert all(p["parse_mode"] == "HTML" for p in standin.methods("sendMessage"))


# --- announcements -----------------------------------------------------------------------


async def test_citizens_subscribe_by_hamlet_and_erasing_unsubscribes(
    app: App, clock: object
) -> None:
    commune = app.settings.communes[0]
    whole, hamlet, declined = (
        Chat(app, "61", "telegram"),
        Chat(app, "62", "telegram"),
        Chat(app, "63", "telegram"),
    )
    await whole.agree()
    await whole.press(label("btn.menu_announce"))
    await whole.press(label("btn.announce_all"))
    assert whole.says("announce_subscribed", hamlet=None)
    await hamlet.agree()
    await hamlet.press(label("btn.menu_announce"))
    await hamlet.press(commune.hamlets[1])
    assert hamlet.says("announce_subscribed", hamlet=commune.hamlets[1])
    await declined.send("/start")
    await declined.press(label("btn.consent_no"))
    assert label("btn.menu_announce") not in declined.labels
    now = datetime(2026, 11, 27, tzinfo=UTC)
    async with app.storage.transaction() as uow:
        to_hamlet = await queue_broadcast(
            uow, app.renderer, commune, "Họp thôn <tối nay>", commune.hamlets[1], now
        )
        to_other = await queue_broadcast(
            uow, app.renderer, commune, "Họp thôn khác", commune.hamlets[0], now
        )
        pending = await uow.outbox.pending("telegram", now, 100)
    assert (to_hamlet.count, to_other.count) == (2, 1)
    texts = [m.payload["text"] for m in pending if m.priority == Priority.BROADCAST]
    assert "Họp thôn &lt;tối nay&gt;" in texts[0]
    # changing one's mind, then erasing
    await hamlet.press(label("btn.menu_announce"))
    await hamlet.press(label("btn.announce_stop"))
    assert hamlet.says("announce_stopped")
    await whole.send("/xoadulieu")
    await whole.press(label("btn.erase_yes"))
    async with app.storage.transaction() as uow:
        assert await uow.subscriptions.list_for(commune.code) == []


async def test_files_named_by_a_reply_follow_its_text(
    app: App, sender: OutboxSender, standin: BotApiStandIn, tmp_path: Path
) -> None:
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG fake")
    report = tmp_path / "bao-cao.docx"
    report.write_bytes(b"PK fake docx")
    extra = {"kind": "digest", "photo": str(chart), "document": str(report)}
    await enqueue(app, "-1009", "Báo cáo tuần", Priority.NOTIFICATION, extra=extra)
    missing = {"document": str(tmp_path / "gone.docx")}
    await enqueue(app, "-1009", "Tuần trước", Priority.NOTIFICATION, extra=missing)
    await sender.drain()
    assert [m.text for m in standin.to("-1009")] == [
        "Báo cáo tuần",
        "[photo]",
        "[document]",
        "Tuần trước",
    ]
    document = standin.methods("sendDocument")[0]
    assert str(document["chat_id"]) == "-1009"
    assert (await status_of(app)) == {"sent": 1, "failed": 1}  # the text went; the file is gone


async def test_a_long_message_does_not_hold_up_other_chats(
    app: App, sender: OutboxSender, standin: BotApiStandIn
) -> None:
    paragraph = "Thông báo lịch tiêm chủng. " * 120  # ~3,200 characters
    await enqueue(app, "-1007", "\n\n".join([paragraph] * 3), Priority.BROADCAST)  # 3 parts
    await enqueue(app, "42", "trả lời", Priority.INTERACTIVE)
    await sender.drain()
    order = [m.chat_id for m in standin.sent]
    assert order.count("-1007") == 3
    assert order.index("42") < len(order) - 1  # the reply went between the parts
    group = [m.at for m in standin.to("-1007")]
    assert all((b - a).total_seconds() >= 3 for a, b in itertools.pairwise(group))


async def test_files_stored_in_the_database_are_sent_by_any_process(
    app: App,
    sender: OutboxSender,
    standin: BotApiStandIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = tmp_path / "maker"  # the process that made the digest, on another machine
    made.mkdir()
    (made / "bieu-do.png").write_bytes(b"\x89PNG fake")
    (made / "bao-cao.docx").write_bytes(b"PK fake docx")
    async with app.storage.transaction() as uow:
        photo = await share(uow, made / "bieu-do.png", None, T0)
        document = await share(uow, made / "bao-cao.docx", None, T0)
        gone = await share(uow, made / "bao-cao.docx", None, T0)
        await uow._exec("DELETE FROM shared_files WHERE id = ?", (int(gone[3:]),))
    shutil.rmtree(made)  # the sender cannot see the maker's folder
    extra = {"kind": "digest", "photo": photo, "document": document}
    await enqueue(app, "-1009", "Báo cáo tuần", Priority.NOTIFICATION, extra=extra)
    await enqueue(app, "-1009", "Tuần trước", Priority.NOTIFICATION, extra={"document": gone})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    await sender.drain()
    assert [m.text for m in standin.to("-1009")] == [
        "Báo cáo tuần",
        "[photo]",
        "[document]",
        "Tuần trước",
    ]
    assert (await status_of(app)) == {"sent": 1, "failed": 1}  # a file gone fails for good
    assert list(scratch.iterdir()) == []  # the temporary copies were deleted after sending
