"""`danvan official …` and `danvan jobs …`: managing officials and running scheduled work.

Registered by `bot.cli`; each command opens the app, does one thing, prints a short result
in English (the operator's console), and exits 0, or 2 with a message naming the problem.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from bot.app import App
from bot.config import Settings
from bot.jobs import enqueue_notifications, run_deadline_reminders, run_followups
from domain.records import OfficialRole
from handlers import invites
from handlers.notify import Notifier
from handlers.officials.admin import tell_reassign

COMMANDS = ("official", "jobs")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    official = sub.add_parser("official", help="manage officials: invite, list, revoke")
    actions = official.add_subparsers(dest="official_action", metavar="ACTION", required=True)
    invite = actions.add_parser("invite", help="make a one-time invite code (/thamgia CODE)")
    invite.add_argument("--office", required=True, help="the office's code, e.g. KT")
    invite.add_argument(
        "--role", required=True, choices=[r.value for r in OfficialRole], help="the role"
    )
    invite.add_argument("--name", help="the official's name as colleagues see it")
    invite.add_argument("--commune", help="the commune's code (default: bot.default_commune)")
    listing = actions.add_parser("list", help="list active officials")
    listing.add_argument("--commune", help="only this commune")
    revoke = actions.add_parser("revoke", help="revoke an official (by the id `list` shows)")
    revoke.add_argument("id", type=int)
    jobs = sub.add_parser("jobs", help="run scheduled work once")
    jobs.add_argument("job", choices=["run-reminders", "run-followups"])


async def run(args: argparse.Namespace, settings: Settings) -> int:
    now = datetime.now(UTC)
    async with await App.open(settings) as app:
        if args.command == "jobs":
            if args.job == "run-reminders":
                report = await run_deadline_reminders(app, now)
                print(
                    f"reminders: {report.reminded} records reminded, {report.escalated} "
                    f"escalated, {report.messages} messages queued"
                )
            else:
                report = await run_followups(app, now)
                print(f"follow-ups: {report.followed_up} sent")
            return 0
        action = args.official_action
        if action == "invite":
            return await _invite(app, args, now)
        if action == "list":
            async with app.storage.transaction() as uow:
                officials = await uow.officials.list_active(
                    args.commune.upper() if args.commune else None
                )
            for o in officials:
                print(
                    f"{o.id}\t{o.commune_code}\t{o.office_code}\t{o.role.value}\t"
                    f"{o.channel}:{o.external_id}\t{o.display_name}"
                )
            if not officials:
                print("no active officials")
            return 0
        async with app.storage.transaction() as uow:
            target = await uow.officials.get_by_id(args.id)
            revoked = await uow.officials.revoke(args.id, now)
            commune = app.settings.commune(target.commune_code) if target else None
            if revoked and target is not None and commune is not None:
                # The heads and leaders hear which open records need a new handler.
                notifier = Notifier(uow, app.renderer, commune, now)
                handled = await tell_reassign(notifier, target)
                await enqueue_notifications(uow, notifier, now)
                if handled:
                    print(f"open records to reassign: {', '.join(r.code for r in handled)}")
        if not revoked:
            print(f"danvan: official {args.id}: no active official with this id", file=sys.stderr)
            return 2
        print(f"official {args.id} revoked")
        return 0


async def _invite(app: App, args: argparse.Namespace, now: datetime) -> int:
    settings = app.settings
    commune = settings.commune(args.commune or settings.bot.default_commune)
    if commune is None:
        codes = ", ".join(c.code for c in settings.communes)
        print(
            f"danvan: --commune {args.commune}: not configured; use one of {codes}", file=sys.stderr
        )
        return 2
    try:
        async with app.storage.transaction() as uow:
            made = await invites.make_invite(
                uow, settings, commune, args.office, OfficialRole(args.role), args.name, "cli", now
            )
    except invites.InviteError:
        codes = ", ".join(o.code for o in commune.offices)
        print(
            f"danvan: --office {args.office}: not an office of {commune.code}; use one of {codes}",
            file=sys.stderr,
        )
        return 2
    print(f"invite code: {made.code}")
    until = made.expires_at.isoformat(timespec="minutes")
    print(f"office {made.office_code}, role {made.role.value}, valid until {until}")
    print(f"the official sends the bot: /thamgia {made.code}")
    return 0
