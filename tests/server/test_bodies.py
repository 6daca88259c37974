"""What the webhooks accept, over real HTTP: bodies bounded before they are read, every
malformed body a 400 (never a 500) with nothing stored, the Zalo Bot secret header, and a
replayed update doing nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import App
from bot.channels.telegram import SECRET_HEADER
from bot.channels.zalo_bot import SECRET_HEADER as ZALO_HEADER
from bot.config import Settings
from bot.server import DEFAULT_MAX_BODY
from tests.botapi import BotApiStandIn, FakeClock
from tests.support.telegram import WEBHOOK_SECRET, db_rows, running
from tests.support.zalo_bot import ZALO_CITIZEN, ZaloCitizen, running_zalo
from tests.zalobot import ZALO_SECRET, ZaloBotStandIn

MALFORMED: list[tuple[bytes, str]] = [
    (b"not json at all", "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b'{"update_id": 1', "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b'"just a string"', "application/json"),
    (b"42", "application/json"),
    (b"{}", "application/json"),
    (b'{"update_id": 7}', "text/plain"),
]
TELEGRAM_ONLY = [
    b'{"update_id": "7", "message": {}}',  # a string update_id
    b'{"update_id": true}',
    b'{"update_id": 9, "message": "not an object"}',
    b'{"update_id": 9, "message": {"message_id": "x", "chat": 5, "date": "soon"}}',
]
ZALO_ONLY = [
    b'{"event_name": "message.text.received"}',
    b'{"event_name": "message.text.received", "message": {"chat": {"id": 5}}}',
    b'{"event_name": "message.text.received", "message": {"message_id": "a1", "chat": {}}}',
    b'{"ok": true, "result": "nothing"}',
    b'{"event_name": 5, "message": {"message_id": "a1", "chat": {"id": "c"}}}',
]


def nothing_stored(settings: Settings) -> bool:
    return (
        db_rows(settings, "SELECT * FROM processed_updates") == []
        and db_rows(settings, "SELECT * FROM citizens") == []
    )


async def chunks(size: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        yield b" " * 65536
        sent += 65536


async def test_telegram_webhook_refuses_malformed_and_oversized_bodies(
    app: App, standin: BotApiStandIn, settings: Settings, sender_clock: FakeClock
) -> None:
    async with running(app, standin, "webhook", sender_clock) as channel:
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{channel.port}") as client:
            for path in ("/telegram/webhook", "/telegram/hook"):
                for body, kind in [*MALFORMED, *((b, "application/json") for b in TELEGRAM_ONLY)]:
                    answer = await client.post(
                        path, content=body, headers={**headers, "content-type": kind}
                    )
                    assert answer.status_code == 400, (path, body)
            big = b'{"update_id": 1, "x": "' + b"a" * DEFAULT_MAX_BODY + b'"}'
            answer = await client.post(
                "/telegram/webhook",
                content=big,
                headers={**headers, "content-type": "application/json"},
            )
            assert answer.status_code == 413
            streamed = await client.post(
                "/telegram/webhook",
                content=chunks(DEFAULT_MAX_BODY + 65536),
                headers={**headers, "content-type": "application/json"},
            )
            assert streamed.status_code == 413
            assert "content-length" not in {k.lower() for k in streamed.request.headers}
            ok = await client.post(
                "/telegram/webhook",
                json=standin.message_update(4242, text="/start"),
                headers=headers,
            )
            assert ok.status_code == 200
    assert len(db_rows(settings, "SELECT * FROM processed_updates")) == 1


async def test_zalo_bot_webhook_checks_the_secret_then_the_body(
    app: App, zalo: ZaloBotStandIn, settings: Settings, sender_clock: FakeClock
) -> None:
    async with running_zalo(app, zalo, "webhook", sender_clock) as channel:
        assert zalo.webhook_url == "https://bot.example.vn/zalo/bot/webhook"
        assert zalo.webhook_secret == ZALO_SECRET
        update = zalo.text_update(ZALO_CITIZEN, "/start")
        for secret in ("", "wrong-secret", ZALO_SECRET + "x", ZALO_SECRET[:-1]):
            assert await zalo.deliver(update, secret=secret) == 401
        assert nothing_stored(settings)
        url = f"http://127.0.0.1:{channel.port}/zalo/bot/webhook"
        async with httpx.AsyncClient() as client:
            for body, kind in [*MALFORMED, *((b, "application/json") for b in ZALO_ONLY)]:
                answer = await client.post(
                    url, content=body, headers={ZALO_HEADER: ZALO_SECRET, "content-type": kind}
                )
                assert answer.status_code == 400, body
            streamed = await client.post(
                url,
                content=chunks(DEFAULT_MAX_BODY + 65536),
                headers={ZALO_HEADER: ZALO_SECRET, "content-type": "application/json"},
            )
            assert streamed.status_code == 413
        assert nothing_stored(settings)

        citizen = ZaloCitizen(zalo, app, "webhook")
        await citizen.do(update)
        answered = len(zalo.to(ZALO_CITIZEN))
        assert answered >= 1
        await citizen.do(update)  # Zalo delivering the same message again changes nothing
        assert len(zalo.to(ZALO_CITIZEN)) == answered
    assert len(db_rows(settings, "SELECT * FROM processed_updates")) == 1


@pytest.mark.parametrize("wrapped", [False, True])
async def test_zalo_bot_webhook_takes_the_bare_and_the_wrapped_update(
    app: App, zalo: ZaloBotStandIn, settings: Settings, sender_clock: FakeClock, wrapped: bool
) -> None:
    async with running_zalo(app, zalo, "webhook", sender_clock):
        update = zalo.text_update(ZALO_CITIZEN, "/start")
        body = {"ok": True, "result": update} if wrapped else update
        assert await zalo.deliver(body) == 200
        await ZaloCitizen(zalo, app, "webhook").settled()
    assert len(db_rows(settings, "SELECT * FROM processed_updates")) == 1
