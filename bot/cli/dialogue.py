"""`danvan dialogue …` (dialogues with the commune's leaders) and `danvan qr` (the
one-stop desk's survey poster).

The operator's console is in English, as the other commands; what citizens and leaders
read is in the templates. The same work is done in chat by a leader's `/doithoai` and
`/traloidt` (handlers/officials/dialogue.py), through the same `handlers.dialogues`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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
from bot.dialogue_docx import questions_docx
from bot.qr_poster import make_poster, telegram_link
from bot.settings import Settings
from domain.surveys import SurveyLink, valid_desk
from faq.topics import TOPICS
from handlers import dialogues
from handlers.dialogues import DialogueError
from handlers.render import Renderer


@click.group()
@config_option
def dialogue() -> None:
    """Dialogues with the commune's leaders: create, list, questions, answer."""


@dialogue.command()
@click.option("--commune", help="The commune's code (default: bot.default_commune).")
@click.option("--date", "day_text", required=True, help="The day, YYYY-MM-DD.")
@click.option("--time", "time_text", required=True, help="The local time, HH:MM.")
@click.option("--place", required=True, help="Where it is held.")
@click.option("--topic", required=True, help="What it is about.")
@config_option
@settings_command(log="stderr")
def create(
    settings: Settings,
    commune: str | None,
    day_text: str,
    time_text: str,
    place: str,
    topic: str,
) -> int:
    """Create a dialogue; prints its id. Citizens see it in the menu until it starts."""
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2
    day, at = dialogues.parse_day(day_text), dialogues.parse_time(time_text)
    if day is None:
        return fail(f"--date {day_text}: write the day as YYYY-MM-DD, e.g. 2026-12-20")
    if at is None:
        return fail(f"--time {time_text}: write the time as HH:MM, e.g. 08:00")

    async def make() -> int:
        now = datetime.now(UTC)
        async with await App.open(settings) as app:
            try:
                async with app.storage.transaction() as uow:
                    made = await dialogues.create(uow, chosen, day, at, place, topic, now)
            except DialogueError as exc:
                return fail(_REASONS[exc.reason])
        print(made.dialogue.id)
        starts = local_time(settings, made.dialogue.starts_at, chosen)
        print(f"dialogue {made.dialogue.id}: {starts}, {made.dialogue.place}", flush=True)
        if made.too_soon:
            print("note: the law asks for 7 days' notice (Luật TCCQĐP 2025, Điều 43)")
        return 0

    return run_async(make())


_REASONS = {
    "past": "--date/--time: that moment has passed; give one to come",
    "place": "--place: needs words, at most 200 characters",
    "topic": "--topic: needs words, at most 200 characters",
    "answer": "--text: needs words, at most 3,000 characters",
}


@dialogue.command("list")
@click.option("--commune", help="The commune's code (default: bot.default_commune).")
@config_option
@settings_command(log="stderr")
def list_dialogues(settings: Settings, commune: str | None) -> int:
    """List the commune's dialogues, the latest first."""
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2

    async def show() -> int:
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            found = await uow.dialogues.list_for(chosen.code)
            rows = [
                (
                    d,
                    await uow.dialogues.count_registered(d.id),
                    len(await uow.dialogues.questions(d.id)),
                )
                for d in found
            ]
        for d, registered, questions in rows:
            starts = local_time(settings, d.starts_at, chosen)
            print(
                f"{d.id}\t{starts}\t{d.place}\t{d.topic}\t"
                f"{registered} registered\t{questions} questions"
            )
        if not rows:
            print("no dialogues")
        return 0

    return run_async(show())


@dialogue.command()
@click.argument("dialogue_id", metavar="ID", type=int)
@click.option("--docx", "docx_path", type=click.Path(path_type=Path), help="Also write a DOCX.")
@config_option
@settings_command(log="stderr")
def questions(settings: Settings, dialogue_id: int, docx_path: Path | None) -> int:
    """The questions sent in advance, grouped by topic."""

    async def show() -> int:
        now = datetime.now(UTC)
        async with await App.open(settings) as app, app.storage.transaction() as uow:
            found = await uow.dialogues.get_by_id(dialogue_id)
            commune = settings.commune(found.commune_code) if found else None
            if found is None or commune is None:
                return fail(f"dialogue {dialogue_id}: no such dialogue")
            asked = await uow.dialogues.questions(found.id)
            registered = await uow.dialogues.count_registered(found.id)
            other = app.renderer.label("dialogue.no_topic")
            groups = dialogues.by_topic(asked, TOPICS, other)
            docx = questions_docx(app.renderer, commune, found, groups, registered, now)
        print(
            f"dialogue {found.id}: {found.topic} — {registered} registered, {len(asked)} questions"
        )
        for name, group in groups:
            print(f"\n{name} ({len(group)})")
            for q in group:
                who = q.asker_name or "anonymous"
                done = " [answered]" if q.answer else ""
                print(f"  {q.number}. {q.text} — {who}{done}")
        if docx_path is not None:
            docx_path.write_bytes(docx)  # noqa: ASYNC240 - a one-off CLI, nothing else runs
            print(f"\nwritten: {docx_path}")
        return 0

    return run_async(show())


@dialogue.command()
@click.argument("dialogue_id", metavar="ID", type=int)
@click.argument("number", metavar="QNUM", type=int)
@click.option("--text", required=True, help="The answer, sent to whoever asked.")
@config_option
@settings_command(log="stderr")
def answer(settings: Settings, dialogue_id: int, number: int, text: str) -> int:
    """Enter the answer to question QNUM; it is sent to the person who asked."""

    async def store() -> int:
        now = datetime.now(UTC)
        async with await App.open(settings) as app:
            try:
                async with app.storage.transaction() as uow:
                    found = await uow.dialogues.get_by_id(dialogue_id)
                    commune = settings.commune(found.commune_code) if found else None
                    if found is None or commune is None:
                        return fail(f"dialogue {dialogue_id}: no such dialogue")
                    question = await uow.dialogues.question(found.id, number)
                    if question is None:
                        return fail(f"dialogue {dialogue_id} has no question {number}")
                    sent = await dialogues.answer(
                        uow, app.renderer, commune, found, question, text, now
                    )
            except DialogueError as exc:
                return fail(_REASONS[exc.reason])
        print(
            f"answer to question {number} kept and queued to the person who asked"
            if sent
            else f"answer to question {number} kept; the person who asked erased their data"
        )
        return 0

    return run_async(store())


@click.command()
@click.option("--commune", help="The commune's code (default: bot.default_commune).")
@click.option("--desk", required=True, help="The desk's code, e.g. QUAY1 (A–Z, 0–9, -).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The PNG to write.")
@click.option(
    "--bot",
    "bot_username",
    required=True,
    envvar="DANVAN_TELEGRAM_BOT",
    help="The Telegram bot's username (or $DANVAN_TELEGRAM_BOT).",
)
@config_option
@settings_command(log="stderr")
def qr(settings: Settings, commune: str | None, desk: str, out: Path, bot_username: str) -> int:
    """Make the desk's satisfaction-survey QR poster (a PNG)."""
    chosen = commune_or_none(settings, commune)
    if chosen is None:
        return 2
    desk = desk.strip().upper()
    if not valid_desk(desk):
        return fail(f"--desk {desk}: 1–20 letters A–Z, digits and '-', e.g. QUAY1")
    several = len(settings.communes) > 1
    link = SurveyLink(desk, chosen.code if several else None)
    url = telegram_link(bot_username, link)

    make_poster(Renderer(settings.bot.templates_dir), chosen, desk, url, out)
    print(f"written: {out}")
    print(f"link: {url}")
    print(f"terminal: /start {link.payload()}")
    return 0
