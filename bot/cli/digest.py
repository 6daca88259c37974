"""`danvan digest`: the digest on demand, or one pass of the weekly schedule (`--due`)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.app import App
from bot.cli.common import config_option, run_async, settings_command
from bot.digest.job import (
    DigestScheduler,
    archive_folder,
    digest_chat,
    make_digest,
    queue_message,
    write_outputs,
)
from bot.digest.render import DigestRenderer
from bot.digest.weeks import IsoWeek
from bot.settings import Settings


@click.command()
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the week just ended).")
@click.option("--commune", help="The commune's short code (default: every commune).")
@click.option(
    "--out", type=click.Path(path_type=Path), help="Folder for the files (default: the archive)."
)
@click.option("--send", is_flag=True, help="Queue the message to the Văn phòng's chat.")
@click.option(
    "--due",
    is_flag=True,
    help="Run the weekly schedule once: make and send what is due and not yet sent.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Keep running the weekly schedule (checks every minute) until interrupted.",
)
@config_option
@settings_command(log="stderr")
def digest(
    settings: Settings,
    week: str | None,
    commune: str | None,
    out: Path | None,
    send: bool,
    due: bool,
    watch: bool,
) -> int:
    """Make the weekly digest: chat message, DOCX report, chart, HTML page."""
    return run_async(run_digest(settings, week, commune, out, send=send, due=due, watch=watch))


def default_week_hint(commune_code: str, received: int, this_week: IsoWeek) -> str:
    """Without --week the digest is of the week just ended: say so, with its count, and how to
    ask for the week under way (a newcomer's test records are in this week)."""
    made = this_week.previous().label
    return (
        f"danvan: {commune_code}: made week {made} (the week just ended): {received} record(s); "
        f"this week: --week {this_week.label}"
    )


async def run_digest(
    settings: Settings,
    week_text: str | None,
    commune_code: str | None,
    out: Path | None,
    *,
    send: bool,
    due: bool,
    watch: bool = False,
) -> int:
    communes = settings.communes
    if commune_code is not None:
        commune = settings.commune(commune_code)
        if commune is None:
            codes = ", ".join(c.code for c in settings.communes)
            print(
                f"danvan: --commune {commune_code}: not configured; use one of {codes}",
                file=sys.stderr,
            )
            return 2
        communes = (commune,)
    week: IsoWeek | None = None
    if week_text is not None:
        try:
            week = IsoWeek.parse(week_text)
        except ValueError as exc:
            print(f"danvan: --week: {exc}", file=sys.stderr)
            return 2
    renderer = DigestRenderer(settings.bot.templates_dir)
    status = 0
    async with await App.open(settings) as app:
        scheduler = DigestScheduler(settings, app.storage, renderer)
        if watch:
            await scheduler.run_forever()
        if due:
            for name in await scheduler.run_due():
                commune = settings.commune(name.split(":")[1])
                sent = commune is not None and commune.digest_chat_id is not None
                done = "made and queued" if sent else "made (no Văn phòng chat: archived only)"
                print(f"{name}: {done}", flush=True)
            return 0
        now = datetime.now(UTC)
        for commune in communes:
            this_week = IsoWeek.containing(now.astimezone(commune.timezone).date())
            chosen = week or this_week.previous()
            digest = await make_digest(app.storage, commune, chosen, settings, renderer, now)
            if week is None:
                print(
                    default_week_hint(commune.code, digest.current.received, this_week),
                    file=sys.stderr,
                )
            folder = out or archive_folder(settings, commune, chosen)
            files = write_outputs(digest, commune, renderer, folder)
            for path in files.paths:
                print(path)
            if send:
                chat = digest_chat(settings, commune)
                if chat is None:
                    print(
                        f"danvan: {commune.code}: no chat for the Văn phòng — set "
                        "communes.digest.chat_id or the VP office's chat_id",
                        file=sys.stderr,
                    )
                    status = 1
                    continue
                async with app.storage.transaction() as uow:
                    message_id = await queue_message(
                        uow, files, chat[0], chat[1], now, settings.storage.shared_files_dir
                    )
                print(f"queued as outbox message {message_id} to {chat[0]} chat {chat[1]}")
    return status
