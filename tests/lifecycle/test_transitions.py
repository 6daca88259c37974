"""The transition table, pinned edge by edge, and every transition on a real database."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest

from domain import lifecycle
from domain.communes import CommuneSettings
from domain.lifecycle import (
    Action,
    BadTransition,
    Conflict,
    NoMoreExtensions,
    NotAllowed,
)
from domain.permissions import (
    SYSTEM_ACTOR,
    Actor,
)
from domain.records import (
    ActorKind,
    OfficialRole,
    RecordKind,
    RecordStatus,
    Stage,
)
from handlers import records
from handlers.notify import CARD_ACTIONS
from handlers.officials.routing import STEP_COMMANDS
from storage import Storage
from tests.support.lifecycle import NOW, S, new_in

NOTES = {Action.TRANSFER: "Không thuộc lĩnh vực"}

# The lifecycle written out edge by edge, apart from `domain.lifecycle.TRANSITIONS`, so that
# a wrong entry in the table fails ("from --> to: step", the step by its stored value).
EXPECTED_EDGES = """
    received --> accepted: take
    transferred --> accepted: take
    received --> need_info: info
    accepted --> need_info: info
    in_progress --> need_info: info
    transferred --> need_info: info
    need_info --> in_progress: info_received
    accepted --> answered: reply
    in_progress --> answered: reply
    need_info --> answered: reply
    received --> transferred: transfer
    accepted --> transferred: transfer
    in_progress --> transferred: transfer
    need_info --> transferred: transfer
    transferred --> transferred: transfer
    received --> rejected: reject
    accepted --> rejected: reject
    in_progress --> rejected: reject
    need_info --> rejected: reject
    transferred --> rejected: reject
    accepted --> closed: done
    in_progress --> closed: done
    need_info --> closed: done
    answered --> closed: done
    received --> received: extend
    accepted --> accepted: extend
    in_progress --> in_progress: extend
    need_info --> need_info: extend
    transferred --> transferred: extend
    answered --> in_progress: reopen
    closed --> in_progress: reopen
    answered --> closed: rate
    closed --> closed: rate
    answered --> closed: close
    received --> received: assign
    accepted --> accepted: assign
    in_progress --> in_progress: assign
    need_info --> need_info: assign
    transferred --> transferred: assign
"""
# What the diagram in domain/lifecycle.py leaves to its prose: the steps that keep the status.
KEEP_STATUS = {(Action.EXTEND, s): s for s in lifecycle.OPEN} | {
    (Action.ASSIGN, s): s for s in lifecycle.OPEN
}
KEEP_STATUS[(Action.RATE, S.CLOSED)] = S.CLOSED
MERMAID_EDGE = re.compile(r"^\s*(\w+) --> (\w+): (.+)$")


def edges(text: str) -> dict[tuple[Action, RecordStatus], RecordStatus]:
    """`from --> to: step / step (comment)` lines as (step, from) → to; `[*]` is skipped."""
    found: dict[tuple[Action, RecordStatus], RecordStatus] = {}
    for line in text.splitlines():
        match = MERMAID_EDGE.match(line)
        if match is None:
            continue
        before, after, label = match.groups()
        for name in re.sub(r"\(.*?\)", "", label).split("/"):
            key = (Action(name.strip()), RecordStatus(before))
            assert key not in found, f"{key} twice"
            found[key] = RecordStatus(after)
    return found


def test_the_transition_table_is_the_expected_one() -> None:
    expected_edges = edges(EXPECTED_EDGES)
    assert len(expected_edges) == 39
    missing = expected_edges.keys() - lifecycle.TRANSITIONS.keys()
    extra = lifecycle.TRANSITIONS.keys() - expected_edges.keys()
    assert not missing, f"not in TRANSITIONS: {sorted(missing)}"
    assert not extra, f"not expected: {sorted(extra)}"
    assert expected_edges == lifecycle.TRANSITIONS


def test_the_diagram_matches_the_table() -> None:
    doc = lifecycle.__doc__ or ""
    diagram = doc.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = edges(diagram)
    assert not drawn.keys() & KEEP_STATUS.keys()
    assert drawn | KEEP_STATUS == lifecycle.TRANSITIONS


def test_step_values_and_event_names_are_the_stored_ones() -> None:
    """Record buttons already sent and officials' waiting text steps carry the values; the
    `events` table and the digest carry the event names: neither may drift."""
    assert {a.name: a.value for a in Action} == {
        "TAKE": "take",
        "ASK_INFO": "info",
        "INFO_RECEIVED": "info_received",
        "REPLY": "reply",
        "TRANSFER": "transfer",
        "REJECT": "reject",
        "COMPLETE": "done",
        "EXTEND": "extend",
        "REOPEN": "reopen",
        "RATE": "rate",
        "CLOSE": "close",
        "ASSIGN": "assign",
    }
    assert {a.value: e for a, e in lifecycle.EVENT_NAMES.items()} == {
        "take": "accepted",
        "info": "need_info",
        "info_received": "info_received",
        "reply": "answered",
        "transfer": "transferred",
        "reject": "rejected",
        "done": "closed",
        "extend": "extended",
        "reopen": "reopened",
        "rate": "rated",
        "close": "auto_closed",
        "assign": "assigned",
    }
    assert lifecycle.FILED_EVENT == "created"


def test_the_naming_table_in_the_lifecycle_says_what_the_code_does() -> None:
    doc = lifecycle.__doc__ or ""
    rows = [
        [cell.strip().strip("`").split(" ")[0] for cell in line.strip("|").split("|")]
        for line in doc.splitlines()
        if line.startswith("| `") and not line.startswith("| `Action`")
    ]
    commands = {action: f"/{name}" for name, action in STEP_COMMANDS.items()}
    assert sorted(row[0] for row in rows) == sorted(a.name for a in Action)
    for name, value, event, label_key, command in rows:
        action = Action[name]
        assert (value, event) == (action.value, lifecycle.EVENT_NAMES[action])
        assert label_key == CARD_ACTIONS.get(action, label_key)
        assert command == commands.get(action, "—")


@pytest.mark.parametrize(("action", "status"), list(itertools.product(Action, S)))
async def test_every_transition_is_allowed_or_refused_as_the_table_says(
    storage: Storage, commune: CommuneSettings, action: Action, status: RecordStatus
) -> None:
    rec = await new_in(storage, status, RecordKind.TO_CAO, Stage.RESOLVE)
    async with storage.transaction() as uow:
        head = await uow.officials.get("test", "head")
        assert head is not None
        actor = {
            Action.INFO_RECEIVED: Actor(ActorKind.SYSTEM),
            Action.RATE: SYSTEM_ACTOR,
            Action.REOPEN: SYSTEM_ACTOR,
            Action.CLOSE: SYSTEM_ACTOR,
        }.get(action, Actor.for_official(head))
        events_before = len(await uow.events.list_for(rec.id, visible_only=False))
        target = edges(EXPECTED_EDGES).get((action, status))
        if target is None:
            with pytest.raises(BadTransition):
                await records.apply(
                    uow,
                    commune,
                    rec,
                    action,
                    actor,
                    NOW,
                    note="ghi chú",
                    office_code="KT",
                    assignee=head,
                )
            after = await uow.records.get_by_id(rec.id)
            assert after == rec
            assert len(await uow.events.list_for(rec.id, visible_only=False)) == events_before
            return
        done = await records.apply(
            uow, commune, rec, action, actor, NOW, note="ghi chú", office_code="KT", assignee=head
        )
        assert done.after.status is target
        assert done.after.version == rec.version + 1
        events = await uow.events.list_for(rec.id, visible_only=False)
        assert len(events) == events_before + 1
        assert (events[-1].from_status, events[-1].to_status) == (status, target)
        assert events[-1].action == lifecycle.EVENT_NAMES[action]


async def test_take_starts_the_resolution_stage_and_extensions_are_limited(
    storage: Storage, commune: CommuneSettings
) -> None:
    rec = await new_in(storage, S.RECEIVED, RecordKind.KHIEU_NAI)
    async with storage.transaction() as uow:
        head = await uow.officials.get("test", "head")
        assert head is not None
        actor = Actor.for_official(head)
        with pytest.raises(NoMoreExtensions):  # extensions belong to the resolution stage
            await records.apply(uow, commune, rec, Action.EXTEND, actor, NOW, note="sớm")
        taken = (await records.apply(uow, commune, rec, Action.TAKE, actor, NOW)).after
        assert (taken.stage, taken.handler_id) == (Stage.RESOLVE, head.id)
        # thụ lý on 26/11 (local) + 30 days → Saturday 26/12, so Monday 28/12 (BLDS Điều 148.5);
        # one extension: 45 days from thụ lý → Sun 10/01/2027, so Mon 11/01 (Luật Khiếu nại
        # Điều 28; not 15 days on from the moved 28/12)
        assert taken.due_at.astimezone(commune.timezone).date().isoformat() == "2026-12-28"
        extended = (
            await records.apply(uow, commune, taken, Action.EXTEND, actor, NOW, note="phức tạp")
        ).after
        assert extended.due_at.astimezone(commune.timezone).date().isoformat() == "2027-01-11"
        with pytest.raises(NoMoreExtensions):
            await records.apply(uow, commune, extended, Action.EXTEND, actor, NOW, note="nữa")


async def test_an_extension_after_a_transfer_counts_from_the_first_thu_ly(
    storage: Storage, commune: CommuneSettings
) -> None:
    rec = await new_in(storage, S.RECEIVED, RecordKind.KHIEU_NAI)
    async with storage.transaction() as uow:
        await uow.officials.upsert("CG", "test", "kt", "Bình", "KT", OfficialRole.HEAD, NOW)
        vp, kt = await uow.officials.get("test", "head"), await uow.officials.get("test", "kt")
        assert vp is not None
        assert kt is not None
        taken = await records.apply(uow, commune, rec, Action.TAKE, Actor.for_official(vp), NOW)
        moved = await records.apply(
            uow,
            commune,
            taken.after,
            Action.TRANSFER,
            Actor.for_official(vp),
            NOW,
            note="thuộc lĩnh vực kinh tế",
            office_code="KT",
        )
        later = NOW + timedelta(days=10)
        again = await records.apply(
            uow, commune, moved.after, Action.TAKE, Actor.for_official(kt), later
        )
        assert again.after.accepted_at == taken.after.accepted_at  # thụ lý happens once
        extended = await records.apply(
            uow, commune, again.after, Action.EXTEND, Actor.for_official(kt), later, note="phức tạp"
        )
        # 45 days from the first thụ lý (26/11) → Sun 10/01/2027 → Mon 11/01
        assert extended.after.due_at.astimezone(commune.timezone).date().isoformat() == "2027-01-11"


async def test_a_stale_version_or_a_foreign_actor_changes_nothing(
    storage: Storage, commune: CommuneSettings
) -> None:
    rec = await new_in(storage, S.RECEIVED, RecordKind.PHAN_ANH)
    async with storage.transaction() as uow:
        head = await uow.officials.get("test", "head")
        stranger = await uow.officials.upsert(
            "CG", "test", "kt", "Hà", "KT", OfficialRole.HEAD, NOW
        )
        assert head is not None
        with pytest.raises(NotAllowed):
            await records.apply(uow, commune, rec, Action.TAKE, Actor.for_official(stranger), NOW)
        await records.apply(uow, commune, rec, Action.TAKE, Actor.for_official(head), NOW)
        with pytest.raises(Conflict):
            await records.apply(
                uow, commune, rec, Action.TAKE, Actor.for_official(head), NOW, expected_version=0
            )
        assert len(await uow.events.list_for(rec.id, visible_only=False)) == 1
