"""The storage interface every backend implements, and the small rows it shares.

`Storage.transaction()` yields a `UnitOfWork`: every repository operation runs inside one,
and the whole unit commits or rolls back together. `storage/sqlite.py` is the embedded
implementation; a PostgreSQL one must pass the same tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.models import (
    ActorKind,
    Citizen,
    Conversation,
    DurationStats,
    Event,
    NewRecord,
    OutboxMessage,
    OverdueRecord,
    Record,
    RecordKind,
    RecordStatus,
    StoredAttachment,
)


@dataclass(frozen=True, slots=True)
class OfficeRow:
    code: str
    name: str
    chat_id: str | None


@dataclass(frozen=True, slots=True)
class CommuneRow:
    code: str
    name: str
    offices: tuple[OfficeRow, ...]


class UnitOfWork(Protocol):
    """The repository operations available inside one transaction."""

    async def mark_update_processed(self, channel: str, update_id: str, at: datetime) -> bool:
        """Record that an update was handled; False if it already was (a redelivery)."""
        ...

    async def sync_communes(self, communes: Iterable[CommuneRow], at: datetime) -> None:
        """Make the communes and offices tables match the configuration."""
        ...

    async def list_offices(self, commune_code: str) -> list[OfficeRow]: ...

    async def get_citizen(self, channel: str, external_id: str) -> Citizen | None: ...

    async def get_citizen_by_id(self, citizen_id: int) -> Citizen | None: ...

    async def create_citizen(self, channel: str, external_id: str, at: datetime) -> Citizen: ...

    async def set_citizen_commune(self, citizen_id: int, commune_code: str) -> None: ...

    async def set_consent(self, citizen_id: int, at: datetime | None, version: str | None) -> None:
        """Give (at set) or withdraw (at None) consent; withdrawing also clears name/phone."""
        ...

    async def set_citizen_contact(
        self, citizen_id: int, name: str | None, phone: str | None
    ) -> None:
        """Save the name and phone a consenting citizen gave (the CHECK refuses it otherwise)."""
        ...

    async def erase_citizen(self, citizen_id: int, at: datetime) -> int:
        """Erase a citizen's personal data. Records stay, de-identified; returns their count."""
        ...

    async def get_conversation(self, citizen_id: int) -> Conversation | None: ...

    async def save_conversation(self, conversation: Conversation) -> None: ...

    async def insert_record(self, code: str, record: NewRecord) -> Record | None:
        """Insert a record under `code`; None if the code is taken (the caller retries)."""
        ...

    async def get_record(self, code: str) -> Record | None: ...

    async def list_citizen_records(self, citizen_id: int, limit: int) -> list[Record]: ...

    async def count_citizen_records(self, citizen_id: int) -> int: ...

    async def add_attachment(self, record_id: int, kind: str, ref: str, at: datetime) -> None: ...

    async def list_attachments(self, record_id: int) -> list[StoredAttachment]: ...

    async def add_event(
        self,
        record_id: int,
        at: datetime,
        actor_kind: ActorKind,
        actor_ref: str | None,
        action: str,
        from_status: RecordStatus | None,
        to_status: RecordStatus | None,
        note: str | None,
        visible_to_citizen: bool,
    ) -> None: ...

    async def list_events(self, record_id: int, *, visible_only: bool) -> list[Event]: ...

    async def log_question(
        self,
        commune_code: str,
        at: datetime,
        question: str,
        intent: str,
        answered: bool,
        confidence: float,
        best_faq_id: str | None,
    ) -> None:
        """Keep a redacted question for the digest (callers pass no personal data)."""
        ...

    async def top_unanswered_questions(
        self, commune_code: str, since: datetime, until: datetime, limit: int
    ) -> list[tuple[str, int]]:
        """The most frequent unanswered questions in [since, until), with their counts."""
        ...

    async def enqueue(
        self, channel: str, chat_id: str, priority: int, payload: dict[str, Any], at: datetime
    ) -> int: ...

    async def pending_outbox(
        self, channel: str, now: datetime, limit: int, chat_id: str | None = None
    ) -> list[OutboxMessage]:
        """Pending messages due by `now`, highest priority first, oldest first."""
        ...

    async def mark_sent(self, message_id: int, at: datetime) -> bool:
        """Mark a message sent; False if it was not pending (never send twice)."""
        ...

    async def mark_failed(self, message_id: int, error: str, *, retry_at: datetime | None) -> None:
        """Record a failed attempt: retried at `retry_at`, or failed for good if None."""
        ...

    async def outbox_counts(self) -> dict[str, int]: ...

    # --- the weekly digest: aggregates over [since, until), never personal data ----------

    async def digest_received(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[RecordKind, str, str | None, str | None, int]]:
        """Records received, counted per (kind, office, topic, hamlet)."""
        ...

    async def digest_daily(
        self, commune_code: str, days: Sequence[tuple[datetime, datetime]]
    ) -> list[tuple[int, int]]:
        """(received, closed) for each [start, end) in `days`, in order."""
        ...

    async def digest_actions(
        self, commune_code: str, since: datetime, until: datetime, actions: Sequence[str]
    ) -> list[tuple[str, str, int]]:
        """(action, office, distinct records) for events with one of `actions`."""
        ...

    async def digest_resolved(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, int, int]]:
        """(office, resolved, resolved by the deadline) for records resolved in the range."""
        ...

    async def digest_overdue_counts(
        self, commune_code: str, at: datetime
    ) -> list[tuple[str, RecordKind, int]]:
        """(office, kind, count) of records open at `at` whose deadline had passed."""
        ...

    async def digest_overdue_records(
        self, commune_code: str, at: datetime, limit: int, exclude: Sequence[RecordKind]
    ) -> list[OverdueRecord]:
        """The records open at `at` and longest past their deadline, except `exclude` kinds."""
        ...

    async def digest_first_response(
        self, commune_code: str, since: datetime, until: datetime
    ) -> DurationStats:
        """From receipt to an official's first event, for first events in the range."""
        ...

    async def digest_time_to_close(
        self, commune_code: str, since: datetime, until: datetime
    ) -> DurationStats:
        """From receipt to closing, for records closed in the range."""
        ...

    async def digest_ratings(
        self, commune_code: str, since: datetime, until: datetime
    ) -> list[tuple[str, str, int]]:
        """(office, level, count) of citizens' ratings given in the range."""
        ...

    # --- leases: one process runs each scheduled job -----------------------------------

    async def acquire_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take the lease `name` until `until`; False if it is done or another holds it."""
        ...

    async def finish_lease(self, name: str, holder: str, at: datetime) -> bool:
        """Mark the job done; False if `holder` no longer holds the lease."""
        ...

    async def lease_done(self, name: str) -> bool: ...


class Storage(Protocol):
    """A backend: hands out units of work; closed once at shutdown."""

    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

    async def close(self) -> None: ...
