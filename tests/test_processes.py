"""Two real `danvan run` processes on one PostgreSQL database, in webhook mode against the
Bot API stand-in over HTTP: updates go to either process (some to both at once), and
the outbox sender's holder is then killed with SIGKILL.

Shown: one record per citizen, no message sent twice, one digest, and the other process
sending the replies within seconds of the kill (the sender lease is 3 s, bot/outbox.py).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.botapi import TOKEN, BotApiStandIn
from tests.botapi_http import serve_app, standin_app
from tests.conftest import POSTGRES_DSN, postgres_schema
from tests.support.cli import ROOT
from tests.support.labels import label
from tests.support.telegram import WEBHOOK_SECRET, eventually

pytestmark = pytest.mark.skipif(not POSTGRES_DSN, reason="DANVAN_TEST_POSTGRES_DSN not set")

VP_CHAT = "-100777"
STEPS = (
    "/start",
    label("btn.consent_yes"),
    label("btn.menu_file"),
    label("kind.phan_anh"),
    "Đèn đường ngõ {n} hỏng hai tuần nay",
    "Thôn {h}",  # a thôn each: the same topic in one thôn is offered as a duplicate
    label("btn.skip"),
    label("btn.anonymous"),
    label("btn.publish_no"),
    label("btn.submit"),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def write_config(folder: Path, api_port: int, port: int) -> Path:
    text = (ROOT / "config.example.toml").read_text("utf-8")
    # Telegram only: the Zalo channels' tables go (they would want their own secrets).
    text = re.sub(r"\n# The Zalo Bot Platform channel.*?(?=\n# Pacing)", "", text, flags=re.DOTALL)
    replacements = {
        'backend = "sqlite"': 'backend = "postgres"',
        'mode = "polling"': 'mode = "webhook"',
        'base_url = ""': f'base_url = "http://127.0.0.1:{api_port}/bot"',
        'url = ""': 'url = "https://bot.example.vn/telegram"',
        "port = 8080": f"port = {port}",
        'data_dir = "data"': f'data_dir = "{folder / "data"}"',
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    text = text.replace("port = 8080", f"port = {port}")  # [server] too: one web server
    text = text.replace('chat_id = ""', f'chat_id = "{VP_CHAT}"', 1)  # the digest's chat
    folder.mkdir(parents=True)
    config = folder / "config.toml"
    config.write_text(text, "utf-8")
    return config


class Process:
    def __init__(self, folder: Path, api_port: int, dsn: str) -> None:
        self.port = free_port()
        config = write_config(folder, api_port, self.port)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
        env |= {
            "PYTHONPATH": str(ROOT),
            "DANVAN_TELEGRAM_TOKEN": TOKEN,
            "DANVAN_TELEGRAM_SECRET": WEBHOOK_SECRET,
            "DANVAN_DATABASE_URL": dsn,
        }
        self.log = folder / "stderr.log"
        self._stderr = self.log.open("w")
        self.proc = subprocess.Popen(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "bot.cli", "--config", str(config), "run"],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def closed(self) -> None:
        self._stderr.close()

    def alive(self) -> bool:
        return self.proc.poll() is None


async def wait_healthy(client: httpx.AsyncClient, process: Process) -> None:
    for _ in range(600):
        assert process.alive(), process.log.read_text("utf-8")
        try:
            if (await client.get(f"{process.url}/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the process did not start serving")


@asynccontextmanager
async def processes(
    tmp: Path, api_port: int, count: int
) -> AsyncIterator[tuple[list[Process], str]]:
    async with postgres_schema() as schema:
        dsn = f"{POSTGRES_DSN}{'&' if '?' in POSTGRES_DSN else '?'}search_path={schema}"
        started: list[Process] = []
        try:
            # They start together: the migration lock lets one migrate.
            for n in range(count):
                started.append(Process(tmp / f"p{n}", api_port, dsn))
            yield started, dsn
        finally:
            for process in started:
                if process.alive():
                    process.proc.send_signal(signal.SIGTERM)
            for process in started:
                try:
                    process.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.proc.kill()
                    raise
                finally:
                    process.closed()


async def post(client: httpx.AsyncClient, process: Process, update: dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    response = await client.post(f"{process.url}/telegram", json=update, headers=headers)
    return response.status_code


async def rows(sql: str, schema_dsn: str) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(schema_dsn)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


async def test_two_processes_share_the_work_and_take_over_in_seconds(tmp_path: Path) -> None:
    standin = BotApiStandIn(clock=lambda: datetime.now(UTC))
    async with (
        serve_app(standin_app(standin, timeout_delay=0.1)) as api_port,
        processes(tmp_path, api_port, 2) as (procs, schema_dsn),
        httpx.AsyncClient(timeout=30) as client,
    ):
        for process in procs:
            await wait_healthy(client, process)
        citizens = [5001, 5002, 5003]
        turn = 0
        for step in STEPS:
            for n, user in enumerate(citizens):
                before = len(standin.to(user))
                update = standin.message_update(user, text=step.format(n=n, h=n + 1))
                targets = procs if (turn % 3 == 0) else [procs[turn % 2]]
                turn += 1
                answers = await asyncio.gather(*(post(client, p, update) for p in targets))
                assert set(answers) == {200}
                await eventually(lambda u=user, b=before: len(standin.to(u)) > b, f"{step}")
        records = await rows("SELECT code, description FROM records ORDER BY id", schema_dsn)
        assert len(records) == 3  # one per citizen, although some updates went to both
        assert sorted(r["description"] for r in records) == [
            f"Đèn đường ngõ {n} hỏng hai tuần nay" for n in range(3)
        ]
        codes = {r["code"] for r in records}

        def told(user: int) -> set[str]:
            return {code for m in standin.to(user) for code in codes if code in m.text}

        await eventually(lambda: all(told(u) for u in citizens), "the tracking codes")
        assert sorted(len(told(u)) for u in citizens) == [1, 1, 1]  # each their own
        deliveries = await rows("SELECT count(*) FROM outbox_deliveries", schema_dsn)
        assert len(standin.methods("sendMessage")) == deliveries[0][0]  # none sent twice
        # One digest, from whichever process ran it first.
        await eventually(
            lambda: any("TUẦN" in m.text for m in standin.to(VP_CHAT)), "the digest", 30
        )
        digests = await rows(
            "SELECT name, done_at FROM job_leases WHERE name LIKE 'digest:%'", schema_dsn
        )
        assert [r["done_at"] is not None for r in digests] == [True]
        assert sum("TUẦN" in m.text for m in standin.to(VP_CHAT)) == 1
        # Kill the sender with SIGKILL; the other process sends the next reply.
        lease = await rows(
            "SELECT holder FROM job_leases WHERE name = 'outbox-sender:telegram'", schema_dsn
        )
        holder_pid = int(lease[0]["holder"].split(":")[1])
        victim = next(p for p in procs if p.proc.pid == holder_pid)
        survivor = next(p for p in procs if p is not victim)
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(timeout=10)
        killed_at = asyncio.get_running_loop().time()
        before = len(standin.to(citizens[0]))
        update = standin.message_update(citizens[0], text="/start")
        assert await post(client, survivor, update) == 200
        await eventually(lambda: len(standin.to(citizens[0])) > before, "a reply after the kill")
        took = asyncio.get_running_loop().time() - killed_at
        assert took < 5.0, f"the survivor sent after {took:.1f} s"
