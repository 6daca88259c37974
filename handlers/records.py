"""Records change here and nowhere else: `apply` moves a record by one lifecycle step.

The decision is pure (`domain.lifecycle.plan`); this module writes it: the record's new
columns under its version and the step's audit event, in the caller's unit of work.
"""

from __future__ import annotations

import logging
from datetime import datetime

from domain.communes import CommuneSettings
from domain.lifecycle import Action, Conflict, NotAllowed, StepResult, plan
from domain.permissions import Actor
from domain.records import Official, Record
from storage import UnitOfWork

log = logging.getLogger(__name__)


async def apply(
    uow: UnitOfWork,
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
) -> StepResult:
    """Move `record` by `action`; raises a `LifecycleError` and changes nothing if it can't."""
    try:
        step = plan(
            commune,
            record,
            action,
            actor,
            now,
            note=note,
            office_code=office_code,
            expected_version=expected_version,
            visible=visible,
            assignee=assignee,
        )
    except NotAllowed:
        log.warning(
            "refused %s on %s for %s %s", action.value, record.code, actor.kind.value, actor.ref
        )
        raise
    after = await uow.update_record(record.id, record.version, step.changes)
    if after is None:
        raise Conflict(record.code)
    event = step.event
    await uow.add_event(
        record.id,
        event.at,
        event.actor_kind,
        event.actor_ref,
        event.action,
        event.from_status,
        event.to_status,
        event.note,
        event.visible_to_citizen,
    )
    log.info(
        "record %s: %s → %s by %s", record.code, record.status, event.to_status, actor.kind.value
    )
    return StepResult(record, after, action, event.action, event.note)
