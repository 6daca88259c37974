"""Who may see and do what with a record: one pure function, used by every path.

- A citizen: only their own records (view, rate, reopen by rating, answer a request for
  more information); the denouncer's own identity is theirs to see.
- An official (member, head) of the record's office, in the record's commune: view and work
  it; rejecting and assigning (Giao) need `head`. A tố cáo is taken (thụ lý, which makes the
  taker its handler) only by a head or leader, or by the official it was assigned to.
- A leader: every record of their commune, rejections and assignments included.
- An `admin` manages officials and nothing else: the role gives no record work and no
  access to a denouncer's identity.
- Revoked officials, other offices and other communes: nothing.
- The identity of the person behind a tố cáo (name, phone, chat) is seen only by a leader,
  the record's assigned handler and the denouncer (Luật Tố cáo Điều 9, 47). For the other
  kinds the office sees the contact details the citizen chose to leave.
- The system (scheduled jobs) may move records but never sees a denouncer's identity.

A message to a group chat is read by everyone in it, so it is rendered for `GROUP`, an actor
with no identity rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.records import Action, ActorKind, Official, OfficialRole, Record, RecordKind


class Perm(StrEnum):
    """What one may do with a record besides its steps; a step is asked by its `Action`."""

    VIEW = "view"
    VIEW_IDENTITY = "view_identity"


OFFICE_WORK: frozenset[Perm | Action] = frozenset(
    {
        Perm.VIEW,
        Action.TAKE,
        Action.ASK_INFO,
        Action.REPLY,
        Action.TRANSFER,
        Action.COMPLETE,
        Action.EXTEND,
    }
)
# The citizen's side: their own record, answering a request, rating, reopening by rating.
CITIZEN_OWN: frozenset[Perm | Action] = frozenset(
    {Perm.VIEW, Perm.VIEW_IDENTITY, Action.INFO_RECEIVED, Action.RATE, Action.REOPEN}
)
# The scheduler's side (`Action.CLOSE`) and everything else but a denouncer's identity.
SYSTEM: frozenset[Perm | Action] = frozenset({*Perm, *Action} - {Perm.VIEW_IDENTITY})
# What no official does, not even a leader: the citizen's and the scheduler's steps.
NOT_OFFICIALS: frozenset[Perm | Action] = frozenset(
    {Action.INFO_RECEIVED, Action.RATE, Action.REOPEN, Action.CLOSE}
)


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    citizen_id: int | None = None
    official: Official | None = None

    @classmethod
    def for_citizen(cls, citizen_id: int) -> Actor:
        return cls(ActorKind.CITIZEN, citizen_id=citizen_id)

    @classmethod
    def for_official(cls, official: Official) -> Actor:
        return cls(ActorKind.OFFICIAL, official=official)

    @property
    def ref(self) -> str | None:
        """What the audit log keeps about the actor: an official's id, nothing for others."""
        return str(self.official.id) if self.official is not None else None


SYSTEM_ACTOR = Actor(ActorKind.SYSTEM)
GROUP = Actor(ActorKind.OFFICIAL)  # everyone in an office's group chat: no official row


def allowed(actor: Actor, record: Record, perm: Perm | Action) -> bool:
    """Whether `actor` may do `perm` (a step, or seeing the record or its sender) with it."""
    if actor.kind is ActorKind.SYSTEM:
        return perm in SYSTEM
    if actor.kind is ActorKind.CITIZEN:
        own = actor.citizen_id is not None and actor.citizen_id == record.citizen_id
        return own and perm in CITIZEN_OWN
    official = actor.official
    if official is None or not official.active or official.commune_code != record.commune_code:
        return False
    if official.role is OfficialRole.ADMIN:
        return False  # administrators manage officials, not records
    if official.role is OfficialRole.LEADER:
        return perm not in NOT_OFFICIALS
    if official.office_code != record.office_code:
        return False
    to_cao = record.kind is RecordKind.TO_CAO
    if perm is Perm.VIEW_IDENTITY:
        return not to_cao or record.handler_id == official.id
    if perm in (Action.REJECT, Action.ASSIGN):
        return official.role is OfficialRole.HEAD
    if perm is Action.TAKE and to_cao:
        # Taking makes the taker the handler, who sees the denouncer: the head assigns.
        return official.role is OfficialRole.HEAD or record.handler_id == official.id
    if to_cao and perm is not Perm.VIEW:
        # A tố cáo is worked only by its assigned handler (and the office's head).
        return perm in OFFICE_WORK and (
            official.role is OfficialRole.HEAD or record.handler_id == official.id
        )
    return perm in OFFICE_WORK


def may_manage_officials(official: Official | None, commune_code: str) -> bool:
    return (
        official is not None
        and official.active
        and official.role is OfficialRole.ADMIN
        and official.commune_code == commune_code
    )


def may_broadcast(official: Official | None, commune_code: str) -> bool:
    """Announcements to the commune's subscribers: administrators and leaders."""
    return (
        official is not None
        and official.active
        and official.role in (OfficialRole.ADMIN, OfficialRole.LEADER)
        and official.commune_code == commune_code
    )


@dataclass(frozen=True, slots=True)
class Contact:
    """The contact details a viewer may see: shown, hidden (tố cáo) or none (anonymous)."""

    name: str | None
    phone: str | None
    hidden: bool

    @property
    def present(self) -> bool:
        return bool(self.name or self.phone)


def contact_for(actor: Actor, record: Record) -> Contact:
    if record.anonymous or not (record.contact_name or record.contact_phone):
        return Contact(None, None, hidden=False)
    if allowed(actor, record, Perm.VIEW_IDENTITY):
        return Contact(record.contact_name, record.contact_phone, hidden=False)
    return Contact(None, None, hidden=True)
