"""The lifecycle and the permission function: every transition, the permission matrix."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import load_settings
from domain import lifecycle
from domain.communes import CommuneSettings
from domain.lifecycle import Action, BadTransition, Conflict, NoMoreExtensions, NotAllowed
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


OFFICE_ACTIONS = [Perm.VIEW, Perm.TAKE, Perm.ASK_INFO, Perm.REPLY, Perm.TRANSFER, Perm.COMPLETE]
OFFICE_ACTIONS += [Perm.EXTEND]


def expected(role: OfficialRole, own_office: bool, to_cao: bool, handler: bool, perm: Perm) -> bool:
    if role is OfficialRole.ADMIN:
        return False  # manages officials; no record work, no identity, even as "handler"
    if role is OfficialRole.LEADER:
        return perm not in (Perm.ANSWER_INFO, Perm.RATE, Perm.REOPEN, Perm.CLOSE)
    if not own_office:
        return False
    if perm is Perm.VIEW_IDENTITY:
        return not to_cao or handler
    if perm in (Perm.REJECT, Perm.ASSIGN):
        return role is OfficialRole.HEAD
    if perm is Perm.TAKE and to_cao:
        # taking a tố cáo makes one its handler: a head, or the official it was assigned to
        return role is OfficialRole.HEAD or handler
    if to_cao and perm is not Perm.VIEW:
        # every other step on a tố cáo: its handler or the office's head, nobody else
        return perm in OFFICE_ACTIONS and (role is OfficialRole.HEAD or handler)
    return perm in OFFICE_ACTIONS


@pytest.mark.parametrize(
    ("role", "own_office", "to_cao", "handler", "perm"),
    list(itertools.product(OfficialRole, (True, False), (True, False), (True, False), Perm)),
)
def test_permission_matrix_for_officials(
    role: OfficialRole, own_office: bool, to_cao: bool, handler: bool, perm: Perm
) -> None:
    who = official(role, office="VP" if own_office else "KT")
    rec = record(
        RecordKind.TO_CAO if to_cao else RecordKind.PHAN_ANH, handler_id=7 if handler else 3
    )
    assert allowed(Actor.for_official(who), rec, perm) is expected(
        role, own_office, to_cao, handler, perm
    )


@pytest.mark.parametrize("perm", list(Perm))
def test_revoked_and_foreign_officials_may_do_nothing(perm: Perm) -> None:
    rec = record(RecordKind.TO_CAO, handler_id=7)
    assert not allowed(Actor.for_official(official(OfficialRole.LEADER, active=False)), rec, perm)
    assert not allowed(Actor.for_official(official(OfficialRole.LEADER, commune="HN")), rec, perm)
    assert not allowed(GROUP, rec, perm)


@pytest.mark.parametrize("perm", list(Perm))
def test_citizens_only_their_own_and_system_never_sees_identity(perm: Perm) -> None:
    rec = record(RecordKind.TO_CAO)
    own = perm in (Perm.VIEW, Perm.VIEW_IDENTITY, Perm.ANSWER_INFO, Perm.RATE, Perm.REOPEN)
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
        await uow.sync_communes(
            [
                CommuneRow(
                    commune.code,
                    commune.name,
                    tuple(OfficeRow(o.code, o.name, None) for o in commune.offices),
                )
            ],
            NOW,
        )
        await uow.upsert_official("CG", "test", "head", "Lan", "VP", OfficialRole.HEAD, NOW)
    try:
        yield store
    finally:
        await store.close()


async def new_in(
    store: Storage, status: RecordStatus, kind: RecordKind, stage: Stage = Stage.INTAKE
) -> Record:
    async with store.transaction() as uow:
        rec = await uow.insert_record(
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
            rec = await uow.update_record(rec.id, rec.version, {"status": status, "stage": stage})
        assert rec is not None
        return rec


NOTES = {Action.TRANSFER: "Không thuộc lĩnh vực"}


@pytest.mark.parametrize(("action", "status"), list(itertools.product(Action, S)))
async def test_every_transition_is_allowed_or_refused_as_the_table_says(
    storage: Storage, commune: CommuneSettings, action: Action, status: RecordStatus
) -> None:
    rec = await new_in(storage, status, RecordKind.TO_CAO, Stage.RESOLVE)
    async with storage.transaction() as uow:
        head = await uow.get_official("test", "head")
        assert head is not None
        actor = {
            Action.INFO_RECEIVED: Actor(ActorKind.SYSTEM),
            Action.RATE: SYSTEM_ACTOR,
            Action.REOPEN: SYSTEM_ACTOR,
            Action.CLOSE: SYSTEM_ACTOR,
        }.get(action, Actor.for_official(head))
        events_before = len(await uow.list_events(rec.id, visible_only=False))
        target = lifecycle.TRANSITIONS.get((action, status))
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
            after = await uow.get_record_by_id(rec.id)
            assert after == rec
            assert len(await uow.list_events(rec.id, visible_only=False)) == events_before
            return
        done = await records.apply(
            uow, commune, rec, action, actor, NOW, note="ghi chú", office_code="KT", assignee=head
        )
        assert done.after.status is target
        assert done.after.version == rec.version + 1
        events = await uow.list_events(rec.id, visible_only=False)
        assert len(events) == events_before + 1
        assert (events[-1].from_status, events[-1].to_status) == (status, target)
        assert events[-1].action == lifecycle.EVENT_NAMES[action]


async def test_take_starts_the_resolution_stage_and_extensions_are_limited(
    storage: Storage, commune: CommuneSettings
) -> None:
    rec = await new_in(storage, S.RECEIVED, RecordKind.KHIEU_NAI)
    async with storage.transaction() as uow:
        head = await uow.get_official("test", "head")
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
        head = await uow.get_official("test", "head")
        stranger = await uow.upsert_official("CG", "test", "kt", "Hà", "KT", OfficialRole.HEAD, NOW)
        assert head is not None
        with pytest.raises(NotAllowed):
            await records.apply(uow, commune, rec, Action.TAKE, Actor.for_official(stranger), NOW)
        await records.apply(uow, commune, rec, Action.TAKE, Actor.for_official(head), NOW)
        with pytest.raises(Conflict):
            await records.apply(
                uow, commune, rec, Action.TAKE, Actor.for_official(head), NOW, expected_version=0
            )
        assert len(await uow.list_events(rec.id, visible_only=False)) == 1


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
    from handlers.staff import shorten

    short = shorten(text, 60)
    assert short == expected
    assert len(short) <= 60
