"""The lifecycle and the permission function: every transition, the permission matrix."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import load_settings
from domain import lifecycle, tracking_code
from domain.communes import CommuneSettings
from domain.lifecycle import (
    Action,
    BadTransition,
    Conflict,
    NoMoreExtensions,
    NotAllowed,
    PlannedEvent,
)
from domain.messages import MAX_BUTTON_DATA_BYTES
from domain.permissions import (
    GROUP,
    SYSTEM_ACTOR,
    Actor,
    Perm,
    allowed,
    contact_for,
    may_manage_officials,
)
from domain.records import (
    ActorKind,
    NewRecord,
    Official,
    OfficialRole,
    Record,
    RecordKind,
    RecordStatus,
    Stage,
)
from domain.tracking_code import make_code
from handlers import records
from handlers.callbacks import RecordButton
from handlers.notify import CARD_ACTIONS, Notifier
from handlers.officials.routing import STEP_COMMANDS
from handlers.render import Renderer
from storage import SqliteStorage, Storage
from storage.base import CommuneRow, OfficeRow

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
S = RecordStatus


def official(
    role: OfficialRole, office: str = "VP", oid: int = 7, commune: str = "CG", active: bool = True
) -> Official:
    return Official(oid, commune, "test", f"o{oid}", "Lan", office, role, active, NOW)


def record(kind: RecordKind = RecordKind.PHAN_ANH, **changes: object) -> Record:
    base = Record(
        id=1,
        code="CG-2611-AAAAAA",
        commune_code="CG",
        citizen_id=5,
        channel="test",
        kind=kind,
        topic=None,
        office_code="VP",
        status=S.RECEIVED,
        description="x",
        hamlet=None,
        place=None,
        latitude=None,
        longitude=None,
        anonymous=False,
        contact_name="Trần Văn Bình",
        contact_phone="0987654321",
        created_at=NOW,
        due_at=NOW + timedelta(days=10),
        resolved_at=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


OFFICE_ACTIONS: list[Perm | Action] = [Perm.VIEW, Action.TAKE, Action.ASK_INFO, Action.REPLY]
OFFICE_ACTIONS += [Action.TRANSFER, Action.COMPLETE, Action.EXTEND]
# Everything a permission is asked for: seeing the record or its sender, and every step.
EVERYTHING: list[Perm | Action] = [*Perm, *Action]


def expected(
    role: OfficialRole, own_office: bool, to_cao: bool, handler: bool, perm: Perm | Action
) -> bool:
    if role is OfficialRole.ADMIN:
        return False  # manages officials; no record work, no identity, even as "handler"
    if role is OfficialRole.LEADER:
        return perm not in (Action.INFO_RECEIVED, Action.RATE, Action.REOPEN, Action.CLOSE)
    if not own_office:
        return False
    if perm is Perm.VIEW_IDENTITY:
        return not to_cao or handler
    if perm in (Action.REJECT, Action.ASSIGN):
        return role is OfficialRole.HEAD
    if perm is Action.TAKE and to_cao:
        # taking a tố cáo makes one its handler: a head, or the official it was assigned to
        return role is OfficialRole.HEAD or handler
    if to_cao and perm is not Perm.VIEW:
        # every other step on a tố cáo: its handler or the office's head, nobody else
        return perm in OFFICE_ACTIONS and (role is OfficialRole.HEAD or handler)
    return perm in OFFICE_ACTIONS


@pytest.mark.parametrize(
    ("role", "own_office", "to_cao", "handler", "perm"),
    list(itertools.product(OfficialRole, (True, False), (True, False), (True, False), EVERYTHING)),
)
def test_permission_matrix_for_officials(
    role: OfficialRole, own_office: bool, to_cao: bool, handler: bool, perm: Perm | Action
) -> None:
    who = official(role, office="VP" if own_office else "KT")
    rec = record(
        RecordKind.TO_CAO if to_cao else RecordKind.PHAN_ANH, handler_id=7 if handler else 3
    )
    assert allowed(Actor.for_official(who), rec, perm) is expected(
        role, own_office, to_cao, handler, perm
    )


@pytest.mark.parametrize("perm", EVERYTHING)
def test_revoked_and_foreign_officials_may_do_nothing(perm: Perm | Action) -> None:
    rec = record(RecordKind.TO_CAO, handler_id=7)
    assert not allowed(Actor.for_official(official(OfficialRole.LEADER, active=False)), rec, perm)
    assert not allowed(Actor.for_official(official(OfficialRole.LEADER, commune="HN")), rec, perm)
    assert not allowed(GROUP, rec, perm)


@pytest.mark.parametrize("perm", EVERYTHING)
def test_citizens_only_their_own_and_system_never_sees_identity(perm: Perm | Action) -> None:
    rec = record(RecordKind.TO_CAO)
    own = perm in (Perm.VIEW, Perm.VIEW_IDENTITY, Action.INFO_RECEIVED, Action.RATE, Action.REOPEN)
    assert allowed(Actor.for_citizen(5), rec, perm) is own
    assert not allowed(Actor.for_citizen(6), rec, perm)
    assert allowed(SYSTEM_ACTOR, rec, perm) is (perm is not Perm.VIEW_IDENTITY)


def test_contact_is_masked_for_a_to_cao_except_leader_and_handler() -> None:
    rec = record(RecordKind.TO_CAO, handler_id=7)
    member = Actor.for_official(official(OfficialRole.MEMBER, oid=8))
    assert contact_for(member, rec).hidden
    assert contact_for(member, rec).name is None
    assert contact_for(GROUP, rec).hidden
    assert contact_for(Actor.for_official(official(OfficialRole.MEMBER)), rec).name
    assert contact_for(Actor.for_official(official(OfficialRole.LEADER, oid=9)), rec).phone
    plain = record(RecordKind.PHAN_ANH)
    assert contact_for(member, plain).name == "Trần Văn Bình"
    anon = record(anonymous=True, contact_name=None, contact_phone=None)
    assert not contact_for(member, anon).hidden
    assert not contact_for(member, anon).present


def test_only_active_admins_of_the_commune_manage_officials() -> None:
    assert may_manage_officials(official(OfficialRole.ADMIN), "CG")
    assert not may_manage_officials(official(OfficialRole.ADMIN), "HN")
    assert not may_manage_officials(official(OfficialRole.ADMIN, active=False), "CG")
    assert not may_manage_officials(official(OfficialRole.LEADER), "CG")
    assert not may_manage_officials(None, "CG")


# --- transitions on a real database ---------------------------------------------------


@pytest.fixture
def commune() -> CommuneSettings:
    return load_settings(None).communes[0]


@pytest.fixture
async def storage(tmp_path: Path, commune: CommuneSettings) -> AsyncIterator[Storage]:
    store = await SqliteStorage.open(tmp_path / "l.sqlite3")
    async with store.transaction() as uow:
        await uow.communes.sync(
            [
                CommuneRow(
                    commune.code,
                    commune.name,
                    tuple(OfficeRow(o.code, o.name, None) for o in commune.offices),
                )
            ],
            NOW,
        )
        await uow.officials.upsert("CG", "test", "head", "Lan", "VP", OfficialRole.HEAD, NOW)
    try:
        yield store
    finally:
        await store.close()


async def new_in(
    store: Storage, status: RecordStatus, kind: RecordKind, stage: Stage = Stage.INTAKE
) -> Record:
    async with store.transaction() as uow:
        rec = await uow.records.insert(
            f"CG-2611-{status.value[:5].upper():A<5}"[:13] + str(len(kind.value)),
            NewRecord(
                "CG",
                None,
                "test",
                kind,
                None,
                "VP",
                "x",
                None,
                None,
                None,
                None,
                True,
                None,
                None,
                NOW,
                NOW + timedelta(days=10),
            ),
        )
        assert rec is not None
        if status is not S.RECEIVED or stage is not Stage.INTAKE:
            setup = PlannedEvent(
                NOW, ActorKind.SYSTEM, None, "setup", rec.status, status, None, False
            )
            rec = await uow.transition(rec, rec.version, {"status": status, "stage": stage}, setup)
        assert rec is not None
        return rec


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
        # one extension of 15 days → 12/01/2027
        assert taken.due_at.astimezone(commune.timezone).date().isoformat() == "2026-12-28"
        extended = (
            await records.apply(uow, commune, taken, Action.EXTEND, actor, NOW, note="phức tạp")
        ).after
        assert extended.due_at.astimezone(commune.timezone).date().isoformat() == "2027-01-12"
        with pytest.raises(NoMoreExtensions):
            await records.apply(uow, commune, extended, Action.EXTEND, actor, NOW, note="nữa")


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


# --- record buttons -----------------------------------------------------------------------


def record_button_data(rec: Record, action: Action) -> str:
    return RecordButton(rec.code, action, rec.version).pack()


def parse_record_button(data: str) -> tuple[str, str, int] | None:
    button = RecordButton.unpack(data)
    return None if button is None else (button.code, button.action.value, button.version)


@given(
    commune=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=4),
    version=st.integers(min_value=0, max_value=10**12),
    action=st.sampled_from(list(Action)),
)
def test_record_buttons_fit_telegram_and_round_trip(
    commune: str, version: int, action: Action
) -> None:
    code = make_code(commune, NOW)
    rec = record(code=code, version=version)
    data = record_button_data(rec, action)
    assert len(data.encode("ascii")) <= MAX_BUTTON_DATA_BYTES
    assert parse_record_button(data) == (code, action.value, version)


def test_card_buttons_are_labelled_by_key_as_the_refusal_template_names_them() -> None:
    # staff_refused.j2 names a step as labels["btn.r_" ~ action]
    renderer = Renderer()
    for action, key in CARD_ACTIONS.items():
        assert key == f"btn.r_{action.value}"
        assert renderer.label(key)


@pytest.mark.parametrize("data", ["r:", "r:X", "r:CG-2611-AAAAAA:take", "r:a:b:c", "r:a:b:-1"])
def test_malformed_record_buttons_are_refused(data: str) -> None:
    assert parse_record_button(data) is None


async def test_a_reopened_record_gets_a_fresh_due_time_from_the_reopening(
    storage: Storage, commune: CommuneSettings
) -> None:
    from domain.deadlines import record_due_at, resolve_due_at

    later = NOW + timedelta(days=40)
    answered = await new_in(storage, S.ANSWERED, RecordKind.PHAN_ANH)
    resolving = await new_in(storage, S.CLOSED, RecordKind.KHIEU_NAI, Stage.RESOLVE)
    async with storage.transaction() as uow:
        done = await records.apply(uow, commune, answered, Action.REOPEN, SYSTEM_ACTOR, later)
        assert done.after.due_at == record_due_at(commune, RecordKind.PHAN_ANH, later)
        assert done.after.due_at > later
        done = await records.apply(uow, commune, resolving, Action.REOPEN, SYSTEM_ACTOR, later)
        assert done.after.due_at == resolve_due_at(commune, RecordKind.KHIEU_NAI, later)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đèn đường hỏng", "Đèn đường hỏng"),
        ("a" * 60, "a" * 60),
        (
            "Đèn đường ngõ 7 hỏng hai tuần nay, buổi tối trẻ con đi học về rất nguy hiểm",
            "Đèn đường ngõ 7 hỏng hai tuần nay, buổi tối trẻ con đi học…",
        ),
        ("x" * 80, "x" * 59 + "…"),  # one long word: cut inside it, still marked
    ],
)
def test_the_queue_summary_is_cut_at_a_word_boundary(text: str, expected: str) -> None:
    from handlers.officials.queues import shorten

    short = shorten(text, 60)
    assert short == expected
    assert len(short) <= 60


# --- filing ---------------------------------------------------------------------------


async def test_filing_retries_a_taken_code_and_writes_the_first_event(
    storage: Storage, commune: CommuneSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = await new_in(storage, S.RECEIVED, RecordKind.PHAN_ANH)
    fresh = make_code("CG", NOW.astimezone(commune.timezone), "7KQ3X")
    codes = iter([taken.code, fresh])
    monkeypatch.setattr(tracking_code, "make_code", lambda *_args: next(codes))
    intake = records.Intake(
        citizen_id=None,
        channel="test",
        kind=RecordKind.TO_CAO,
        description="Cán bộ đòi tiền",
        photos=("photo-1",),
        contact_name="Trần Văn Bình",
        contact_phone="0987654321",
        routed_office="VP",  # the understander sends a tố cáo to the Văn phòng
        chosen_office="KT",  # and an office chosen before does not change that
    )
    async with storage.transaction() as uow:
        notifier = Notifier(uow, Renderer(), commune, NOW)
        filed = await records.file_record(uow, commune, intake, NOW, notifier=notifier)
        record = filed.record
        assert (record.code, record.office_code, record.status) == (fresh, "VP", S.RECEIVED)
        assert filed.rule == commune.deadlines[RecordKind.TO_CAO]
        assert [a.ref for a in await uow.attachments.list_for(record.id)] == ["photo-1"]
        (event,) = await uow.events.list_for(record.id, visible_only=False)
        assert (event.action, event.from_status, event.to_status) == ("created", None, S.RECEIVED)
    # the office's head hears of it, with the record's buttons, masked (a tố cáo)
    assert [r.record_code for r in notifier.out] == [fresh]
    assert "Trần Văn Bình" not in notifier.out[0].text


def test_an_office_chosen_before_filing_stands_unless_the_kind_needs_the_vp(
    commune: CommuneSettings,
) -> None:
    assert records.choose_office(commune, RecordKind.PHAN_ANH, "VP", "KT") == "KT"
    assert records.choose_office(commune, RecordKind.PHAN_ANH, "KT", "XX") == "KT"
    assert records.choose_office(commune, RecordKind.PHAN_ANH, "XX", None) == "VP"
    assert records.choose_office(commune, RecordKind.KHIEU_NAI, "VP", "KT") == "VP"
