"""The Zalo OA's tables on every backend: the token pair rotates once per version, the
inbox keeps an event once, the citizens' last messages and unreachable messages."""

from __future__ import annotations

from datetime import timedelta

from storage import Storage
from tests.contract.support import NOW


async def test_a_pair_rotates_once_per_version(storage: Storage) -> None:
    async with storage.transaction() as uow:
        await uow.zalo_tokens.put("oa", "a1", "r1", NOW + timedelta(hours=25), NOW)
        pair = await uow.zalo_tokens.get("oa")
    assert pair is not None
    assert (pair.access_token, pair.refresh_token, pair.version) == ("a1", "r1", 1)
    async with storage.transaction() as uow:
        assert await uow.zalo_tokens.rotate("oa", 1, "a2", "r2", NOW + timedelta(hours=50), NOW)
        assert not await uow.zalo_tokens.rotate("oa", 1, "a3", "r3", NOW, NOW)
        await uow.zalo_tokens.record_failure("oa", "refused", NOW)
        after = await uow.zalo_tokens.get("oa")
    assert after is not None
    assert (after.access_token, after.version, after.last_error) == ("a2", 2, "refused")
    assert after.expires_at == NOW + timedelta(hours=50)


async def test_the_inbox_keeps_an_event_once_until_it_is_done(storage: Storage) -> None:
    async with storage.transaction() as uow:
        assert await uow.zalo_inbox.add("msg:1", '{"a": 1}', NOW)
        assert not await uow.zalo_inbox.add("msg:1", '{"a": 1}', NOW)
        assert await uow.zalo_inbox.add("msg:2", "{}", NOW)
        pending = await uow.zalo_inbox.pending(10)
        assert [e.body for e in pending] == ['{"a": 1}', "{}"]
        await uow.zalo_inbox.mark_attempt(pending[0].id, "boom")
        await uow.zalo_inbox.mark_done(pending[1].id, NOW)
        assert await uow.zalo_inbox.count_pending() == 1
        (left,) = await uow.zalo_inbox.pending(10)
    assert left.attempts == 1


async def test_contacts_keep_the_last_message_and_the_choices(storage: Storage) -> None:
    later = NOW + timedelta(minutes=5)
    async with storage.transaction() as uow:
        await uow.zalo_contacts.saw("u1", "m2", later)
        await uow.zalo_contacts.saw("u1", "m1", NOW)  # older, delivered late: ignored
        assert await uow.zalo_contacts.last_message("u1") == ("m2", later, True)
        await uow.zalo_contacts.unfollowed("u1", later)
        assert await uow.zalo_contacts.last_message("u1") == ("m2", later, False)
        await uow.zalo_contacts.set_choices("u1", {"6": "x:6"}, later)
        assert await uow.zalo_contacts.choices("u1") == {"6": "x:6"}
        assert await uow.zalo_contacts.choices("nobody") == {}
        assert await uow.zalo_contacts.last_message("nobody") is None


async def test_an_unreachable_message_is_kept_by_record(storage: Storage) -> None:
    async with storage.transaction() as uow:
        await uow.zalo_contacts.mark_unreachable(7, "u1", "CG-1", -232, NOW)
        await uow.zalo_contacts.mark_unreachable(7, "u1", "CG-1", -232, NOW)
        found = await uow.zalo_contacts.unreachable_for("CG-1")
    assert [(u.outbox_id, u.error_code) for u in found] == [(7, -232)]
