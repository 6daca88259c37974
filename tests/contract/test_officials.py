"""Officials, the invites that bind them, and the step an official is about to type."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.records import OFFICIAL_IDLE, OFFICIAL_TEXT, Conversation, Invite, OfficialRole
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


def _waiting(record_id: int, action: str, version: int | None, nonce: int) -> Conversation:
    data = {"record_id": record_id, "action": action, "chat_id": "lan", "version": version}
    return Conversation(0, "officials", OFFICIAL_TEXT, data, nonce, NOW)


async def test_revoking_drops_a_waiting_step_and_says_so(storage: Storage) -> None:
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        steps = uow.official_conversations
        await steps.save(replace(_waiting(record.id, "reply", None, 1), owner_id=lan.id))
        await steps.save(replace(_waiting(record.id, "info", 0, 2), owner_id=lan.id))  # replaces
        waiting = await steps.get(lan.id)
        assert await uow.officials.revoke(lan.id, NOW)
        assert not await uow.officials.revoke(lan.id, NOW)  # once
        after = await steps.get(lan.id)
        revoked = await uow.officials.get("test", "lan")
        assert revoked is not None
        assert (revoked.active, revoked.step_interrupted) == (False, True)
        await uow.officials.clear_step_interrupted(lan.id)
        cleared = await uow.officials.get_by_id(lan.id)
        back = await uow.officials.upsert(
            "CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW
        )
    assert waiting is not None
    assert (waiting.data["record_id"], waiting.data["action"]) == (record.id, "info")
    assert (waiting.data["chat_id"], waiting.data["version"], waiting.nonce) == ("lan", 0, 2)
    # The step is over, as a turn would end it: at rest, and its buttons' nonce moved on.
    assert after is not None
    assert (after.flow, after.state, after.data, after.nonce) == ("officials", OFFICIAL_IDLE, {}, 3)
    assert cleared is not None
    assert not cleared.step_interrupted
    assert (back.id, back.active) == (lan.id, True)


async def test_revoking_an_official_at_rest_says_nothing_was_dropped(storage: Storage) -> None:
    async with storage.transaction() as uow:
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        at_rest = Conversation(lan.id, "officials", OFFICIAL_IDLE, {}, 4, NOW)
        await uow.official_conversations.save(at_rest)
        assert await uow.officials.revoke(lan.id, NOW)
        revoked = await uow.officials.get_by_id(lan.id)
        assert await uow.official_conversations.get(lan.id) == at_rest  # untouched
    assert revoked is not None
    assert not revoked.step_interrupted


async def test_an_officials_conversation_is_kept_like_a_citizens(storage: Storage) -> None:
    """Same shape, same repository class, two tables: an official's id never reads a
    citizen's conversation, and a removed official's goes with them."""
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        citizen = await uow.citizens.create("test", "dan", NOW)
        assert await uow.official_conversations.get(lan.id) is None
        step = replace(_waiting(record.id, "reply", None, 1), owner_id=lan.id)
        await uow.official_conversations.save(step)
        assert await uow.official_conversations.get(lan.id) == step
        assert await uow.conversations.get(lan.id) is None
        mine = Conversation(citizen.id, "menu", "menu.idle", {}, 1, NOW)
        await uow.conversations.save(mine)
        done = replace(step, state=OFFICIAL_IDLE, data={}, nonce=2)
        await uow.official_conversations.save(done)
        assert await uow.official_conversations.get(lan.id) == done
        assert await uow.conversations.get(citizen.id) == mine


async def test_a_pending_step_is_cleared(storage: Storage) -> None:
    """The step ends as a turn ends it: the conversation back at rest, a new nonce."""
    async with storage.transaction() as uow:
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        await uow.official_conversations.save(
            replace(_waiting(record.id, "reply", None, 1), owner_id=lan.id)
        )
        pending = await uow.official_conversations.get(lan.id)
        at_rest = Conversation(lan.id, "officials", OFFICIAL_IDLE, {}, 2, NOW)
        await uow.official_conversations.save(at_rest)
        assert await uow.official_conversations.get(lan.id) == at_rest
    assert pending is not None
    assert (pending.data["version"], pending.updated_at) == (None, NOW)
