"""Sending through the Bot API (bot/channels/telegram/sender.py and the outbox): faults are
retried, what was pending goes out after a restart, long texts are split."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.app import App
from bot.channels.telegram import split_text
from bot.config import Settings
from tests.botapi import TIMEOUT, BotApiStandIn, FakeClock
from tests.conftest import T0
from tests.support.labels import label
from tests.support.telegram import Citizen, db_rows, eventually, running


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
