"""Officials, the invites that bind them, and the step an official is about to type."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.records import Invite, OfficialRole
from storage import Storage
from storage.base import CommuneRow, OfficeRow
from tests.contract.support import NOW, new_record


async def test_officials_and_invites(storage: Storage) -> None:
    async with storage.transaction() as uow:
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        again = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.HEAD, NOW)
        assert (again.id, again.role) == (lan.id, OfficialRole.HEAD)  # one row per identity
        invite = Invite("ABCDEFGH", "CG", "VP", OfficialRole.MEMBER, None, "t", NOW, NOW, None)
        assert await uow.invites.create(replace(invite, expires_at=NOW + timedelta(hours=1)))
        assert not await uow.invites.create(invite)  # the code is taken
        assert await uow.invites.use("ABCDEFGH", lan.id, NOW)
        assert not await uow.invites.use("ABCDEFGH", lan.id, NOW)  # single use
        used = await uow.invites.get("ABCDEFGH")
        assert await uow.invites.get("NOPENOPE") is None
        assert await uow.officials.revoke(lan.id, NOW)
        assert await uow.officials.list_active("CG") == []
    assert used is not None
    assert (used.used_at, used.expires_at) == (NOW, NOW + timedelta(hours=1))


async def test_an_expired_invite_is_not_spent(storage: Storage) -> None:
    invite = Invite("ABCDEFGH", "CG", "VP", OfficialRole.MEMBER, "Lan", "t", NOW, NOW, None)
    async with storage.transaction() as uow:
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        assert await uow.invites.create(invite)
        assert not await uow.invites.use("ABCDEFGH", lan.id, NOW)
        assert await uow.invites.get("ABCDEFGH") == invite


async def test_listing_officials_by_commune_and_office(storage: Storage) -> None:
    async with storage.transaction() as uow:
        offices = (OfficeRow("VP", "Văn phòng", None), OfficeRow("KT", "Kinh tế", None))
        await uow.communes.sync([CommuneRow("CG", "xã Cát Giang", offices)], NOW)
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        ha = await uow.officials.upsert("CG", "test", "ha", "Hà", "KT", OfficialRole.HEAD, NOW)
        assert await uow.officials.list_active() == [ha, lan]  # by office, then id
        assert await uow.officials.list_active("CG", "VP") == [lan]
        assert await uow.officials.get("test", "ha") == ha
        assert await uow.officials.get_by_id(lan.id) == lan
        assert await uow.officials.get("test", "nobody") is None
    assert (lan.active, lan.step_interrupted, lan.created_at) == (True, False, NOW)


async def test_revoking_drops_a_waiting_step_and_says_so(storage: Storage) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        await uow.pending.set(lan.id, record.id, "reply", "lan", NOW)
        await uow.pending.set(lan.id, record.id, "info", "lan", NOW, version=0)  # replaces
        waiting = await uow.pending.get(lan.id)
        assert await uow.officials.revoke(lan.id, NOW)
        assert not await uow.officials.revoke(lan.id, NOW)  # once
        assert await uow.pending.get(lan.id) is None
        revoked = await uow.officials.get("test", "lan")
        assert revoked is not None
        assert (revoked.active, revoked.step_interrupted) == (False, True)
        await uow.officials.clear_step_interrupted(lan.id)
        cleared = await uow.officials.get_by_id(lan.id)
        back = await uow.officials.upsert(
            "CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW
        )
    assert waiting is not None
    assert (waiting.record_id, waiting.action, waiting.chat_id, waiting.version) == (
        record.id,
        "info",
        "lan",
        0,
    )
    assert cleared is not None
    assert not cleared.step_interrupted
    assert (back.id, back.active) == (lan.id, True)


async def test_a_pending_step_is_cleared(storage: Storage) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        await uow.pending.set(lan.id, record.id, "reply", "lan", NOW)
        pending = await uow.pending.get(lan.id)
        await uow.pending.clear(lan.id)
        assert await uow.pending.get(lan.id) is None
    assert pending is not None
    assert (pending.version, pending.created_at) == (None, NOW)
