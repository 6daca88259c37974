"""Memory and start-up of a real `danvan run` on a big commune.

    python -m benchmarks memory [--json] [--citizens 100000] [--records 1000000]
                                [--conversations 10000] [--keep DIR]

Builds a SQLite database the way `benchmarks digest` does (N records with their events,
ratings and question log over two years) plus `--citizens` consented Telegram citizens who
own the records (about ten each). Then `danvan run` runs as a child process in polling mode
against `benchmarks.polling_botapi` in another process, with the README's config
(`config.example.toml`) pointed at the stand-in, and:

1. **first start of the day**: no daily job has run on this database, so the start-up runs
   the deadline reminders, follow-ups, outbox purge, retention and the week's digest over
   the 1M records. One `/start` waits in getUpdates; `startup_s` is from spawning the
   process to the stand-in receiving its reply.
2. **10,000 conversations** by distinct citizens, at most 50 at a time, each `/start`, a
   question about a procedure and `/cuatoi` (their ~10 records); a step is sent when the
   bot's reply to the previous one arrives. `rss_mb` is the process's VmRSS after them,
   `peak_rss_mb` its VmHWM.
3. **start after kill -9**: the process is SIGKILLed and a new one started at once (its
   predecessor's leases still held): time to the first reply.
4. **later start**: the process is stopped with SIGTERM and started again.

Goals (issue 17): `rss_mb` ≤ 150, every start-up ≤ 1.5 s. The review's reference
(`../shared/review/performance.md`): 62–66 MB steady, 126 MB peak with the digest at
start; later starts 0.64 s, first start of the day 4.0–5.8 s, after a kill 60.9 s.
Outbox pacing is raised in this run's config (1,000 messages a second, 600 a minute per
chat): the pacing has its own benchmark (`outbox`); here it would only make the run long.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from benchmarks.digest import populate
from benchmarks.outbox import _free_port
from benchmarks.polling_botapi import TOKEN, serve
from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[1]
GOAL_RSS_MB = 150.0
GOAL_STARTUP_S = 1.5
REFERENCE = {
    "rss_mb": 66,
    "peak_rss_mb": 126,
    "later_start_s": 0.64,
    "first_start_of_day_s": 5.8,
    "start_after_kill_s": 60.9,
}
QUESTION = "cho em hỏi làm giấy khai sinh cho con cần những giấy tờ gì ạ"
STEPS = ("/start", QUESTION, "/cuatoi")
IN_FLIGHT = 50
FIRST_CHAT = 1_000_000


def write_config(folder: Path, api_port: int, server_port: int) -> Path:
    text = (ROOT / "config.example.toml").read_text("utf-8")
    text = re.sub(r"\n# The Zalo Bot Platform channel.*?(?=\n# Pacing)", "", text, flags=re.DOTALL)
    replacements = {
        'base_url = ""': f'base_url = "http://127.0.0.1:{api_port}/bot"',
        "port = 8080": f"port = {server_port}",
        'data_dir = "data"': f'data_dir = "{folder / "data"}"',
        "messages_per_second = 30": "messages_per_second = 1000",
        "private_chat_per_minute = 60": "private_chat_per_minute = 600",
    }
    for old, new in replacements.items():
        if old not in text:
            raise RuntimeError(f"config.example.toml no longer has {old!r}")
        text = text.replace(old, new, 1)
    text = text.replace("port = 8080", f"port = {server_port}")
    config = folder / "config.toml"
    config.write_text(text, "utf-8")
    return config


def add_citizens(path: Path, citizens: int, consent_version: str) -> None:
    """N consented Telegram citizens (chat ids FIRST_CHAT + 1…N), who own the records in turn."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    (first,) = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM citizens").fetchone()
    conn.executemany(
        "INSERT INTO citizens (id, channel, external_id, commune_code, consent_at, "
        "consent_version, created_at) VALUES (?, 'telegram', ?, 'CG', ?, ?, ?)",
        (
            (first + i - 1, str(FIRST_CHAT + i), now, consent_version, now)
            for i in range(1, citizens + 1)
        ),
    )
    conn.execute("UPDATE records SET citizen_id = ((id - 1) % ?) + ?", (citizens, first))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


@dataclass
class Bot:
    proc: subprocess.Popen[bytes]
    started: float
    log: IO[str]

    def rss_mb(self, field: str = "VmRSS") -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no {field} for {self.proc.pid}")


def spawn(config: Path, folder: Path, log_name: str) -> Bot:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env |= {"PYTHONPATH": str(ROOT), "DANVAN_TELEGRAM_TOKEN": TOKEN}
    log = (folder / log_name).open("w")
    started = time.time()
    proc = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "bot.cli", "--config", str(config), "run"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    return Bot(proc, started, log)


async def _stats(client: httpx.AsyncClient, base: str, chat: str | None = None) -> dict[str, Any]:
    params = {"chat": chat} if chat else {}
    answer: dict[str, Any] = (await client.get(f"{base}/stats", params=params)).json()
    return answer


async def timed_start(
    client: httpx.AsyncClient, base: str, config: Path, folder: Path, chat: int, name: str
) -> tuple[Bot, float]:
    """Queue a /start from `chat`, spawn the bot, return it and the seconds to the reply."""
    await client.post(f"{base}/push", json={"chat": chat, "text": "/start"})
    bot = spawn(config, folder, f"{name}.log")
    deadline = time.time() + 180
    while time.time() < deadline:
        if bot.proc.poll() is not None:
            raise RuntimeError((folder / f"{name}.log").read_text("utf-8")[-3000:])
        arrived = (await _stats(client, base, str(chat)))["first_reply"]
        if arrived is not None:
            return bot, float(arrived) - bot.started
        await asyncio.sleep(0.01)
    raise RuntimeError(f"{name}: no reply within 180 s")


async def converse(client: httpx.AsyncClient, base: str, conversations: int) -> float:
    chats = [FIRST_CHAT + i for i in range(1, conversations + 1)]
    start = time.time()
    body = {"chats": chats, "steps": list(STEPS), "in_flight": IN_FLIGHT}
    await client.post(f"{base}/script", json=body)
    last, still = -1, 0
    while True:
        stats = await _stats(client, base)
        if stats["finished"] >= conversations:
            # the last replies of a conversation may still be on their way
            if stats["replies"] == last:
                still += 1
                if still >= 5:
                    break
            else:
                last, still = stats["replies"], 0
        await asyncio.sleep(0.2)
    return time.time() - start


async def measure(folder: Path, citizens: int, records: int, conversations: int) -> dict[str, Any]:
    api_port = _free_port()
    base = f"http://127.0.0.1:{api_port}"
    standin = multiprocessing.get_context("spawn").Process(target=serve, args=(api_port,))
    standin.start()
    config = write_config(folder, api_port, _free_port())
    settings = load_settings(config)
    path = settings.storage.sqlite_path
    result: dict[str, Any] = {"citizens": citizens, "records": records}
    bots: list[Bot] = []
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            for _ in range(200):
                try:
                    await client.get(f"{base}/stats")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            # the schema: one start on an empty database, stopped cleanly
            bot, result["empty_db_start_s"] = await timed_start(
                client, base, config, folder, 900_001, "empty"
            )
            bots.append(bot)
            _stop(bot, signal.SIGTERM)
            build = time.perf_counter()
            populate(path, settings, records)
            add_citizens(path, citizens, settings.bot.privacy_notice_version)
            with sqlite3.connect(path) as conn:
                conn.execute("DELETE FROM job_leases")  # today's jobs have not run yet
            result["build_s"] = round(time.perf_counter() - build, 1)
            result["db_mb"] = round(path.stat().st_size / 2**20)

            bot, result["first_start_of_day_s"] = await timed_start(
                client, base, config, folder, 900_002, "first"
            )
            bots.append(bot)
            result["rss_after_start_mb"] = round(bot.rss_mb(), 1)
            result["conversations"] = conversations
            result["conversations_s"] = round(await converse(client, base, conversations), 1)
            result["updates"] = conversations * len(STEPS)
            result["rss_mb"] = round(bot.rss_mb(), 1)
            result["peak_rss_mb"] = round(bot.rss_mb("VmHWM"), 1)
            _stop(bot, signal.SIGKILL)

            bot, result["start_after_kill_s"] = await timed_start(
                client, base, config, folder, 900_003, "after-kill"
            )
            bots.append(bot)
            _stop(bot, signal.SIGTERM)
            bot, result["later_start_s"] = await timed_start(
                client, base, config, folder, 900_004, "later"
            )
            bots.append(bot)
            _stop(bot, signal.SIGTERM)
    finally:
        for each in bots:
            if each.proc.poll() is None:
                each.proc.kill()
                each.proc.wait()
            each.log.close()
        standin.terminate()
        standin.join()
    return result


def _stop(bot: Bot, sig: signal.Signals) -> None:
    bot.proc.send_signal(sig)
    bot.proc.wait(timeout=30)


def figures(result: dict[str, Any]) -> dict[str, Any]:
    starts = [result[k] for k in ("first_start_of_day_s", "start_after_kill_s", "later_start_s")]
    out = {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}
    out["startup_s"] = round(max(starts), 3)
    out["goal_rss_mb"] = GOAL_RSS_MB
    out["goal_startup_s"] = GOAL_STARTUP_S
    out["reference"] = REFERENCE
    out["met"] = result["rss_mb"] <= GOAL_RSS_MB and max(starts) <= GOAL_STARTUP_S
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks memory")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build and keep the files in this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        result = figures(
            asyncio.run(measure(folder, args.citizens, args.records, args.conversations))
        )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0 if result["met"] else 1
