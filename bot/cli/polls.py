"""`danvan poll …`: consultations and household votes (issue 14; rules in handlers/polls.py).

`create` prints only the new poll's id on stdout (`ID=$(danvan poll create …)`), the rest
on stderr; `codes` prints one household code a line, to hand out; `results` prints the
result as citizens read it (counts only, in Vietnamese). Other output is in English, for
the operator.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import click

from bot.app import App
from bot.cli.common import commune_or_none, config_option, fail, run_async, settings_command
from bot.settings import Settings
from domain.communes import CommuneSettings
from domain.messages import plain_text
from domain.polls import Poll
from handlers import polls
from handlers.text import match_form
from storage import UnitOfWork


@click.group()
@config_option
def poll() -> None:
    """Consultations and household votes (lấy ý kiến, biểu quyết)."""


def _hamlet(commune: CommuneSettings, hamlet: str | None) -> str | None:
    """The configured thôn a typed name means (diacritics optional); raises on none."""
    if hamlet is None:
        return None
    named = [h for h in commune.hamlets if match_form(h) == match_form(hamlet)]
    if not named:
        raise click.UsageError(
            f"--hamlet {hamlet!r}: not a hamlet of {commune.code}; use one of "
            + ", ".join(commune.hamlets)
        )
    return named[0]


@poll.command()
@click.option("--commune", help="The commune's short code (default: bot.default_commune).")
@click.option("--question", required=True, help="The question, as citizens will read it.")
@click.option("--option", "options", multiple=True, required=True, help="An answer (2–10).")
@click.option("--hamlet", help="Only this thôn (default: the whole commune).")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), help="The last day, YYYY-MM-DD.")
@click.option("--household", is_flag=True, help="One vote per household, with codes.")
@config_option
@settings_command(log="stderr")
def create(
    settings: Settings,
    commune: str | None,
    question: str,
    options: tuple[str, ...],
    hamlet: str | None,
    closes: datetime | None,
    household: bool,
) -> int:
    """Create a poll and send it to the subscribers; prints its id."""
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2
    thon = _hamlet(chosen, hamlet)
    closes_on: date | None = closes.date() if closes else None

    async def work(app: App, uow: UnitOfWork) -> int:
        try:
            made = await polls.create_poll(
                uow,
                app.renderer,
                chosen,
                question,
                options,
                hamlet=thon,
                household=household,
                closes_on=closes_on,
                created_by=None,
                now=datetime.now(UTC),
            )
        except polls.PollProblem as exc:
            return fail(f"cannot create the poll: {exc}")
        print(made.poll.id, flush=True)
        print(
            f"poll {made.poll.id}: queued {made.queued} messages to subscribers of "
            f"{chosen.code}" + (f" ({thon})" if thon else ""),
            file=sys.stderr,
        )
        return 0

    return _run(settings, work)


@poll.command("list")
@click.option("--commune", help="The commune's short code (default: bot.default_commune).")
@click.option("--open", "only_open", is_flag=True, help="Only the polls still open.")
@config_option
@settings_command(log="stderr")
def list_polls(settings: Settings, commune: str | None, only_open: bool) -> int:
    """The commune's polls, newest first."""
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2

    async def work(_app: App, uow: UnitOfWork) -> int:
        now = datetime.now(UTC)
        found = await uow.polls.list_for(chosen.code, open_at=now if only_open else None)
        for p in found:
            state = "open" if p.is_open(now) else "closed"
            mode = "household" if p.household else "consultation"
            last = polls.dates(chosen, p)["last_day"]
            until = f", last day {last:%Y-%m-%d}" if last else ""
            print(f"{p.id}\t{state}\t{mode}\t{p.hamlet or 'whole commune'}{until}\t{p.question}")
        if not found:
            print("no polls", file=sys.stderr)
        return 0

    return _run(settings, work)


@poll.command()
@click.argument("poll_id", type=int)
@config_option
@settings_command(log="stderr")
def close(settings: Settings, poll_id: int) -> int:
    """Close a poll now and send the result to everyone who answered."""

    async def work(app: App, uow: UnitOfWork) -> int:
        found = await _poll(settings, uow, poll_id)
        if found is None:
            return 2
        poll_, commune = found
        if poll_.results_sent_at is not None:
            print(f"poll {poll_id} was closed already; the result went out then")
            return 0
        sent = await polls.close_poll(uow, app.renderer, commune, poll_, datetime.now(UTC))
        print(f"poll {poll_id} closed; the result queued to {sent} participants")
        return 0

    return _run(settings, work)


@poll.command()
@click.argument("poll_id", type=int)
@click.option("--hamlet", required=True, help="The thôn whose households get the codes.")
@click.option("--count", type=click.IntRange(1, polls.MAX_CODES), required=True, help="How many.")
@config_option
@settings_command(log="stderr")
def codes(settings: Settings, poll_id: int, hamlet: str, count: int) -> int:
    """Print one-time household codes for the trưởng thôn to hand out (shown only once)."""

    async def work(_app: App, uow: UnitOfWork) -> int:
        found = await _poll(settings, uow, poll_id)
        if found is None:
            return 2
        poll_, commune = found
        if not poll_.is_open(datetime.now(UTC)):
            return fail(f"poll {poll_id} is closed")
        try:
            made = await polls.make_codes(
                uow, poll_, _hamlet(commune, hamlet) or hamlet, count, datetime.now(UTC)
            )
        except polls.PollProblem as exc:
            return fail(f"no codes for poll {poll_id}: {exc} (--household polls only, of its thôn)")
        print("\n".join(made))
        return 0

    return _run(settings, work)


@poll.command()
@click.argument("poll_id", type=int)
@click.option("--comments", is_flag=True, help="Also list the comments (no names).")
@config_option
@settings_command(log="stderr")
def results(settings: Settings, poll_id: int, comments: bool) -> int:
    """Counts per option and thôn, turnout, and the >50 % rule for household votes."""

    async def work(app: App, uow: UnitOfWork) -> int:
        found = await _poll(settings, uow, poll_id)
        if found is None:
            return 2
        poll_, commune = found
        result = await polls.tally(uow, commune, poll_)
        print(plain_text(polls.render_result(app.renderer, commune, result)))
        if comments:
            for text in await uow.polls.comments(poll_id):
                print(f"- {text}")
        return 0

    return _run(settings, work)


async def _poll(
    settings: Settings, uow: UnitOfWork, poll_id: int
) -> tuple[Poll, CommuneSettings] | None:
    found = await uow.polls.get_by_id(poll_id)
    commune = settings.commune(found.commune_code) if found else None
    if found is None or commune is None:
        fail(f"no poll {poll_id}")
        return None
    return found, commune


def _run(settings: Settings, work: Callable[[App, UnitOfWork], Awaitable[int]]) -> int:
    async def run() -> int:
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            return await work(app, uow)

    return run_async(run())
