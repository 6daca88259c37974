"""The unit of work: the repositories of one database transaction, and the one call that
changes a record.

Handlers type against `UnitOfWork` and `Storage` (both exported by `storage`). A
`Storage` hands out units of work; each is one transaction holding everything one update
changes (DESIGN.md, "the write path"). A record's lifecycle columns change only through
`transition`, which updates them under the record's version and appends the step's audit
event in the same call (invariant 2: a record is never edited without an event).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, Protocol, TypeVar, overload

from domain.lifecycle import PlannedEvent
from domain.records import Record
from storage.base import Db, Row
from storage.repos.attachments import AttachmentsRepo
from storage.repos.citizens import CitizensRepo
from storage.repos.communes import CommunesRepo
from storage.repos.console import ConsoleRepo
from storage.repos.conversations import ConversationsRepo
from storage.repos.corrections import CorrectionsRepo
from storage.repos.datacare import DataCareRepo
from storage.repos.dialogues import DialoguesRepo
from storage.repos.digest import DigestRepo
from storage.repos.events import EventsRepo
from storage.repos.files import FilesRepo
from storage.repos.followers import FollowersRepo
from storage.repos.leases import LeasesRepo
from storage.repos.officials import InvitesRepo, OfficialsRepo
from storage.repos.open311 import Open311Repo
from storage.repos.outbox import OutboxRepo
from storage.repos.polls import PollsRepo
from storage.repos.public import AnnouncementsRepo, PublicRepo
from storage.repos.questions import QuestionsRepo
from storage.repos.ratings import RatingsRepo
from storage.repos.records import RecordsRepo, compare_and_set
from storage.repos.subscriptions import SubscriptionsRepo
from storage.repos.surveys import SurveysRepo
from storage.repos.updates import UpdatesRepo
from storage.repos.web import NotesRepo, WebAuditRepo, WebLinksRepo
from storage.repos.zalo_oa import (
    ZaloBotInboxRepo,
    ZaloContactsRepo,
    ZaloInboxRepo,
    ZaloTokensRepo,
)

R = TypeVar("R")


class _Repo(Generic[R]):
    """A repository of the unit of work, made on first use and then kept: an update touches
    a few of the thirty-odd, and a unit of work is made for every update."""

    def __init__(self, make: Callable[[Db], R]) -> None:
        self.make = make
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, uow: None, owner: type) -> _Repo[R]: ...
    @overload
    def __get__(self, uow: UnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: UnitOfWork | None, owner: type) -> R | _Repo[R]:
        if uow is None:
            return self
        repo = self.make(uow._db)
        uow.__dict__[self.name] = repo  # later reads find the instance's own attribute
        return repo


class UnitOfWork:
    """The repository operations available inside one transaction, by aggregate."""

    def __init__(self, db: Db) -> None:
        self._db = db

    updates = _Repo(UpdatesRepo)
    communes = _Repo(CommunesRepo)
    citizens = _Repo(CitizensRepo)
    conversations = _Repo(ConversationsRepo)
    official_conversations = _Repo(lambda db: ConversationsRepo(db, "official_conversations"))
    records = _Repo(RecordsRepo)
    attachments = _Repo(AttachmentsRepo)
    events = _Repo(EventsRepo)
    ratings = _Repo(RatingsRepo)
    officials = _Repo(OfficialsRepo)
    invites = _Repo(InvitesRepo)
    outbox = _Repo(OutboxRepo)
    subscriptions = _Repo(SubscriptionsRepo)
    followers = _Repo(FollowersRepo)
    questions = _Repo(QuestionsRepo)
    corrections = _Repo(CorrectionsRepo)
    digest = _Repo(DigestRepo)
    leases = _Repo(LeasesRepo)
    datacare = _Repo(DataCareRepo)
    zalo_tokens = _Repo(ZaloTokensRepo)
    zalo_inbox = _Repo(ZaloInboxRepo)
    zalo_bot_inbox = _Repo(ZaloBotInboxRepo)
    zalo_contacts = _Repo(ZaloContactsRepo)
    files = _Repo(FilesRepo)
    dialogues = _Repo(DialoguesRepo)
    surveys = _Repo(SurveysRepo)
    open311 = _Repo(Open311Repo)
    polls = _Repo(PollsRepo)
    public = _Repo(PublicRepo)
    announcements = _Repo(AnnouncementsRepo)
    web_links = _Repo(WebLinksRepo)
    notes = _Repo(NotesRepo)
    web_audit = _Repo(WebAuditRepo)
    console = _Repo(ConsoleRepo)

    async def transition(
        self,
        record: Record,
        expected_version: int,
        changes: dict[str, Any],
        event: PlannedEvent,
    ) -> Record | None:
        """Apply a lifecycle step: `changes` to the record's lifecycle columns if it is
        still at `expected_version` (bumping the version), and `event` appended with them.

        None, with nothing written, when another step got there first (the caller says
        so). `domain.lifecycle.plan` makes the changes and the event; `handlers.records`
        calls this.
        """
        after = await compare_and_set(self._db, record.id, expected_version, changes)
        if after is None:
            return None
        await self.events.append(record.id, event)
        return after

    # Raw SQL for tests that must write what no repository allows (the schema's CHECKs
    # and triggers are tested that way); application code never calls these.

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._db.one(sql, params)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._db.all(sql, params)

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._db.execute(sql, params)


class Storage(Protocol):
    """A backend: hands out units of work; closed once at shutdown."""

    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

    async def close(self) -> None: ...
