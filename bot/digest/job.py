"""Making the digest, archiving its files, queueing its message, and the weekly schedule.

`make_digest` reads the figures (one read of storage), `write_outputs` renders the four
files into a folder, `queue_message` puts the chat message in the outbox. The scheduler
(on `bot/scheduler.py`) runs every Monday at `digest.send_time` for the week just ended,
for each commune, exactly once across processes: a lease row (`job_leases`) picks one
process, and the lease is marked done in the same transaction as the outbox row, so a
crash before that commit lets another process (or a restart) redo the run, and a commit
means never again.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.digest.document import build_docx
from bot.digest.figures import Digest, collect_week, compare
from bot.digest.render import DigestRenderer, chart_png
from bot.digest.surveys import survey_results
from bot.digest.weeks import IsoWeek, due_week
from bot.scheduler import Clock, Lease, Run, Scheduler, utcnow
from bot.settings import Settings
from bot.shared_files import share
from domain.communes import CommuneSettings
from domain.messages import Priority, Reply
from storage import Storage, UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DigestFiles:
    message: str
    message_path: Path
    chart: Path
    docx: Path
    html: Path

    @property
    def paths(self) -> tuple[Path, ...]:
        return (self.message_path, self.chart, self.docx, self.html)


async def make_digest(
    storage: Storage,
    commune: CommuneSettings,
    week: IsoWeek,
    settings: Settings,
    renderer: DigestRenderer,
    now: datetime,
) -> Digest:
    """The week's figures and the week before's, read in one transaction."""
    kinds = renderer.kind_labels()
    unknown = renderer.labels["unknown"]
    async with storage.transaction() as uow:
        current = await collect_week(uow, commune, week, settings.digest, kinds, unknown)
        previous = await collect_week(
            uow, commune, week.previous(), settings.digest, kinds, unknown
        )
        surveys = await survey_results(uow, commune, week)
    return Digest(current, previous, compare(current, previous), now, surveys)


def archive_folder(settings: Settings, commune: CommuneSettings, week: IsoWeek) -> Path:
    return settings.digest.archive_dir / commune.code / week.label


def write_outputs(
    digest: Digest, commune: CommuneSettings, renderer: DigestRenderer, folder: Path
) -> DigestFiles:
    """Render the message, chart, DOCX and HTML page into `folder` (overwriting)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"bao-cao-{commune.code}-{digest.current.week.label}"
    png = chart_png(
        digest, renderer.labels, today=digest.generated_at.astimezone(commune.timezone).date()
    )
    blocks = renderer.report(digest, commune)
    message = renderer.message(digest)
    files = DigestFiles(
        message=message,
        message_path=folder / f"tin-nhan-{commune.code}-{digest.current.week.label}.html",
        chart=folder / f"bieu-do-{commune.code}-{digest.current.week.label}.png",
        docx=folder / f"{stem}.docx",
        html=folder / f"{stem}.html",
    )
    files.chart.write_bytes(png)
    files.docx.write_bytes(build_docx(blocks, png))
    files.html.write_text(renderer.page(digest, blocks, png), encoding="utf-8")
    files.message_path.write_text(message, encoding="utf-8")
    return files


def _write_in_child(
    digest: Digest, commune: CommuneSettings, override_dir: Path | None, folder: Path
) -> DigestFiles:
    return write_outputs(digest, commune, DigestRenderer(override_dir), folder)


async def write_outputs_apart(
    digest: Digest, commune: CommuneSettings, renderer: DigestRenderer, folder: Path
) -> DigestFiles:
    """`write_outputs` in a child process of its own: the chart's matplotlib and the
    report's python-docx (about 55 MB) load there, once a week, and never stay in the
    bot's memory (issue 17's memory goal). The figures and the files are the same."""
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await asyncio.get_running_loop().run_in_executor(
            pool, _write_in_child, digest, commune, renderer.override_dir, folder
        )
    finally:
        pool.shutdown(wait=False)


def digest_chat(settings: Settings, commune: CommuneSettings) -> tuple[str, str] | None:
    """(channel, chat id) of the Văn phòng's chat, or None if none is configured."""
    chat_id = commune.digest_chat_id
    return (settings.digest.channel, chat_id) if chat_id else None


async def queue_message(
    uow: UnitOfWork,
    files: DigestFiles,
    channel: str,
    chat_id: str,
    now: datetime,
    shared_dir: Path | None = None,
) -> int:
    """Queue the message; `extra` names the chart (photo) and report (document) to attach,
    stored where any process can read them (`bot.shared_files`)."""
    reply = Reply(
        channel=channel,
        chat_id=chat_id,
        text=files.message,
        priority=Priority.NOTIFICATION,
        extra={
            "kind": "digest",
            "photo": await share(uow, files.chart, shared_dir, now),
            "document": await share(uow, files.docx, shared_dir, now),
        },
    )
    return await uow.outbox.enqueue(reply, now)


class DigestScheduler(Scheduler):
    """Runs the weekly digest when it is due; call `run_due` often (e.g. every minute).

    The latest due week is looked at, so a process that was down on Monday morning
    catches up when it starts.
    """

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        renderer: DigestRenderer,
        *,
        holder: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(storage, self._due, holder=holder, clock=clock)
        self.settings = settings
        self.renderer = renderer

    def _due(self, now: datetime) -> list[Run]:
        if not self.settings.digest.enabled:
            return []
        runs = []
        for commune in self.settings.communes:
            week = due_week(now, self.settings.digest.send_time, commune.timezone)
            runs.append(Run(f"digest:{commune.code}:{week.label}", self._work(commune, week)))
        return runs

    def _work(
        self, commune: CommuneSettings, week: IsoWeek
    ) -> Callable[[datetime, Lease], Awaitable[None]]:
        async def work(now: datetime, lease: Lease) -> None:
            log.info("%s: making the digest", lease.name)
            digest = await make_digest(
                self.storage, commune, week, self.settings, self.renderer, now
            )
            folder = archive_folder(self.settings, commune, week)
            files = await write_outputs_apart(digest, commune, self.renderer, folder)
            chat = digest_chat(self.settings, commune)
            async with self.storage.transaction() as uow:
                await lease.finish(uow)  # with the outbox row: a commit means never again
                if chat is None:
                    log.warning(
                        "%s: no chat for the Văn phòng; files archived in %s", lease.name, folder
                    )
                else:
                    shared = self.settings.storage.shared_files_dir
                    await queue_message(uow, files, chat[0], chat[1], self.clock(), shared)
            log.info("%s: done", lease.name)

        return work
