"""What the commune's public page reads (issue 12): the figures behind its statistics,
the answered records a citizen let be published, and the announcements.

Nothing here returns a person: the statistics rows carry no content and no contact, and
the published records are filtered to phản ánh and kiến nghị whose citizen consented
(`records.publishable`, migration 013). Masking the text is the page's job
(`faq.redact.mask_personal`), not storage's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.records import Record, RecordKind, RecordStatus
from storage.repos.rows import Repo, load, ts

PUBLISHED_KINDS = (RecordKind.PHAN_ANH.value, RecordKind.KIEN_NGHI.value)
PUBLISHED_STATUSES = (RecordStatus.ANSWERED.value, RecordStatus.CLOSED.value)
# The events whose note is the official's answer to the citizen (`domain.lifecycle`'s
# EVENT_NAMES of REPLY and COMPLETE).
ANSWER_ACTIONS = ("answered", "closed")


@dataclass(frozen=True, slots=True)
class StatRow:
    """One record as the statistics count it: no content, no person."""

    kind: RecordKind
    office_code: str
    hamlet: str | None
    status: RecordStatus
    created_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    answered_at: datetime | None
    rating: str | None  # the latest rating's value, if any


@dataclass(frozen=True, slots=True)
class Published:
    """An answered record the citizen let be published, with the answer's text (raw: the
    page masks both)."""

    record: Record
    answer: str | None


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    commune_code: str
    hamlet: str | None
    text: str
    created_at: datetime


class PublicRepo(Repo):
    async def stat_rows(self, commune_code: str, since: datetime) -> list[StatRow]:
        """Every record of the commune received or resolved since `since`."""
        rows = await self._all(
            "WITH latest AS (SELECT record_id, max(id) AS id FROM ratings GROUP BY record_id) "
            "SELECT r.kind, r.office_code, r.hamlet, r.status, r.created_at, r.due_at, "
            "r.resolved_at, r.answered_at, g.value AS rating FROM records r "
            "LEFT JOIN latest l ON l.record_id = r.id LEFT JOIN ratings g ON g.id = l.id "
            "WHERE r.commune_code = ? AND (r.created_at >= ? OR r.resolved_at >= ?) "
            "ORDER BY r.id",
            (commune_code, ts(since), ts(since)),
        )
        return [load(StatRow, r) for r in rows]

    async def published(self, commune_code: str, limit: int) -> list[Published]:
        """The newest answered, publishable phản ánh and kiến nghị, with their answers."""
        rows = await self._all(
            "SELECT r.*, (SELECT e.note FROM events e WHERE e.record_id = r.id "
            "AND e.actor_kind = 'official' AND e.visible_to_citizen = 1 "
            "AND e.note IS NOT NULL AND e.action IN (?, ?) "
            "ORDER BY e.id DESC LIMIT 1) AS answer_note FROM records r "
            "WHERE r.commune_code = ? AND r.publishable = 1 AND r.kind IN (?, ?) "
            "AND r.status IN (?, ?) AND r.answered_at IS NOT NULL "
            "ORDER BY r.answered_at DESC, r.id DESC LIMIT ?",
            (
                *ANSWER_ACTIONS,
                commune_code,
                *PUBLISHED_KINDS,
                *PUBLISHED_STATUSES,
                limit,
            ),
        )
        return [Published(load(Record, r), r["answer_note"]) for r in rows]


class AnnouncementsRepo(Repo):
    async def add(self, commune_code: str, hamlet: str | None, text: str, at: datetime) -> None:
        await self._exec(
            "INSERT INTO announcements (commune_code, hamlet, text, created_at) "
            "VALUES (?, ?, ?, ?)",
            (commune_code, hamlet, text, ts(at)),
        )

    async def list_recent(self, commune_code: str, limit: int) -> list[Announcement]:
        rows = await self._all(
            "SELECT * FROM announcements WHERE commune_code = ? "
            "ORDER BY created_at DESC, id DESC LIMIT ?",
            (commune_code, limit),
        )
        return [load(Announcement, r) for r in rows]
