"""The unit of work: the repositories of one database transaction, and the one call that
changes a record.

Handlers type against `UnitOfWork` and `Storage` (both exported by `storage`). A
`Storage` hands out units of work; each is one transaction holding everything one update
changes (DESIGN.md, "the write path"). A record's lifecycle columns change only through
`transition`, which updates them under the record's version and appends the step's audit
event in the same call (invariant 2: a record is never edited without an event).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from domain.lifecycle import PlannedEvent
from domain.records import Record
from storage.base import Db, Row
from storage.repos.attachments import AttachmentsRepo
from storage.repos.citizens import CitizensRepo
from storage.repos.communes import CommunesRepo
from storage.repos.conversations import ConversationsRepo
from storage.repos.corrections import CorrectionsRepo
from storage.repos.datacare import DataCareRepo
from storage.repos.digest import DigestRepo
from storage.repos.events import EventsRepo
from storage.repos.files import FilesRepo
from storage.repos.followers import FollowersRepo
from storage.repos.leases import LeasesRepo
from storage.repos.officials import InvitesRepo, OfficialsRepo
from storage.repos.outbox import OutboxRepo
from storage.repos.questions import QuestionsRepo
from storage.repos.ratings import RatingsRepo
from storage.repos.records import RecordsRepo, compare_and_set
from storage.repos.subscriptions import SubscriptionsRepo
from storage.repos.updates import UpdatesRepo
from storage.repos.zalo_oa import (
    ZaloBotInboxRepo,
    ZaloContactsRepo,
    ZaloInboxRepo,
    ZaloTokensRepo,
)


class UnitOfWork:
    """The repository operations available inside one transaction, by aggregate."""

    def __init__(self, db: Db) -> None:
        self._db = db
        self.updates = UpdatesRepo(db)
        self.communes = CommunesRepo(db)
        self.citizens = CitizensRepo(db)
        self.conversations = ConversationsRepo(db)
        self.official_conversations = ConversationsRepo(db, "official_conversations")
        self.records = RecordsRepo(db)
        self.attachments = AttachmentsRepo(db)
        self.events = EventsRepo(db)
        self.ratings = RatingsRepo(db)
        self.officials = OfficialsRepo(db)
        self.invites = InvitesRepo(db)
        self.outbox = OutboxRepo(db)
        self.subscriptions = SubscriptionsRepo(db)
        self.followers = FollowersRepo(db)
        self.questions = QuestionsRepo(db)
        self.corrections = CorrectionsRepo(db)
        self.digest = DigestRepo(db)
        self.leases = LeasesRepo(db)
        self.datacare = DataCareRepo(db)
        self.zalo_tokens = ZaloTokensRepo(db)
        self.zalo_inbox = ZaloInboxRepo(db)
        self.zalo_bot_inbox = ZaloBotInboxRepo(db)
        self.zalo_contacts = ZaloContactsRepo(db)
        self.files = FilesRepo(db)

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
