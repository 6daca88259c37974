"""A record's lifecycle, the pure half: which step may happen, and what it changes.

```mermaid
stateDiagram-v2
    [*] --> received: filed
    received --> accepted: take
    transferred --> accepted: take
    received --> need_info: info
    transferred --> need_info: info
    accepted --> need_info: info
    in_progress --> need_info: info
    need_info --> in_progress: info_received (the citizen answers)
    accepted --> answered: reply
    in_progress --> answered: reply
    need_info --> answered: reply
    received --> transferred: transfer
    accepted --> transferred: transfer
    in_progress --> transferred: transfer
    need_info --> transferred: transfer
    transferred --> transferred: transfer
    received --> rejected: reject (head)
    accepted --> rejected: reject
    in_progress --> rejected: reject
    need_info --> rejected: reject
    transferred --> rejected: reject
    accepted --> closed: done
    in_progress --> closed: done
    need_info --> closed: done
    answered --> closed: done / rate / close (quiet period)
    answered --> in_progress: reopen (Không hài lòng)
    closed --> in_progress: reopen
```

`extend` keeps the status and moves the due time; `assign` (Giao, by a head or leader)
keeps the status and names the handler (an audit event the citizen does not see); `rate`
on a closed record keeps it closed.
`plan` checks the actor's permission (`domain.permissions.allowed`), the version and the
transition, and returns the changes and the one audit event the step makes, without
touching storage. `handlers.records.apply` then writes both in one storage call
(`uow.transition`), which updates the record under its version (so of two officials
pressing the same button one wins and the other gets `Conflict`).

Names: one per concept. A step has one name in code, its `Action` member; the member's
value is the step's spelling on the wire and in storage (see `Action`), never shown, so
two keep their first spelling: `COMPLETE` is `"done"` and `ASK_INFO` is `"info"`. What a
step appends to the audit log is another concept, an event, named for what happened to the
record (`EVENT_NAMES`, mostly the status reached; `FILED_EVENT` for the first); events are
stored and counted by the digest, so their names stay too. People see neither: labels.j2
names the button (`btn.r_<value>`), the event (`event.<name>`) and the status, and the
officials' commands are Vietnamese (`handlers.officials.routing.STEP_COMMANDS`):

| `Action`        | value           | event           | label key (labels.j2)     | command      |
|-----------------|-----------------|-----------------|---------------------------|--------------|
| `TAKE`          | `take`          | `accepted`      | `btn.r_take`              | `/tiepnhan`  |
| `ASK_INFO`      | `info`          | `need_info`     | `btn.r_info`              | `/bosung`    |
| `INFO_RECEIVED` | `info_received` | `info_received` | `btn.supplement` (citizen)| —            |
| `REPLY`         | `reply`         | `answered`      | `btn.r_reply`             | `/traloi`    |
| `TRANSFER`      | `transfer`      | `transferred`   | `btn.r_transfer`          | `/chuyen`    |
| `REJECT`        | `reject`        | `rejected`      | `btn.r_reject`            | `/tuchoi`    |
| `COMPLETE`      | `done`          | `closed`        | `btn.r_done`              | `/hoanthanh` |
| `EXTEND`        | `extend`        | `extended`      | `btn.r_extend`            | `/giahan`    |
| `ASSIGN`        | `assign`        | `assigned`      | `btn.r_assign`            | `/giao`      |
| `REOPEN`        | `reopen`        | `reopened`      | `btn.rate_u` (citizen)    | —            |
| `RATE`          | `rate`          | `rated`         | `btn.rate_*` (citizen)    | —            |
| `CLOSE`         | `close`         | `auto_closed`   | — (the follow-up job)     | —            |

The citizen's `btn.supplement` button, which starts `INFO_RECEIVED`, keeps its wire name
`m:bosung:CODE` (`handlers.flows.info.SUPPLEMENT_ACTION`); `/bosung` is the official's
`ASK_INFO`. Permissions name a step by its `Action` (`allowed(actor, record,
Action.TAKE)`); `Perm` holds only what is not a step (`VIEW`, `VIEW_IDENTITY`), so there
is no second enum repeating the steps and no table joining them. What a step will do is a
`Transition` (from `plan`); a step done is a `StepResult` (from `handlers.records.apply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.communes import CommuneSettings
from domain.deadlines import (
    ExtensionRefused,
    can_extend,
    extended_due_at,
    extension_after,
    record_due_at,
    resolve_due_at,
)
from domain.permissions import Actor, allowed
from domain.records import Action as Action  # the steps are named here; defined with the records
from domain.records import ActorKind, Official, OfficialRole, Record, RecordStatus, Stage

OPEN = (
    RecordStatus.RECEIVED,
    RecordStatus.ACCEPTED,
    RecordStatus.IN_PROGRESS,
    RecordStatus.NEED_INFO,
    RecordStatus.TRANSFERRED,
)
WORKING = (RecordStatus.ACCEPTED, RecordStatus.IN_PROGRESS, RecordStatus.NEED_INFO)

# (action, from) → to. Anything not listed is refused.
TRANSITIONS: dict[tuple[Action, RecordStatus], RecordStatus] = {
    **{
        (Action.TAKE, s): RecordStatus.ACCEPTED
        for s in (RecordStatus.RECEIVED, RecordStatus.TRANSFERRED)
    },
    **{
        (Action.ASK_INFO, s): RecordStatus.NEED_INFO
        for s in (
            RecordStatus.RECEIVED,
            RecordStatus.ACCEPTED,
            RecordStatus.IN_PROGRESS,
            RecordStatus.TRANSFERRED,
        )
    },
    (Action.INFO_RECEIVED, RecordStatus.NEED_INFO): RecordStatus.IN_PROGRESS,
    **{(Action.REPLY, s): RecordStatus.ANSWERED for s in WORKING},
    **{(Action.TRANSFER, s): RecordStatus.TRANSFERRED for s in OPEN},
    **{(Action.REJECT, s): RecordStatus.REJECTED for s in OPEN},
    **{(Action.COMPLETE, s): RecordStatus.CLOSED for s in (*WORKING, RecordStatus.ANSWERED)},
    **{(Action.EXTEND, s): s for s in OPEN},
    **{
        (Action.REOPEN, s): RecordStatus.IN_PROGRESS
        for s in (RecordStatus.ANSWERED, RecordStatus.CLOSED)
    },
    **{(Action.RATE, s): RecordStatus.CLOSED for s in (RecordStatus.ANSWERED, RecordStatus.CLOSED)},
    (Action.CLOSE, RecordStatus.ANSWERED): RecordStatus.CLOSED,
    **{(Action.ASSIGN, s): s for s in OPEN},
}

# The event each action appends (labels.j2 names them for people).
EVENT_NAMES: dict[Action, str] = {
    Action.TAKE: "accepted",
    Action.ASK_INFO: "need_info",
    Action.INFO_RECEIVED: "info_received",
    Action.REPLY: "answered",
    Action.TRANSFER: "transferred",
    Action.REJECT: "rejected",
    Action.COMPLETE: "closed",
    Action.EXTEND: "extended",
    Action.REOPEN: "reopened",
    Action.RATE: "rated",
    Action.CLOSE: "auto_closed",
    Action.ASSIGN: "assigned",
}

# Actions whose text is required (the reason, the answer, the question).
NEEDS_NOTE = frozenset(
    {Action.ASK_INFO, Action.REPLY, Action.TRANSFER, Action.REJECT, Action.EXTEND}
)


class LifecycleError(Exception):
    """A step that cannot happen; `reason` names why (for the template)."""

    reason = "refused"


class NotAllowed(LifecycleError):
    reason = "not_allowed"


class BadTransition(LifecycleError):
    reason = "bad_transition"


class Conflict(LifecycleError):
    """Someone else changed the record first (a double or concurrent press)."""

    reason = "conflict"


class NoMoreExtensions(LifecycleError):
    reason = "no_extension"


class BadAssignee(LifecycleError):
    """The official named for Giao cannot handle this record."""

    reason = "bad_assignee"


def may_handle(official: Official, record: Record) -> bool:
    """Whether `official` can be a record's handler: active, of its office (or a leader)."""
    return (
        official.active
        and official.commune_code == record.commune_code
        and official.role is not OfficialRole.ADMIN
        and (official.office_code == record.office_code or official.role is OfficialRole.LEADER)
    )


@dataclass(frozen=True, slots=True)
class StepResult:
    """A step done: the record before and after, and the event it appended."""

    before: Record
    after: Record
    action: Action
    event: str
    note: str | None


def can(actor: Actor, record: Record, action: Action) -> bool:
    """Whether the step is both permitted and possible from the current status."""
    return (action, record.status) in TRANSITIONS and allowed(actor, record, action)


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    """The audit event a step appends (invariant: no change to a record without one)."""

    at: datetime
    actor_kind: ActorKind
    actor_ref: str | None
    action: str
    from_status: RecordStatus | None  # None for the record's first event (filed)
    to_status: RecordStatus
    note: str | None
    visible_to_citizen: bool
    channel: str | None = None  # where the step was done ("web": the console)


# The first event of every record, appended when it is filed ([*] --> received).
FILED_EVENT = "created"


def filed_event(now: datetime, actor_ref: str | None = None) -> PlannedEvent:
    """The event a record is filed with: by its citizen, seen by them, no status before;
    `actor_ref` names a system that filed it for them (`open311:KEY_ID`)."""
    return PlannedEvent(
        at=now,
        actor_kind=ActorKind.CITIZEN,
        actor_ref=actor_ref,
        action=FILED_EVENT,
        from_status=None,
        to_status=RecordStatus.RECEIVED,
        note=None,
        visible_to_citizen=True,
    )


@dataclass(frozen=True, slots=True)
class Transition:
    """What one step does to a record: the column changes and the event, not yet written."""

    action: Action
    changes: dict[str, Any]
    event: PlannedEvent


def plan(
    commune: CommuneSettings,
    record: Record,
    action: Action,
    actor: Actor,
    now: datetime,
    *,
    note: str | None = None,
    office_code: str | None = None,
    expected_version: int | None = None,
    visible: bool = True,
    assignee: Official | None = None,
) -> Transition:
    """The changes and the event of moving `record` by `action`; raises a `LifecycleError`
    (or `ValueError` for a missing note or office) if the step cannot happen."""
    target = _target(record, action, actor, expected_version, note)
    changes: dict[str, Any] = {"status": target}
    if action is Action.ASSIGN:
        if assignee is None or not may_handle(assignee, record):
            raise BadAssignee(record.code)
        changes["handler_id"] = assignee.id
        note = assignee.display_name
        visible = False  # who works on it inside the office is not the citizen's news
    else:
        changes.update(_changes(commune, record, action, actor, now, office_code))
    event = PlannedEvent(
        at=now,
        actor_kind=actor.kind,
        actor_ref=actor.ref,
        action=EVENT_NAMES[action],
        from_status=record.status,
        to_status=target,
        note=note.strip() if note else None,
        visible_to_citizen=visible,
    )
    return Transition(action, changes, event)


def _target(
    record: Record, action: Action, actor: Actor, expected_version: int | None, note: str | None
) -> RecordStatus:
    """The status `action` moves `record` to, once permission, version and note are checked."""
    if not allowed(actor, record, action):
        raise NotAllowed(action.value)
    if expected_version is not None and expected_version != record.version:
        raise Conflict(record.code)
    target = TRANSITIONS.get((action, record.status))
    if target is None:
        raise BadTransition(f"{action.value} from {record.status.value}")
    if action in NEEDS_NOTE and not (note and note.strip()):
        raise ValueError(f"{action.value} needs a note")
    return target


def _changes(
    commune: CommuneSettings,
    record: Record,
    action: Action,
    actor: Actor,
    now: datetime,
    office_code: str | None,
) -> dict[str, Any]:
    """The columns a step changes besides the status (Giao aside: `plan` does it)."""
    if action is Action.TAKE:
        # thụ lý happens once: a record taken again (after a transfer) keeps the time its
        # resolution stage started, from which an extension is counted.
        started = record.accepted_at if record.stage is Stage.RESOLVE else None
        changes: dict[str, Any] = {
            "accepted_at": started or now,
            "handler_id": actor.official.id if actor.official else None,
        }
        resolve = resolve_due_at(commune, record.kind, now)
        if resolve is not None and record.stage is Stage.INTAKE:
            changes.update(stage=Stage.RESOLVE, due_at=resolve)
        return changes
    if action is Action.TRANSFER:
        if not office_code or commune.office(office_code) is None:
            raise ValueError("transfer needs a known office")
        if office_code == record.office_code:
            raise BadTransition("transfer to the same office")
        return {"office_code": office_code, "handler_id": None}
    if action in (Action.REPLY, Action.COMPLETE):
        changes = {"answered_at": now, "followup_at": None, "rated_at": None}
        if action is Action.COMPLETE:
            changes["resolved_at"] = now
        return changes
    if action in (Action.RATE, Action.CLOSE, Action.REJECT):
        changes = {"resolved_at": record.resolved_at or now}
        if action is Action.RATE:
            changes["rated_at"] = now
        return changes
    if action is Action.REOPEN:
        return _reopened(commune, record, now)
    if action is Action.EXTEND:
        return _extended(commune, record)
    return {}


def _reopened(commune: CommuneSettings, record: Record, now: datetime) -> dict[str, Any]:
    # A reopened record gets a fresh time limit counted from the reopening: the stage's
    # own limit (resolution after thụ lý, else the first limit of its kind).
    fresh = resolve_due_at(commune, record.kind, now) if record.stage is Stage.RESOLVE else None
    return {
        "resolved_at": None,
        "answered_at": None,
        "rated_at": now,
        "due_at": fresh or record_due_at(commune, record.kind, now),
    }


def _extended(commune: CommuneSettings, record: Record) -> dict[str, Any]:
    if not can_extend(commune, record):
        raise NoMoreExtensions(record.kind.value)
    try:
        start = record.accepted_at if record.stage is Stage.RESOLVE else None
        due_at = extended_due_at(
            commune, record.kind, start or record.created_at, record.extensions
        )
        if due_at <= record.due_at:  # a reopening restarted the limit: count on from it
            due_at = extension_after(commune, record.kind, record.due_at, record.extensions)
    except ExtensionRefused:
        raise NoMoreExtensions(record.kind.value) from None
    return {"due_at": due_at, "extensions": record.extensions + 1}
