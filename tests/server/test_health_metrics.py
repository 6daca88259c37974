"""`/healthz` and `/metrics` over HTTP: healthy, then each way of being unhealthy (storage
unreachable, a sender stopped, the outbox stuck), and the counters a channel feeds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.app import App
from bot.server import Health, Metrics, WebServer, build_app
from domain.messages import Priority, Reply
from tests.botapi import FakeClock
from tests.conftest import T0
from tests.support.zalo_bot import ZaloCitizen, running_zalo
from tests.zalobot import ZaloBotStandIn


@asynccontextmanager
async def serving(health: Health, metrics: Metrics) -> AsyncIterator[httpx.AsyncClient]:
    server = WebServer(build_app([], health, metrics), "127.0.0.1", 0)
    port = await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        await server.stop()


async def test_healthz_is_200_when_all_is_well_and_503_with_the_reason_otherwise(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [T0]
    metrics = Metrics()
    health = Health(app.storage, metrics, max_outbox_age_seconds=900, clock=lambda: now[0])
    alive = [True]
    health.watch("telegram", lambda: alive[0])
    async with serving(health, metrics) as client:
        answer = await client.get("/healthz")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.json() == {
            "status": "ok",
            "storage": "ok",
            "senders": {"telegram": "alive"},
            "outbox": {"pending": 0, "pending_by_channel": {}, "oldest_pending_seconds": 0.0},
            "problems": [],
        }

        async with app.storage.transaction() as uow:
            await uow.outbox.enqueue(Reply("telegram", "77", "Xin chào"), T0)
            await uow.outbox.enqueue(
                Reply("zalo_bot", "ab", "Chào", priority=Priority.BROADCAST), T0
            )
        now[0] = T0 + timedelta(minutes=5)
        body = (await client.get("/healthz")).json()
        assert body["outbox"] == {
            "pending": 2,
            "pending_by_channel": {"telegram": 1, "zalo_bot": 1},
            "oldest_pending_seconds": 300.0,
        }
        now[0] = T0 + timedelta(minutes=20)
        stuck = await client.get("/healthz")
        assert stuck.status_code == 503
        assert stuck.json()["problems"] == ["outbox stuck"]

        now[0] = T0
        alive[0] = False
        stopped = await client.get("/healthz")
        assert stopped.status_code == 503
        assert stopped.json()["senders"] == {"telegram": "stopped"}
        assert stopped.json()["problems"] == ["sender telegram stopped"]

        alive[0] = True

        def unreachable() -> Any:
            raise OSError("database file gone")

        monkeypatch.setattr(app.storage, "transaction", unreachable)
        down = await client.get("/healthz")
        assert down.status_code == 503
        assert down.json()["storage"] == "unreachable"
        assert down.json()["problems"] == ["storage unreachable"]
        metrics_page = await client.get("/metrics")  # metrics still answer
        assert metrics_page.status_code == 200


async def test_metrics_count_updates_replies_and_the_outbox_by_channel(
    app: App, zalo: ZaloBotStandIn, sender_clock: FakeClock
) -> None:
    metrics = Metrics()
    health = Health(app.storage, metrics)
    async with running_zalo(app, zalo, "polling", sender_clock, metrics) as channel:
        health.watch("zalo_bot", channel.sender_alive)
        citizen = ZaloCitizen(zalo, app)
        await citizen.send("/start")
        await citizen.do(zalo.sticker_update(citizen.user))
        async with serving(health, metrics) as client:
            assert (await client.get("/healthz")).json()["senders"] == {"zalo_bot": "alive"}
            page = await client.get("/metrics")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    text = page.text
    assert 'danvan_updates_total{channel="zalo_bot",outcome="handled"} 2.0' in text
    assert 'danvan_update_handling_seconds_count{channel="zalo_bot"} 2.0' in text
    sent = len(zalo.sent)
    assert f'danvan_replies_total{{channel="zalo_bot",result="sent"}} {sent}.0' in text
    assert 'danvan_outbox_pending{channel="zalo_bot"} 0.0' in text
    assert "danvan_outbox_oldest_pending_seconds 0.0" in text
    assert "# TYPE danvan_zalo_oa_token_age_seconds gauge" in text
    assert citizen.user not in text  # labels are channel names, never people


async def test_a_channel_report_reaches_healthz_and_the_token_gauge(app: App) -> None:
    metrics = Metrics()
    health = Health(app.storage, metrics)
    state: dict[str, Any] = {"ok": True, "authorization": "ok", "token_age_seconds": 120}

    async def report() -> dict[str, Any]:  # as the Zalo OA channel's `health`
        return dict(state)

    health.describe("zalo_oa", report)
    async with serving(health, metrics) as client:
        fine = await client.get("/healthz")
        scraped = (await client.get("/metrics")).text
        state.update(ok=False, authorization="refresh failed")
        failing = await client.get("/healthz")
    assert fine.status_code == 200
    assert fine.json()["channels"]["zalo_oa"]["token_age_seconds"] == 120
    assert "danvan_zalo_oa_token_age_seconds 120.0" in scraped
    assert failing.status_code == 503
    assert failing.json()["problems"] == ["zalo_oa: refresh failed"]
