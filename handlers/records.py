"""Records change here and nowhere else: `file_record` creates one, `apply` moves it by one
lifecycle step.

The decisions are pure (`domain.lifecycle.plan`, `filed_event`, `choose_office`); this
module writes them in the caller's unit of work: a new record under a fresh tracking code
with its photos, its first audit event and the notices to its office; or a record's new
columns under its version with the step's audit event. Nothing is shown to the citizen
before the caller commits (invariant 1).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain import tracking_code
from domain.communes import TRIAGE_OFFICE, CommuneSettings, DeadlineRule
from domain.deadlines import record_due_at
from domain.lifecycle import (
    Action,
    Conflict,
    NotAllowed,
    StepResult,
    filed_event,
    plan,
)
from domain.permissions import Actor
from domain.records import NewRecord, Official, OfficialRole, Record, RecordKind
from handlers.notify import Notifier
from storage import UnitOfWork

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class Intake:
    """What a citizen files: the draft's facts, and what routing found in them."""

    citizen_id: int | None
    channel: str
    kind: RecordKind
    description: str
    hamlet: str | None = None
    place: str | None = None
    location: tuple[float, float] | None = None
    photos: Sequence[str] = ()
    clips: Sequence[tuple[str, str]] = ()  # (kind, ref): voice messages and videos
    anonymous: bool = False
    contact_name: str | None = None
    contact_phone: str | None = None
    publishable: bool = False  # «cho phép công khai»: phản ánh and kiến nghị only
    topic: str | None = None
    routed_office: str = TRIAGE_OFFICE  # where the description routes (faq's understander)
    chosen_office: str | None = None  # an office chosen before (a report offered from text)
    filed_by: str | None = None  # a partner system filing for the citizen ("open311:KEY_ID")


@dataclass(frozen=True, slots=True)
class Filed:
    """A record just filed, and what the citizen is told about it."""

    record: Record
    office_name: str
    rule: DeadlineRule


def choose_office(
    commune: CommuneSettings, kind: RecordKind, routed: str, chosen: str | None
) -> str:
    """The office a new record goes to.

    For a phản ánh or kiến nghị, an office already chosen (a report offered from free text)
    stands if it exists in this commune. Otherwise the description decides (`routed`: the
    understander sends khiếu nại and tố cáo to the Văn phòng, the others to their topic's
    office); an office this commune does not have means the Văn phòng.
    """
    if not kind.needs_identity and chosen and commune.office(chosen) is not None:
        return chosen
    return routed if commune.office(routed) is not None else TRIAGE_OFFICE


async def file_record(
    uow: UnitOfWork,
    commune: CommuneSettings,
    intake: Intake,
    now: datetime,
    *,
    notifier: Notifier,
) -> Filed:
    """Create the record (code, photos, first event) and tell its office, all in `uow`."""
    kind = intake.kind
    office_code = choose_office(commune, kind, intake.routed_office, intake.chosen_office)
    identity = not intake.anonymous
    new = NewRecord(
        commune_code=commune.code,
        citizen_id=intake.citizen_id,
        channel=intake.channel,
        kind=kind,
        topic=intake.topic,
        office_code=office_code,
        description=intake.description,
        hamlet=intake.hamlet,
        place=intake.place,
        latitude=intake.location[0] if intake.location else None,
        longitude=intake.location[1] if intake.location else None,
        anonymous=intake.anonymous,
        contact_name=intake.contact_name if identity else None,
        contact_phone=intake.contact_phone if identity else None,
        created_at=now,
        due_at=record_due_at(commune, kind, now),
        publishable=intake.publishable and not kind.needs_identity,
    )
    record = await _insert_with_fresh_code(uow, commune, new, now)
    for ref in intake.photos:
        await uow.attachments.add(record.id, "photo", ref, now)
    for clip_kind, ref in intake.clips:
        await uow.attachments.add(record.id, clip_kind, ref, now)
    await uow.events.append(record.id, filed_event(now, intake.filed_by))
    await _tell_office_of_new(notifier, record)
    log.info("record %s filed: kind=%s office=%s", record.code, kind.value, office_code)
    office = commune.office(office_code)
    return Filed(record, office.name if office else office_code, commune.deadlines[kind])


async def _insert_with_fresh_code(
    uow: UnitOfWork, commune: CommuneSettings, new: NewRecord, now: datetime
) -> Record:
    local = now.astimezone(commune.timezone)
    for _ in range(CODE_ATTEMPTS):
        code = tracking_code.make_code(commune.code, local)
        record = await uow.records.insert(code, new)
        if record is not None:
            return record
        log.warning("tracking code collision, retrying")
    raise RuntimeError("could not find a free tracking code")


async def _tell_office_of_new(notifier: Notifier, record: Record) -> None:
    """Tell the office (and, for a tố cáo, the leaders) in the same transaction."""
    await notifier.to_office(record, "office_new", transferred_from=None, reason=None, media=True)
    if record.kind is RecordKind.TO_CAO:
        told = {(c, chat) for c, chat, _ in await notifier.office_readers(record.office_code)}
        leaders = [
            o
            for o in await notifier.officials_with_role(OfficialRole.LEADER)
            if (o.channel, o.external_id) not in told
        ]
        await notifier.to_officials(
            leaders, record, "office_new", transferred_from=None, reason=None, media=True
        )


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
    channel: str | None = None,
) -> StepResult:
    """Move `record` by `action`; raises a `LifecycleError` and changes nothing if it can't.
    `channel` is where the step was done (the audit event keeps it: "web" for the console)."""
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
    if channel is not None:
        step = dataclasses.replace(step, event=dataclasses.replace(step.event, channel=channel))
    # The version check and the audit event in one storage call (invariant 2).
    after = await uow.transition(record, record.version, step.changes, step.event)
    if after is None:
        raise Conflict(record.code)
    event = step.event
    log.info(
        "record %s: %s → %s by %s", record.code, record.status, event.to_status, actor.kind.value
    )
    return StepResult(record, after, action, event.action, event.note)
