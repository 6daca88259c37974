"""`danvan official …` and `danvan jobs …`: managing officials and running scheduled work.

Each command opens the app, does one thing, prints a short result in English (the
operator's console), and exits 0, or 2 with a message naming the problem.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from bot.app import App
from bot.cli.common import (
    commune_or_none,
    config_option,
    fail,
    local_time,
    run_async,
    settings_command,
)
from bot.jobs import enqueue_notifications, run_deadline_reminders, run_followups
from bot.settings import Settings
from domain.records import OfficialRole
from handlers import invites
from handlers.notify import Notifier
from handlers.officials.admin import tell_reassign
from handlers.officials.weblink import LINK_VALID, make_link


@click.group()
@config_option
def official() -> None:
    """Manage officials: invite, list, revoke, web console links."""


@official.command()
@click.option("--office", required=True, help="The office's code, e.g. KT.")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in OfficialRole]), help="The role."
)
@click.option("--name", help="The official's name as colleagues see it.")
@click.option("--commune", help="The commune's code (default: bot.default_commune).")
@config_option
@settings_command(log="stderr")
def invite(
    settings: Settings, office: str, role: str, name: str | None, commune: str | None
) -> int:
    """Make a one-time invite code (/thamgia CODE)."""
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2

    async def make() -> int:
        now = datetime.now(UTC)
        async with await App.open(settings) as app:
            try:
                async with app.storage.transaction() as uow:
                    made = await invites.make_invite(
                        uow, settings, chosen, office, OfficialRole(role), name, "cli", now
                    )
            except invites.InviteError:
                codes = ", ".join(o.code for o in chosen.offices)
                return fail(
                    f"--office {office}: not an office of {chosen.code}; use one of {codes}"
                )
        print(f"invite code: {made.code}")
        until = local_time(settings, made.expires_at, chosen)
        print(f"office {made.office_code}, role {made.role.value}, valid until {until}")
        print(f"the official sends the bot: /thamgia {made.code}")
        return 0

    return run_async(make())


@official.command("list")
@click.option("--commune", help="Only this commune.")
@config_option
@settings_command(log="stderr")
def list_officials(settings: Settings, commune: str | None) -> int:
    """List active officials."""

    async def show() -> int:
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            officials = await uow.officials.list_active(commune.upper() if commune else None)
        for o in officials:
            print(
                f"{o.id}\t{o.commune_code}\t{o.office_code}\t{o.role.value}\t"
                f"{o.channel}:{o.external_id}\t{o.display_name}"
            )
        if not officials:
            print("no active officials")
        return 0

    return run_async(show())


@official.command()
@click.argument("official_id", metavar="ID", type=int)
@config_option
@settings_command(log="stderr")
def revoke(settings: Settings, official_id: int) -> int:
    """Revoke an official (by the id `list` shows)."""
    return run_async(revoke_and_tell(settings, official_id))


async def revoke_and_tell(settings: Settings, official_id: int) -> int:
    """Revoke the official and tell the heads and leaders what to reassign; exit status."""
    now = datetime.now(UTC)
    async with await App.open(settings) as app, app.storage.transaction() as uow:
        target = await uow.officials.get_by_id(official_id)
        revoked = await uow.officials.revoke(official_id, now)
        commune = app.settings.commune(target.commune_code) if target else None
        if revoked and target is not None and commune is not None:
            # The heads and leaders hear which open records need a new handler.
            notifier = Notifier(uow, app.renderer, commune, now)
            handled = await tell_reassign(notifier, target)
            await enqueue_notifications(uow, notifier, now)
            if handled:
                print(f"open records to reassign: {', '.join(r.code for r in handled)}")
    if not revoked:
        return fail(f"official {official_id}: no active official with this id")
    print(f"official {official_id} revoked")
    return 0


@official.command()
@click.argument("official_id", metavar="ID", type=int)
@config_option
@settings_command(log="stderr")
def weblink(settings: Settings, official_id: int) -> int:
    """Make a one-time link to the web console for an official (by the id `list` shows)."""

    async def make() -> int:
        now = datetime.now(UTC)
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            target = await uow.officials.get_by_id(official_id)
            if target is None or not target.active:
                return fail(f"official {official_id}: no active official with this id")
            url = await make_link(uow, target, settings.web.console_url, now)
        minutes = int(LINK_VALID.total_seconds() // 60)
        print(f"one-time link for {target.display_name} (valid {minutes} minutes, once):")
        print(url)
        return 0

    return run_async(make())


@click.group()
@config_option
def jobs() -> None:
    """Run scheduled work once."""


@jobs.command("run-reminders")
@config_option
@settings_command(log="stderr")
def run_reminders(settings: Settings) -> int:
    """Remind offices of records near their deadline; escalate overdue ones."""

    async def remind() -> int:
        async with await App.open(settings) as app:
            report = await run_deadline_reminders(app, datetime.now(UTC))
        print(
            f"reminders: {report.reminded} records reminded, {report.escalated} "
            f"escalated, {report.messages} messages queued"
        )
        return 0

    return run_async(remind())


@jobs.command("run-followups")
@config_option
@settings_command(log="stderr")
def run_followups_command(settings: Settings) -> int:
    """Ask citizens to rate answers left unrated."""

    async def follow_up() -> int:
        async with await App.open(settings) as app:
            report = await run_followups(app, datetime.now(UTC))
        print(f"follow-ups: {report.followed_up} sent")
        return 0

    return run_async(follow_up())
