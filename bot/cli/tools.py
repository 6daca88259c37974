"""`danvan chat`, `config check`, `ask`, `faq check`, `outbox status` and `broadcast`."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click

from bot.app import App
from bot.ask import ask as understand_texts
from bot.ask import check_faq
from bot.channels.console import chat as console_chat
from bot.cli import faq_model
from bot.cli.common import (
    commune_or_none,
    config_option,
    fail,
    local_time,
    run_async,
    settings_command,
)
from bot.public_holidays import configured, missing_holiday_warnings
from bot.settings import Settings
from domain.communes import CommuneSettings
from domain.messages import plain_text
from faq.knowledge import KnowledgeBaseError, load_deployment_knowledge
from handlers.broadcast import queue_broadcast
from handlers.text import match_form

COMMUNE_HELP = "The commune's short code (default: bot.default_commune)."


@click.command()
@click.option("--user", default="demo", show_default=True, help="Who you are in the chat.")
@click.option("--commune", help=COMMUNE_HELP)
@config_option
@settings_command(log="file")
def chat(settings: Settings, user: str, commune: str | None) -> int:
    """Talk to the bot in this terminal."""
    if commune is not None and settings.commune(commune) is None:
        codes = ", ".join(c.code for c in settings.communes)
        return fail(f"--commune {commune}: not configured; use one of {codes}")

    async def talk() -> int:
        async with await App.open(settings) as app:
            await console_chat(app, user, commune.upper() if commune else None)
        return 0

    try:
        return run_async(talk())
    except BrokenPipeError:
        # The reader left (`danvan chat | head`): end quietly, as a Unix tool does; what
        # was typed so far is kept (each line is its own transaction).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


@click.group()
@config_option
def config() -> None:
    """The configuration."""


@config.command("check")
@config_option
@settings_command()
def config_check(settings: Settings) -> int:
    """Check the configuration and print a summary."""
    print(config_summary(settings))
    return 0


def database_summary(settings: Settings) -> str:
    """The backend in use, and where: never the password of a PostgreSQL DSN."""
    storage = settings.storage
    if storage.backend != "postgres":
        return f"SQLite, {storage.sqlite_path}"
    where = "the DSN is not set"
    if storage.postgres_dsn is not None:
        parts = urlsplit(storage.postgres_dsn.reveal())
        try:
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            port = ":(not a port)"
        database = parts.path.lstrip("/") or "(default database)"
        where = f"{parts.hostname or 'local socket'}{port}/{database}"
    return f"PostgreSQL, {where} (pool of {storage.postgres_pool_size})"


def config_summary(settings: Settings) -> str:
    lines = [f"configuration: {settings.source}", f"database: {database_summary(settings)}"]
    for commune in settings.communes:
        offices = ", ".join(o.code for o in commune.offices)
        lines.append(
            f"commune {commune.code}: {commune.name} — offices {offices}; "
            f"{len(commune.hamlets)} hamlets; "
            f"{len(configured(commune.holidays))} holidays in the config"
        )
    warnings = missing_holiday_warnings(settings.communes, datetime.now(UTC))
    lines.extend(f"warning: {line}" for line in warnings)
    digest = settings.digest
    if digest.enabled:
        lines.append(
            f"weekly digest: Mondays {digest.send_time:%H:%M} local time, on {digest.channel}, "
            f"archived in {digest.archive_dir}"
        )
        for commune in settings.communes:
            chat_id = commune.digest_chat_id
            lines.append(
                f"  {commune.code}: "
                + (f"to chat {chat_id}" if chat_id else "no Văn phòng chat — files archived only")
            )
    else:
        lines.append("weekly digest: off (danvan digest makes it on demand)")
    return "\n".join(lines)


@click.command()
@click.option("--commune", help=COMMUNE_HELP)
@click.option("--json", "as_json", is_flag=True, required=True, help="Print JSON (required).")
@click.argument("text")
@config_option
@settings_command()
def ask(settings: Settings, commune: str | None, as_json: bool, text: str) -> int:
    """What the bot understands of a message (stores nothing).

    TEXT is the message, or - to read one message per line from stdin.
    """
    del as_json  # the only output format, asked for explicitly
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2
    texts = (line.rstrip("\n") for line in sys.stdin) if text == "-" else [text]
    for line in understand_texts(settings, chosen, texts):
        print(line, flush=True)
    return 0


@click.group()
@config_option
def faq() -> None:
    """Knowledge-base tools."""


@faq.command("check")
@config_option
@settings_command()
def faq_check(settings: Settings) -> int:
    """Validate the knowledge base."""
    problems = check_faq(settings)
    for problem in problems:
        print(problem)
    try:
        entries = len(load_deployment_knowledge(settings.bot.knowledge_dirs).entries)
    except KnowledgeBaseError:
        entries = 0  # the load error is among the problems printed above
    print(f"knowledge base: {entries} entries, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


faq.add_command(faq_model.corrections)
faq.add_command(faq_model.train)


@click.group()
@config_option
def outbox() -> None:
    """The queue of outgoing messages."""


_PRIORITY_NAMES = {0: "interactive", 1: "notification", 2: "broadcast"}


@outbox.command("status")
@config_option
@settings_command(log="stderr")
def outbox_status(settings: Settings) -> int:
    """How many messages are pending, sent and failed, per channel."""

    async def status() -> int:
        print(await _outbox_status(settings))
        return 0

    return run_async(status())


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
        queued = local_time(settings, oldest.created_at)
        lines.append(
            f"oldest pending: #{oldest.id} on {oldest.channel}, queued "
            f"{queued} ({int(age.total_seconds())} s ago), {oldest.attempts} attempts"
        )
    return "\n".join(lines)


@click.command()
@click.option(
    "--file", "path", type=click.Path(path_type=Path), required=True, help="The text, UTF-8."
)
@click.option("--commune", help="The commune's short code (default: the default).")
@click.option(
    "--hamlet",
    help="Only this thôn / tổ dân phố (and whole-commune subscribers); "
    "diacritics optional («Thon 3»).",
)
@click.option("--wait", is_flag=True, help="Show progress until every message has gone.")
@click.option(
    "--dry-run", is_flag=True, help="Show the message and how many would get it; send nothing."
)
@config_option
@settings_command(log="stderr")
def broadcast(
    settings: Settings,
    path: Path,
    commune: str | None,
    hamlet: str | None,
    wait: bool,
    dry_run: bool,
) -> int:
    """Queue an announcement to the citizens who subscribed."""
    chosen = settings.commune(commune or settings.bot.default_commune)
    if chosen is None:
        codes = ", ".join(c.code for c in settings.communes)
        return fail(f"--commune {commune}: not configured; use one of {codes}")
    if hamlet is not None:
        # as the chat does: «Thon 3», «thôn 3» and «Thôn 3» are the same thôn
        named = [h for h in chosen.hamlets if match_form(h) == match_form(hamlet)]
        if not named:
            return fail(
                f"--hamlet {hamlet!r}: not a hamlet of {chosen.code}; use one of "
                + ", ".join(chosen.hamlets)
            )
        hamlet = named[0]
    try:
        text = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"--file {path}: cannot read it as UTF-8 text ({exc})")
    if not text:
        return fail(f"--file {path}: the file is empty")
    if dry_run:
        return run_async(_preview(settings, chosen, text, hamlet))
    return run_async(_broadcast(settings, chosen, text, hamlet, wait))


_NOBODY = "; chưa có ai đăng ký nhận thông báo (nobody has subscribed yet: citizens use /thongbao)"


async def _preview(
    settings: Settings, commune: CommuneSettings, text: str, hamlet: str | None
) -> int:
    """--dry-run: the message as citizens will read it, and how many would get it."""
    async with await App.open(settings) as app:
        async with app.storage.transaction() as uow:
            count = len(await uow.subscriptions.list_for(commune.code, hamlet))
        body = app.renderer.render("broadcast", commune=commune, hamlet=hamlet, text=text)
    print(plain_text(body))
    print(
        f"--dry-run: would queue {count} messages to subscribers of {commune.code}"
        + (f" ({hamlet})" if hamlet else "")
        + (_NOBODY if not count else "")
        + "; nothing was sent",
        flush=True,
    )
    return 0


async def _broadcast(
    settings: Settings, commune: CommuneSettings, text: str, hamlet: str | None, wait: bool
) -> int:
    async with await App.open(settings) as app:
        async with app.storage.transaction() as uow:
            queued = await queue_broadcast(
                uow, app.renderer, commune, text, hamlet, datetime.now(UTC)
            )
        print(
            f"queued {queued.count} messages to subscribers of {commune.code}"
            + (f" ({hamlet})" if hamlet else "")
            + (_NOBODY if not queued.count else ""),
            flush=True,
        )
        if not wait or queued.first_id is None or queued.last_id is None:
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
