"""The `danvan` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app import App
from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("danvan")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="danvan",
        description="danvan: citizens talk to their commune's People's Committee.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        help="configuration file (default: $DANVAN_CONFIG, ./config.toml, or the demo commune)",
    )
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
    try:
        return asyncio.run(_chat(settings, args.user, args.commune))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
