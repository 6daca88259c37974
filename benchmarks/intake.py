"""Intake: the filing conversation through the full stack vs a bot as PTB's examples teach.

    python -m benchmarks intake [--json] [--citizens 200] [--rounds 6]
    python -m benchmarks intake --count [--citizens 50]   (statements per update)

Both bots take the same Telegram updates through a real PTB `Application.process_update`,
with the Bot API answered in process by `NullRequest` (no sockets), and both parse the
updates (`Update.de_json`) inside the timed section. danvan is wired as `danvan run` wires
it (`TelegramChannel`, the `App`, a SQLite file in WAL): every update is one committed
unit of work and its replies are queued in the outbox (the sender is not running, so what
is measured is intake, not delivery). The baseline is a `ConversationHandler` with its
state in memory that answers with `reply_text` and `query.answer()`, as PTB's
conversationbot example does. The flow is the README's: /start → Đồng ý → Gửi phản ánh →
Phản ánh → the description → Thôn 3 → "Bỏ qua" (a reply-keyboard label, typed) → Gửi ẩn
danh → Không công khai (issue 12's step; the baseline has the same) → Gửi: 10 updates
for each of `--citizens` distinct citizens, taken round-robin. Runs are interleaved
(baseline first in even rounds, danvan first in odd ones) and the ratio is the median of
the rounds' ratios. After each danvan run the records are counted.

The goal (issue 17) is ratio ≥ 0.8; the reference is the issue's measurement: 0.138.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from benchmarks.intake_baseline import baseline_application
from benchmarks.intake_count import count_steps
from benchmarks.null_request import NullRequest, callback_update, message_update
from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.config import Secret, StorageSettings, TelegramSettings, load_settings
from storage.sqlite import SqliteStorage

GOAL_RATIO = 0.8
REFERENCE_RATIO = 0.138
# (kind, value): a typed text or a pressed button's callback data, as danvan's own
# buttons carry it for this path (the step nonces are the conversation's own counter).
DANVAN_STEPS = [
    ("text", "/start"),
    ("press", "1:yes"),
    ("press", "m:file"),
    ("press", "3:kind:pa"),
    ("text", "DESCRIPTION"),
    ("press", "5:h:2"),
    ("text", "Bỏ qua"),
    ("press", "7:c:anon"),
    ("press", "8:pub:no"),
    ("press", "9:submit"),
]
BASELINE_STEPS = [
    ("text", "/start"),
    ("press", "yes"),
    ("press", "file"),
    ("press", "pa"),
    ("text", "DESCRIPTION"),
    ("press", "h:2"),
    ("text", "Bỏ qua"),
    ("press", "anon"),
    ("press", "no"),
    ("press", "submit"),
]


def description(n: int) -> str:
    # A report with no topic of its own, so that no two citizens' reports of one thôn are
    # offered as duplicates (that step would add an update for some citizens only). The
    # trained model (faq.model) finds a topic in any ordinary sentence; words it has never
    # seen make it guess none.
    return f"Phản ánh KTRW VLQP ZXNM BX{n}QZ"


def updates(steps: list[tuple[str, str]], first_chat: int, citizens: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind, value in steps:
        for n in range(citizens):
            chat = first_chat + n
            text = description(chat) if value == "DESCRIPTION" else value
            update_id = len(out) + first_chat * 10
            if kind == "text":
                out.append(message_update(update_id, chat, text))
            else:
                out.append(callback_update(update_id, chat, text))
    return out


async def timed(application: Application, batch: list[dict[str, Any]]) -> tuple[float, list[float]]:  # type: ignore[type-arg]
    bot = application.bot
    each: list[float] = []
    start = time.perf_counter()
    for data in batch:
        t = time.perf_counter()
        await application.process_update(Update.de_json(data, bot))
        each.append(time.perf_counter() - t)
    return time.perf_counter() - start, each


async def open_danvan(data: Path) -> tuple[App, Application]:  # type: ignore[type-arg]
    """danvan as `danvan run` wires it, on a SQLite file in `data`, PTB not initialised."""
    settings = load_settings(None)
    settings = replace(
        settings, storage=StorageSettings(data_dir=data, sqlite_path=data / "intake.sqlite3")
    )
    app = await App.open(settings)
    telegram = TelegramSettings(
        token_env="DANVAN_BENCH_TOKEN",  # noqa: S106 - a variable's name
        mode="polling",
        base_url=None,
        webhook_url=None,
        listen="127.0.0.1",
        port=0,
        secret_env="DANVAN_BENCH_SECRET",  # noqa: S106 - a variable's name
        download_files=False,
    )
    channel = TelegramChannel(
        app, telegram, Secret("123:BENCH"), request=NullRequest(), get_updates_request=NullRequest()
    )
    return app, channel.application


async def count(citizens: int, data: Path) -> dict[str, Any]:
    """Statements and worker-thread round trips per update (`benchmarks.intake_count`)."""
    app, danvan = await open_danvan(data)
    await danvan.initialize()
    try:
        if not isinstance(app.storage, SqliteStorage):
            raise TypeError("the count runs on SQLite")
        batch = updates(DANVAN_STEPS, 1_000_000, citizens)
        return await count_steps(danvan, app.storage, batch, DANVAN_STEPS, citizens)
    finally:
        await danvan.shutdown()
        await app.close()


async def run(citizens: int, rounds: int, data: Path) -> dict[str, Any]:
    app, danvan = await open_danvan(data)
    baseline = baseline_application(NullRequest())
    await danvan.initialize()
    await baseline.initialize()
    ratios: list[float] = []
    danvan_rates: list[float] = []
    baseline_rates: list[float] = []
    latencies: list[float] = []
    filed = 0
    try:
        for r in range(rounds + 1):  # round 0 warms both up and is not counted
            first = 1_000_000 + r * citizens
            ours = updates(DANVAN_STEPS, first, citizens)
            theirs = updates(BASELINE_STEPS, first, citizens)
            runs: list[tuple[str, Callable[[], Any]]] = [
                ("baseline", lambda b=theirs: timed(baseline, b)),
                ("danvan", lambda b=ours: timed(danvan, b)),
            ]
            if r % 2:
                runs.reverse()
            seconds: dict[str, float] = {}
            for name, go in runs:
                seconds[name], each = await go()
                if name == "danvan" and r:
                    latencies.extend(each)
            if r:
                danvan_rates.append(len(ours) / seconds["danvan"])
                baseline_rates.append(len(theirs) / seconds["baseline"])
                ratios.append(danvan_rates[-1] / baseline_rates[-1])
    finally:
        await danvan.shutdown()
        await baseline.shutdown()
        await app.close()
    with sqlite3.connect(data / "intake.sqlite3") as conn:
        filed = int(conn.execute("SELECT count(*) FROM records").fetchone()[0])
    latencies.sort()
    ratio = statistics.median(ratios)
    return {
        "benchmark": "intake",
        "citizens": citizens,
        "updates_per_run": len(DANVAN_STEPS) * citizens,
        "rounds": rounds,
        "records_filed": filed,
        "records_expected": citizens * (rounds + 1),
        "danvan_ups": round(statistics.median(danvan_rates), 1),
        "baseline_ups": round(statistics.median(baseline_rates), 1),
        "ratio": round(ratio, 3),
        "ratio_range": [round(min(ratios), 3), round(max(ratios), 3)],
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 3),
        "goal_ratio": GOAL_RATIO,
        "reference_ratio": REFERENCE_RATIO,
        "met": ratio >= GOAL_RATIO and filed == citizens * (rounds + 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks intake")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--count", action="store_true", help="statements per update, untimed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.count:
            counted = asyncio.run(count(args.citizens, Path(tmp)))
            print(json.dumps(counted, ensure_ascii=False, indent=None if args.json else 2))
            return 0
        result = asyncio.run(run(args.citizens, args.rounds, Path(tmp)))
    if not args.json:
        for key, value in result.items():
            print(f"{key}: {value}")
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["met"] else 1
