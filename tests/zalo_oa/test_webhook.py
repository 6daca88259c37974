"""The webhook over real HTTP: signed events kept and handled once; everything else refused
with nothing stored; an event answered 200 survives the process dying before its turn."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.app import App
from bot.channels.zalo_oa.webhook import InboxWorker
from tests.conftest import Clock
from tests.zalo_oa.conftest import Oa
from tests.zalo_oa.standin import APP_ID, emit, event, sign


async def inbox_count(oa: Oa) -> int:
    async with oa.app.storage.transaction() as uow:
        row = await uow._one("SELECT count(*) FROM zalo_oa_inbox")
    return int(row[0]) if row else 0


async def test_a_signed_event_is_kept_handled_and_answered(oa: Oa) -> None:
    response = await emit(oa.url, event(oa.standin, "user_send_text", "u1", text="Xin chào"))
    assert response.status_code == 200
    assert await inbox_count(oa) == 1
    assert await oa.deliver() == 1
    texts = oa.standin.texts_to("u1")
    assert texts, "the citizen got an answer over the OA"
    assert all("<" not in t for t in texts)  # plain text: no Telegram HTML


async def test_a_wrong_signature_is_refused_and_nothing_is_stored(oa: Oa) -> None:
    body = event(oa.standin, "user_send_text", "u1", text="Xin chào")
    data = json.dumps(body).encode()
    for mac in (
        sign(data, body["timestamp"], secret="not-the-secret"),  # noqa: S106
        sign(data, body["timestamp"], app_id="111"),  # another app's event
        sign(data + b" ", body["timestamp"]),  # other bytes than those sent
        sign(data, body["timestamp"])[4:],  # without the mac= prefix
        "",
    ):
        response = await emit(oa.url, body, mac=mac, raw=data)
        assert response.status_code == 401, mac
    assert await inbox_count(oa) == 0


async def test_the_body_is_verified_as_sent_not_as_reparsed(oa: Oa) -> None:
    body = event(oa.standin, "user_send_text", "u1", text="Xin chào")
    spaced = json.dumps(body, indent=2, ensure_ascii=False).encode()
    response = await emit(oa.url, body, mac=sign(spaced, body["timestamp"]), raw=spaced)
    assert response.status_code == 200
    assert await inbox_count(oa) == 1


async def test_a_stale_event_is_refused(oa: Oa, clock: Clock) -> None:
    old = event(oa.standin, "user_send_text", "u1", at=clock() - timedelta(seconds=600), text="a")
    assert (await emit(oa.url, old)).status_code == 401
    assert await inbox_count(oa) == 0


async def test_malformed_bodies_get_400_and_oversized_413(oa: Oa) -> None:
    assert (await emit(oa.url, {}, raw=b"not json", mac="mac=00")).status_code == 400
    big = {"timestamp": "1", "pad": "x" * 1_100_000}
    assert (await emit(oa.url, big)).status_code == 413
    assert await inbox_count(oa) == 0


async def test_a_replayed_event_does_nothing(oa: Oa) -> None:
    body = event(oa.standin, "user_send_text", "u1", text="Xin chào")
    for _ in range(3):
        assert (await emit(oa.url, body)).status_code == 200
    assert await inbox_count(oa) == 1
    await oa.deliver()
    first = list(oa.standin.sent)
    assert (await emit(oa.url, body)).status_code == 200
    assert await oa.deliver() == 0
    assert oa.standin.sent == first


async def test_an_echo_of_the_oa_is_not_kept(oa: Oa) -> None:
    body = event(oa.standin, "user_send_text", "u1", text="x")
    body["event_name"] = "oa_send_text"
    body["sender"], body["recipient"] = body["recipient"], body["sender"]
    assert (await emit(oa.url, body)).status_code == 200
    assert await inbox_count(oa) == 0


async def test_a_crash_after_answering_200_loses_no_event(oa: Oa, clock: Clock) -> None:
    response = await emit(oa.url, event(oa.standin, "user_send_text", "u1", text="Xin chào"))
    assert response.status_code == 200
    # The process dies here: nothing of the turn ran (this one's worker never runs). A new
    # process opens the same database and finds the event.
    reopened = await App.open(oa.app.settings)
    try:
        reopened.dispatcher.clock = clock
        worker = InboxWorker(reopened.storage, reopened.dispatcher, clock)
        assert await worker.drain() == 1
        async with reopened.storage.transaction() as uow:
            pending = await uow.outbox.pending("zalo_oa", clock(), 10)
        assert pending
        assert all(m.chat_id == "u1" for m in pending)
        assert await worker.drain() == 0
    finally:
        await reopened.close()
    assert await oa.worker.drain() == 0  # the first process, back, finds nothing left


async def test_the_app_id_of_the_body_does_not_choose_the_key(oa: Oa) -> None:
    body = event(oa.standin, "user_send_text", "u1", text="x")
    body["app_id"] = "111"
    data = json.dumps(body).encode()
    response = await emit(oa.url, body, mac=sign(data, body["timestamp"], app_id="111"), raw=data)
    assert response.status_code == 401
    assert body["app_id"] != APP_ID
