"""Webhook mode (bot/channels/telegram/webhook.py): the secret header, and a 500 when storage
fails so that Telegram delivers the update again."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.app import App
from bot.channels.telegram import SECRET_HEADER
from bot.config import Settings
from tests.botapi import BotApiStandIn, FakeClock
from tests.support.labels import label
from tests.support.telegram import CITIZEN, WEBHOOK_SECRET, Citizen, db_rows, running


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
