"""The domain model as storage keeps it: plain frozen dataclasses and named enums.

Enum values are what the database stores (CHECK constraints list the same values).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class RecordKind(StrEnum):
    PHAN_ANH = "phan_anh"
    KIEN_NGHI = "kien_nghi"
    KHIEU_NAI = "khieu_nai"
    TO_CAO = "to_cao"

    @property
    def needs_identity(self) -> bool:
        """The law does not process anonymous khiếu nại or tố cáo (DOMAIN.md §1.2–1.3)."""
        return self in (RecordKind.KHIEU_NAI, RecordKind.TO_CAO)


class RecordStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    NEED_INFO = "need_info"
    TRANSFERRED = "transferred"
    ANSWERED = "answered"
    REJECTED = "rejected"
    CLOSED = "closed"


class Action(StrEnum):
    """A step in a record's lifecycle (`domain.lifecycle`, which is where to import it from).

    The values are the steps' spelling on the wire and in storage — record buttons
    `r:CODE:done:V` already in people's chats, `official_pending.action` under a CHECK
    constraint — so `COMPLETE` stays `"done"` and `ASK_INFO` stays `"info"`.
    """

    TAKE = "take"
    ASK_INFO = "info"
    INFO_RECEIVED = "info_received"
    REPLY = "reply"
    TRANSFER = "transfer"
    REJECT = "reject"
    COMPLETE = "done"
    EXTEND = "extend"
    REOPEN = "reopen"
    RATE = "rate"
    CLOSE = "close"
    ASSIGN = "assign"


class OfficialRole(StrEnum):
    MEMBER = "member"  # works the office's records
    HEAD = "head"  # also approves rejections, hears the citizens' complaints
    LEADER = "leader"  # Chủ tịch / Phó Chủ tịch: the whole commune, escalations
    ADMIN = "admin"  # manages officials


class Stage(StrEnum):
    INTAKE = "intake"  # xử lý đơn / thụ lý
    RESOLVE = "resolve"  # giải quyết after thụ lý (khiếu nại, tố cáo)


class Rating(StrEnum):
    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"


class ActorKind(StrEnum):
    CITIZEN = "citizen"
    OFFICIAL = "official"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Citizen:
    id: int
    channel: str
    external_id: str
    commune_code: str | None
    name: str | None
    phone: str | None
    consent_at: datetime | None
    consent_version: str | None
    created_at: datetime

    @property
    def has_consented(self) -> bool:
        return self.consent_at is not None


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where someone is in a conversation: a citizen (`conversations`) or an official
    (`official_conversations`, migration 007); `owner_id` is the citizen's or the
    official's id. The nonce changes whenever the state changes (stale buttons)."""

    owner_id: int
    flow: str
    state: str
    data: dict[str, Any]
    nonce: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewRecord:
    commune_code: str
    citizen_id: int | None
    channel: str
    kind: RecordKind
    topic: str | None
    office_code: str
    description: str
    hamlet: str | None
    place: str | None
    latitude: float | None
    longitude: float | None
    anonymous: bool
    contact_name: str | None
    contact_phone: str | None
    created_at: datetime
    due_at: datetime
    # The citizen let it be published, masked, once answered (phản ánh, kiến nghị only).
    publishable: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    id: int
    code: str
    commune_code: str
    citizen_id: int | None
    channel: str
    kind: RecordKind
    topic: str | None
    office_code: str
    status: RecordStatus
    description: str
    hamlet: str | None
    place: str | None
    latitude: float | None
    longitude: float | None
    anonymous: bool
    contact_name: str | None
    contact_phone: str | None
    created_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    handler_id: int | None = None
    version: int = 0
    stage: Stage = Stage.INTAKE
    extensions: int = 0
    accepted_at: datetime | None = None
    answered_at: datetime | None = None
    followup_at: datetime | None = None
    rated_at: datetime | None = None
    # «cho phép công khai (đã ẩn thông tin cá nhân)», asked at filing (migration 013).
    publishable: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    record_id: int
    at: datetime
    actor_kind: ActorKind
    actor_ref: str | None
    action: str
    from_status: RecordStatus | None
    to_status: RecordStatus | None
    note: str | None
    visible_to_citizen: bool
    channel: str | None = None  # where the step was done (migration 012; None before)


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    id: int
    record_id: int
    kind: str
    ref: str
    created_at: datetime
    # 'citizen' (what the citizen sent) or 'result' (an official's photo of the result)
    role: str
    # the channel `ref` belongs to, when not the record's own (None: the record's)
    channel: str | None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    channel: str
    chat_id: str
    priority: int
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    not_before: datetime


@dataclass(frozen=True, slots=True)
class Subscription:
    """A citizen who receives the commune's announcements (hamlet None: the whole commune)."""

    citizen_id: int
    channel: str
    chat_id: str
    commune_code: str
    hamlet: str | None


@dataclass(frozen=True, slots=True)
class Official:
    id: int
    commune_code: str
    channel: str
    external_id: str
    display_name: str
    office_code: str
    role: OfficialRole
    active: bool
    created_at: datetime
    # Revoked while a typed step waited: their next text is told so (migration 006).
    step_interrupted: bool = False


# An official's conversation: at rest, or waiting for the text of a record step (its data:
# the record, the action, the record's version then, the chat it was asked in). Named here
# because storage ends the wait when an official is revoked.
OFFICIAL_IDLE = "officials.idle"
OFFICIAL_TEXT = "officials.text"


@dataclass(frozen=True, slots=True)
class Invite:
    code: str
    commune_code: str
    office_code: str
    role: OfficialRole
    display_name: str | None
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class OverdueRecord:
    """An open record past its deadline, as the digest lists it: no content, no person."""

    code: str
    office_code: str
    kind: RecordKind
    due_at: datetime


@dataclass(frozen=True, slots=True)
class DurationStats:
    """How long something took over a set of records, in hours (nearest-rank percentiles)."""

    count: int
    median_hours: float | None
    p90_hours: float | None
