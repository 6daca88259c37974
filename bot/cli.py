"""The `danvan` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot import manage
from bot.app import App
from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("danvan")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="danvan",
        description="danvan: citizens talk to their commune's People's Committee.",
    )
    config_help = "configuration file (default: $DANVAN_CONFIG, ./config.toml, or the demo commune)"
    parser.add_argument("--config", type=Path, help=config_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--user", default="demo", help="who you are in the chat (default: demo)")
    chat.add_argument("--commune", help="the commune's short code (default: bot.default_commune)")
    check = sub.add_parser("config", help="check the configuration and print a summary")
    check.add_argument("action", choices=["check"])
    ask = sub.add_parser("ask", help="what the bot understands of a message (stores nothing)")
    ask.add_argument("--commune", help="the commune's short code (default: bot.default_commune)")
    ask.add_argument("--json", action="store_true", required=True, help="print JSON (required)")
    ask.add_argument("text", help="the message, or - to read one message per line from stdin")
    faq = sub.add_parser("faq", help="knowledge-base tools")
    faq.add_argument("action", choices=["check"], help="validate the knowledge base")
    digest = sub.add_parser(
        "digest", help="make the weekly digest: chat message, DOCX report, chart, HTML page"
    )
    digest.add_argument("--week", help="ISO week, e.g. 2026-W47 (default: the week just ended)")
    digest.add_argument("--commune", help="the commune's short code (default: every commune)")
    digest.add_argument("--out", type=Path, help="folder for the files (default: the archive)")
    digest.add_argument(
        "--send", action="store_true", help="queue the message to the Văn phòng's chat"
    )
    digest.add_argument(
        "--due",
        action="store_true",
        help="run the weekly schedule once: make and send what is due and not yet sent",
    )
    digest.add_argument(
        "--watch",
        action="store_true",
        help="keep running the weekly schedule (checks every minute) until interrupted",
    )
    sub.add_parser("run", help="serve the configured channels (Telegram) until stopped")
    outbox = sub.add_parser("outbox", help="the queue of outgoing messages")
    outbox.add_argument("action", choices=["status"])
    broadcast = sub.add_parser(
        "broadcast", help="queue an announcement to the citizens who subscribed"
    )
    broadcast.add_argument("--file", type=Path, required=True, help="the text, UTF-8")
    broadcast.add_argument("--commune", help="the commune's short code (default: the default)")
    broadcast.add_argument(
        "--hamlet", help="only this thôn / tổ dân phố (and whole-commune subscribers)"
    )
    broadcast.add_argument(
        "--wait", action="store_true", help="show progress until every message has gone"
    )
    manage.add_parsers(sub)
    # Every command takes --config after its name too (`danvan ask --config F …`).
    for command in sub.choices.values():
        command.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
    return parser


def _setup_logging(settings: Settings, to_file: bool) -> None:
    handler: logging.Handler
    if to_file:
        settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(settings.storage.data_dir / "danvan.log", encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.bot.log_level)
    # The HTTP client logs every request URL, which contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def _chat(settings: Settings, user: str, commune: str | None) -> int:
    from bot.channels.console import chat

    if commune is not None and settings.commune(commune) is None:
        codes = ", ".join(c.code for c in settings.communes)
        print(f"danvan: --commune {commune}: not configured; use one of {codes}", file=sys.stderr)
        return 2
    async with await App.open(settings) as app:
        await chat(app, user, commune.upper() if commune else None)
    return 0


def _ask(settings: Settings, commune_code: str | None, text: str) -> int:
    from bot.ask import ask

    commune = settings.commune(commune_code or settings.bot.default_commune)
    if commune is None:
        codes = ", ".join(c.code for c in settings.communes)
        print(
            f"danvan: --commune {commune_code}: not configured; use one of {codes}", file=sys.stderr
        )
        return 2
    texts = (line.rstrip("\n") for line in sys.stdin) if text == "-" else [text]
    for line in ask(settings, commune, texts):
        print(line, flush=True)
    return 0


def _faq_check(settings: Settings) -> int:
    from bot.ask import check_faq

    problems = check_faq(settings)
    for problem in problems:
        print(problem)
    print(f"knowledge base: {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def _config_summary(settings: Settings) -> str:
    lines = [f"configuration: {settings.source}", f"database: {settings.storage.sqlite_path}"]
    for commune in settings.communes:
        offices = ", ".join(o.code for o in commune.offices)
        lines.append(
            f"commune {commune.code}: {commune.name} — offices {offices}; "
            f"{len(commune.hamlets)} hamlets; {len(commune.holidays)} holidays"
        )
    digest = settings.digest
    if digest.enabled:
        lines.append(
            f"weekly digest: Mondays {digest.send_time:%H:%M} local time, on {digest.channel}, "
            f"archived in {digest.archive_dir}"
        )
        for commune in settings.communes:
            chat = commune.digest_chat_id
            lines.append(
                f"  {commune.code}: "
                + (f"to chat {chat}" if chat else "no Văn phòng chat — files archived only")
            )
    else:
        lines.append("weekly digest: off (danvan digest makes it on demand)")
    return "\n".join(lines)


def _fail(message: str) -> int:
    print(f"danvan: {message}", file=sys.stderr)
    return 2


async def _run(settings: Settings) -> int:
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.channels.telegram import TelegramChannel

    telegram = settings.telegram
    if telegram is None:
        return _fail(
            "no channel to run — add a [telegram] table to the configuration "
            "(see config.example.toml and the README, section Telegram)"
        )
    try:
        token = telegram.token()
        secret = telegram.webhook_secret() if telegram.mode == "webhook" else None
    except ConfigError as exc:
        return _fail(f"configuration problem: {exc}")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    async with await App.open(settings) as app:
        channel = TelegramChannel(app, telegram, token, webhook_secret=secret)
        from bot.daily import DailyJobs

        schedules = [asyncio.create_task(DailyJobs(app).run_forever(), name="daily-jobs")]
        digest = _start_digest_schedule(settings, app)
        if digest is not None:
            schedules.append(digest)
        try:
            await channel.serve(stopping)
        except InvalidToken:
            return _fail(
                f"Telegram refused the bot token in {telegram.token_env} — copy it again "
                "from @BotFather"
            )
        except NetworkError as exc:
            return _fail(
                f"cannot reach the Telegram Bot API ({type(exc).__name__}); check the network"
            )
        except TelegramError as exc:
            return _fail(f"Telegram refused to start the bot: {exc.message}")
        finally:
            for task in schedules:
                task.cancel()
            await asyncio.gather(*schedules, return_exceptions=True)
    return 0


def _start_digest_schedule(settings: Settings, app: App) -> asyncio.Task[None] | None:
    """The weekly digest runs beside the channel: due digests (and missed ones) at start,
    then a check every minute; the lease keeps it to one process (bot/digest/job.py)."""
    if not settings.digest.enabled:
        return None
    from bot.digest.job import DigestScheduler
    from bot.digest.render import DigestRenderer

    scheduler = DigestScheduler(settings, app.storage, DigestRenderer(settings.bot.templates_dir))
    return asyncio.create_task(scheduler.run_forever(), name="digest-schedule")


_PRIORITY_NAMES = {0: "interactive", 1: "notification", 2: "broadcast"}


async def _outbox_status(settings: Settings) -> str:
    async with await App.open(settings) as app, app.storage.transaction() as uow:
        counts = await uow.outbox.counts_by_channel()
        oldest = await uow.outbox.oldest_pending()
    totals: dict[str, int] = {"pending": 0, "sent": 0, "failed": 0}
    for (_channel, status, _priority), n in counts.items():
        totals[status] = totals.get(status, 0) + n
    lines = [
        f"outbox: {totals['pending']} pending, {totals['sent']} sent, {totals['failed']} failed"
    ]
    for channel in sorted({c for c, _, _ in counts}):
        pending = {p: n for (c, s, p), n in counts.items() if c == channel and s == "pending"}
        detail = ", ".join(f"{_PRIORITY_NAMES.get(p, p)} {n}" for p, n in sorted(pending.items()))
        lines.append(f"  {channel}: {sum(pending.values())} pending ({detail or 'none'})")
    if oldest is not None:
        age = datetime.now(UTC) - oldest.created_at
        lines.append(
            f"oldest pending: #{oldest.id} on {oldest.channel}, queued "
            f"{oldest.created_at:%Y-%m-%d %H:%M:%S} UTC ({int(age.total_seconds())} s ago), "
            f"{oldest.attempts} attempts"
        )
    return "\n".join(lines)


async def _broadcast(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.broadcast import queue_broadcast

    commune = settings.commune(args.commune or settings.bot.default_commune)
    if commune is None:
        codes = ", ".join(c.code for c in settings.communes)
        return _fail(f"--commune {args.commune}: not configured; use one of {codes}")
    if args.hamlet is not None and args.hamlet not in commune.hamlets:
        return _fail(
            f"--hamlet {args.hamlet!r}: not a hamlet of {commune.code}; use one of "
            + ", ".join(commune.hamlets)
        )
    try:
        text = args.file.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"--file {args.file}: cannot read it as UTF-8 text ({exc})")
    if not text:
        return _fail(f"--file {args.file}: the file is empty")
    async with await App.open(settings) as app:
        async with app.storage.transaction() as uow:
            queued = await queue_broadcast(
                uow, app.renderer, commune, text, args.hamlet, datetime.now(UTC)
            )
        print(
            f"queued {queued.count} messages to subscribers of {commune.code}"
            + (f" ({args.hamlet})" if args.hamlet else ""),
            flush=True,
        )
        if not args.wait or queued.first_id is None or queued.last_id is None:
            return 0
        while True:
            async with app.storage.transaction() as uow:
                progress = await uow.outbox.progress(queued.first_id, queued.last_id)
            print(
                f"sent {progress.get('sent', 0)}/{queued.count}, "
                f"failed {progress.get('failed', 0)}, pending {progress.get('pending', 0)}",
                flush=True,
            )
            if not progress.get("pending"):
                return 0
            await asyncio.sleep(5)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"danvan: configuration problem: {exc}", file=sys.stderr)
        return 2
    if args.command == "config":
        print(_config_summary(settings))
        return 0
    if args.command == "ask":
        return _ask(settings, args.commune, args.text)
    if args.command == "faq":
        return _faq_check(settings)
    if args.command == "digest":
        from bot.digest.cli import run_digest

        _setup_logging(settings, to_file=False)
        try:
            return asyncio.run(
                run_digest(
                    settings,
                    args.week,
                    args.commune,
                    args.out,
                    send=args.send,
                    due=args.due,
                    watch=args.watch,
                )
            )
        except KeyboardInterrupt:
            return 130
    _setup_logging(settings, to_file=args.command == "chat")
    if args.command in manage.COMMANDS:
        return asyncio.run(manage.run(args, settings))
    try:
        if args.command == "run":
            return asyncio.run(_run(settings))
        if args.command == "outbox":
            print(asyncio.run(_outbox_status(settings)))
            return 0
        if args.command == "broadcast":
            return asyncio.run(_broadcast(settings, args))
        return asyncio.run(_chat(settings, args.user, args.commune))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
