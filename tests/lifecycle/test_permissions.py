"""Permissions: the matrix for officials, revoked and foreign officials, citizens,
the masked denouncer, who manages officials."""

from __future__ import annotations

import itertools

import pytest

from domain.lifecycle import (
    Action,
)
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
    OfficialRole,
    RecordKind,
)
from tests.support.lifecycle import official, record

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
