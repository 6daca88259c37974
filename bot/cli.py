"""The `danvan` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
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
    manage.add_parsers(sub)
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


def _config_summary(settings: Settings) -> str:
    lines = [f"configuration: {settings.source}", f"database: {settings.storage.sqlite_path}"]
    for commune in settings.communes:
        offices = ", ".join(o.code for o in commune.offices)
        lines.append(
            f"commune {commune.code}: {commune.name} — offices {offices}; "
            f"{len(commune.hamlets)} hamlets; {len(commune.holidays)} holidays"
        )
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
    _setup_logging(settings, to_file=args.command == "chat")
    if args.command in manage.COMMANDS:
        return asyncio.run(manage.run(args, settings))
    try:
        return asyncio.run(_chat(settings, args.user, args.commune))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
