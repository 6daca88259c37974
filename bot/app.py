"""Wiring: settings → storage, templates, dispatcher. The one place that builds the app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from types import TracebackType

from bot.models import load_models
from bot.public_holidays import missing_holiday_warnings
from bot.settings import Settings, StorageSettings
from domain.communes import TRIAGE_OFFICE
from domain.records import OfficialRole
from faq.knowledge import load_deployment_knowledge
from faq.lexicon import load_lexicon
from handlers.dispatcher import Dispatcher
from handlers.render import Renderer
from handlers.understanding import Knowledge
from storage import SqliteStorage, Storage, UnitOfWork
from storage.base import CommuneRow, OfficeRow, StorageUnavailable, Timeouts

log = logging.getLogger(__name__)

BOOTSTRAP_ADMIN_NAME = "Quản trị"


async def bootstrap_admins(uow: UnitOfWork, settings: Settings, now: datetime) -> None:
    """Create the administrators config names, once: a later revoke is not undone here."""
    for commune in settings.communes:
        for channel, external_id in commune.admins:
            if await uow.officials.get(channel, external_id) is None:
                await uow.officials.upsert(
                    commune.code,
                    channel,
                    external_id,
                    BOOTSTRAP_ADMIN_NAME,
                    TRIAGE_OFFICE,
                    OfficialRole.ADMIN,
                    now,
                )


def timeouts(settings: StorageSettings) -> Timeouts:
    return Timeouts(
        connect=settings.connect_timeout_seconds,
        statement=settings.statement_timeout_seconds,
        acquire=settings.acquire_timeout_seconds,
        busy=settings.sqlite_busy_timeout_seconds,
    )


async def open_storage(settings: StorageSettings) -> Storage:
    """Open the configured backend, with its migrations applied; a database that cannot
    be reached is a `storage.base.StorageUnavailable` (one line, no traceback)."""
    if settings.backend == "postgres":
        # why: asyncpg is imported only where PostgreSQL is configured
        from storage.postgres import PostgresStorage

        if settings.postgres_dsn is None:
            raise ValueError("storage.postgres_dsn_env: no connection string")
        return await PostgresStorage.open(
            settings.postgres_dsn.reveal(),
            pool_size=settings.postgres_pool_size,
            timeouts=timeouts(settings),
        )
    return await SqliteStorage.open(settings.sqlite_path, timeouts(settings))


async def open_when_reachable(settings: Settings, stopping: asyncio.Event) -> App | None:
    """`App.open`, trying again while the database cannot be reached, for up to
    `storage.start_wait_seconds` from the first refusal (waits of 1, 2, 4 … 10 s, each logged
    on one line); then
    the last `StorageUnavailable` is raised. Only PostgreSQL is waited for (a server that
    boots with the machine); a SQLite file that cannot be opened is a setting to fix.
    None when `stopping` is set meanwhile (SIGTERM while waiting, or during a connect
    that hangs): the caller stops without a traceback.
    """
    wait_s = settings.storage.start_wait_seconds if settings.storage.backend == "postgres" else 0
    deadline: float | None = None  # counted from the first refusal, not from the start
    delay = 1.0
    while True:
        opening = asyncio.ensure_future(App.open(settings))
        stopped = asyncio.ensure_future(stopping.wait())
        done, _ = await asyncio.wait({opening, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if opening not in done:
            opening.cancel()
            await asyncio.gather(opening, return_exceptions=True)
            return None
        try:
            return opening.result()
        except StorageUnavailable as exc:
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + wait_s
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise
            wait = min(delay, left)
            log.warning("%s; trying again in %.0f s", exc, wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), wait)
            if stopping.is_set():
                return None
            delay = min(delay * 2, 10.0)


class App:
    """The running application; use as `async with await App.open(settings) as app:`."""

    def __init__(
        self, settings: Settings, storage: Storage, renderer: Renderer, knowledge: Knowledge
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.renderer = renderer
        self.knowledge = knowledge
        self.dispatcher = Dispatcher(storage, settings, renderer, knowledge)

    @classmethod
    async def open(cls, settings: Settings) -> App:
        renderer = Renderer(settings.bot.templates_dir)
        dirs = settings.bot.knowledge_dirs
        kb, lexicon = load_deployment_knowledge(dirs), load_lexicon(dirs)
        knowledge = Knowledge(kb, lexicon, *load_models(settings, kb, lexicon))
        for warning in missing_holiday_warnings(settings.communes, datetime.now(UTC)):
            log.warning("%s", warning)
        settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
        storage = await open_storage(settings.storage)
        try:
            async with storage.transaction() as uow:
                await uow.communes.sync(
                    [
                        CommuneRow(
                            c.code,
                            c.name,
                            tuple(OfficeRow(o.code, o.name, o.chat_id) for o in c.offices),
                        )
                        for c in settings.communes
                    ],
                    datetime.now(UTC),
                )
                await bootstrap_admins(uow, settings, datetime.now(UTC))
        except BaseException:
            await storage.close()
            raise
        return cls(settings, storage, renderer, knowledge)

    async def close(self) -> None:
        await self.storage.close()

    async def __aenter__(self) -> App:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
