"""Polling that loses nothing (bot/channels/telegram/polling.py): an update is confirmed to
Telegram (by asking for a higher offset) only once it is handled. A real `danvan run` killed
with SIGKILL in the middle of a batch, then started again, handles every update exactly
once in effect."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path
from typing import Any

from telegram import Bot, Update

from bot.channels.telegram.polling import Poller
from bot.config import load_settings
from tests.botapi import TOKEN, BotApiStandIn, FakeClock, SentMessage
from tests.botapi_http import StandInRequest, serve_app, standin_app
from tests.conftest import T0
from tests.test_cli_telegram import ROOT, clean_env, write_config

PRESSER = 777  # presses a button whose answer the stand-in holds: the moment to kill
CITIZENS = range(1001, 1031)


def _menu_message(chat: int) -> SentMessage:
    markup = {"inline_keyboard": [[{"text": "Menu", "callback_data": "m:menu"}]]}
    return SentMessage(9, str(chat), "menu", markup, T0)


async def test_an_update_is_confirmed_only_after_it_is_handled() -> None:
    standin = BotApiStandIn(clock=FakeClock(T0))
    bot = Bot(TOKEN, request=StandInRequest(standin), get_updates_request=StandInRequest(standin))
    updates = [standin.push(standin.message_update(u, text="xin chào")) for u in (1, 2, 3)]
    standin.faults["getUpdates"] = [500]  # the first fetch fails: tried again after a pause
    handled: list[int] = []
    failures = {updates[1]["update_id"]: 1}  # the second fails once (storage down, say)
    stopping = asyncio.Event()

    async def handle(update: Update) -> None:
        # Nothing is confirmed before it is handled: all from this one on still wait.
        assert standin.waiting[0] <= update.update_id
        if failures.get(update.update_id):
            failures[update.update_id] -= 1
            raise RuntimeError("database is locked")
        handled.append(update.update_id)
        if len(handled) == 3:
            stopping.set()

    async with bot:
        poller = Poller(bot, handle, timeout=0.1, allowed_updates=["message"])
        await asyncio.wait_for(poller.run(stopping), 30)
    ids = [u["update_id"] for u in updates]
    assert handled == ids  # in order, the failed one again before the next
    # a clean stop confirmed what was handled
    assert standin.methods("getUpdates")[-1]["offset"] == ids[-1] + 1
    assert standin.waiting == []
    assert standin.methods("getUpdates")[0].get("offset") is None


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def _start(config: Path) -> asyncio.subprocess.Process:
    env = {**clean_env(), "DANVAN_TELEGRAM_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot.cli", "--config", str(config), "run"),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def _until(check: Any, what: str, process: asyncio.subprocess.Process) -> None:
    """Wait for what the bot does (a safety limit, not a timing)."""
    for _ in range(3000):
        if check():
            return
        if process.returncode is not None:
            break
        await asyncio.sleep(0.01)
    if process.returncode is None:
        process.kill()
    _out, err = await process.communicate()
    raise AssertionError(f"not seen: {what}\n{err.decode()[-3000:]}")


async def test_kill_9_in_the_middle_of_a_batch_loses_no_update(tmp_path: Path) -> None:
    standin = BotApiStandIn(clock=FakeClock(T0))
    before = [standin.push(standin.message_update(u, text="/start")) for u in CITIZENS[:15]]
    press = standin.push(standin.press_update(PRESSER, _menu_message(PRESSER), "Menu"))
    after = [standin.push(standin.message_update(u, text="/start")) for u in CITIZENS[15:]]
    ids = [u["update_id"] for u in [*before, press, *after]]
    reached, release = asyncio.Event(), asyncio.Event()

    async def hold_the_press(method: str, params: dict[str, Any]) -> None:
        if method == "answerCallbackQuery" and not reached.is_set():
            reached.set()  # the bot is inside the batch: 15 handled, 16 not yet
            await release.wait()

    standin.on_call = hold_the_press
    async with serve_app(standin_app(standin, timeout_delay=1.0)) as port:
        config = write_config(tmp_path, base_url=f"http://127.0.0.1:{port}/bot")
        db = load_settings(config).storage.sqlite_path
        first = await _start(config)
        try:
            await asyncio.wait_for(reached.wait(), 30)
            os.kill(first.pid, signal.SIGKILL)
            await first.wait()
        finally:
            release.set()
            if first.returncode is None:
                first.kill()
                await first.wait()
        assert first.returncode == -signal.SIGKILL
        done = {int(r[0]) for r in _rows(db, "SELECT update_id FROM processed_updates")}
        assert done == set(ids[:15])
        assert standin.waiting == ids  # nothing was confirmed that was not handled

        second = await _start(config)
        try:
            await _until(
                lambda: len(_rows(db, "SELECT 1 FROM processed_updates")) == len(ids),
                "every update handled",
                second,
            )
            second.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(second.communicate(), 30)
        finally:
            if second.returncode is None:
                second.kill()
                await second.wait()
        assert second.returncode == 0, err.decode()
    processed = [int(r[0]) for r in _rows(db, "SELECT update_id FROM processed_updates")]
    assert sorted(processed) == ids
    # handled once in effect: one citizen per person, one welcome each (queued; sending
    # waits for the killed process's outbox lease to lapse, which is another part of issue 15)
    citizens = _rows(db, "SELECT external_id FROM citizens")
    assert sorted(int(c[0]) for c in citizens) == sorted([*CITIZENS, PRESSER])
    per_chat = dict(_rows(db, "SELECT chat_id, count(*) FROM outbox GROUP BY chat_id"))
    welcomes = {per_chat[str(u)] for u in CITIZENS}
    assert len(welcomes) == 1, per_chat
    assert str(PRESSER) in per_chat
    assert standin.waiting == []  # the clean stop confirmed the last ones
