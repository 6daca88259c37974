"""The outbox: order, never twice, retries, deliveries and clean-up."""

from __future__ import annotations

from datetime import timedelta

from domain.messages import Button, Priority, Reply, reply_from_payload
from storage import Storage
from tests.contract.support import NOW


async def test_outbox_order_and_never_twice(storage: Storage) -> None:
    async with storage.transaction() as uow:
        low = await uow.outbox.enqueue_payload("telegram", "1", 2, {"text": "broadcast"}, NOW)
        high = await uow.outbox.enqueue_payload("telegram", "1", 0, {"text": "reply"}, NOW)
        later = await uow.outbox.enqueue_payload("telegram", "2", 1, {"text": "note"}, NOW)
        await uow.outbox.mark_failed(later, "429", retry_at=NOW + timedelta(seconds=30))
        pending = await uow.outbox.pending("telegram", NOW, 10)
        assert [m.id for m in pending] == [high, low]
        assert [
            m.id for m in await uow.outbox.pending("telegram", NOW + timedelta(minutes=1), 10)
        ] == [
            high,
            later,
            low,
        ]
        assert await uow.outbox.mark_sent(high, NOW)
        assert not await uow.outbox.mark_sent(high, NOW)
        await uow.outbox.mark_failed(low, "chat not found", retry_at=None)
        counts = await uow.outbox.counts()
    assert counts == {"sent": 1, "failed": 1, "pending": 1}


async def test_a_queued_reply_comes_back_as_it_was(storage: Storage) -> None:
    reply = Reply(
        channel="telegram",
        chat_id="1",
        text="Đã nhận <b>phản ánh</b>",
        rows=((Button("Xem", "r:CG-2611-AAAAAA"),),),
        priority=Priority.NOTIFICATION,
        record_code="CG-2611-AAAAAA",
        extra={"kind": "digest"},
    )
    async with storage.transaction() as uow:
        queued = await uow.outbox.enqueue(reply, NOW)
        (message,) = await uow.outbox.pending("telegram", NOW, 10)
        assert await uow.outbox.oldest_pending() == message
        assert await uow.outbox.oldest_pending("zalo") is None
        assert await uow.outbox.is_pending(queued)
        assert await uow.outbox.next_due("telegram") == NOW
        assert await uow.outbox.next_due("zalo") is None
    assert (message.id, message.attempts, message.created_at, message.not_before) == (
        queued,
        0,
        NOW,
        NOW,
    )
    assert (
        reply_from_payload(message.channel, message.chat_id, message.priority, message.payload)
        == reply
    )


async def test_heads_offer_each_chats_first_message_only(storage: Storage) -> None:
    async with storage.transaction() as uow:
        a1 = await uow.outbox.enqueue_payload("telegram", "a", 0, {"text": "1"}, NOW)
        await uow.outbox.enqueue_payload("telegram", "a", 0, {"text": "2"}, NOW)
        b1 = await uow.outbox.enqueue_payload("telegram", "b", 1, {"text": "1"}, NOW)
        c1 = await uow.outbox.enqueue_payload("telegram", "c", 0, {"text": "1"}, NOW)
        await uow.outbox.mark_failed(c1, "429", retry_at=NOW + timedelta(seconds=30))
        heads = await uow.outbox.heads("telegram", NOW, 10)
        paced = await uow.outbox.heads("telegram", NOW, 10, exclude_chats=("a",))
        assert await uow.outbox.next_due("telegram") == NOW
        counts = await uow.outbox.counts_by_channel()
    assert [m.id for m in heads] == [a1, b1]  # c's first waits for its retry, holding c back
    assert [m.id for m in paced] == [b1]
    assert counts == {("telegram", "pending", 0): 3, ("telegram", "pending", 1): 1}


async def test_deliveries_name_the_record_a_message_was_about(storage: Storage) -> None:
    reply = Reply(channel="telegram", chat_id="1", text="x", record_code="CG-2611-AAAAAA")
    async with storage.transaction() as uow:
        queued = await uow.outbox.enqueue(reply, NOW)
        assert await uow.outbox.sent_parts(queued) == 0
        await uow.outbox.record_delivery(queued, 0, "telegram", "1", "501", NOW)
        await uow.outbox.record_delivery(queued, 0, "telegram", "1", "501", NOW)  # once
        await uow.outbox.record_delivery(queued, 1, "telegram", "1", "502", NOW)
        assert await uow.outbox.sent_parts(queued) == 2
        assert await uow.outbox.record_code_for_message("telegram", "1", "502") == "CG-2611-AAAAAA"
        assert await uow.outbox.record_code_for_message("telegram", "1", "999") is None


async def test_a_broadcasts_progress_and_purging_old_messages(storage: Storage) -> None:
    async with storage.transaction() as uow:
        ids = [
            await uow.outbox.enqueue(
                Reply("telegram", str(n), "Thông báo", priority=Priority.BROADCAST), NOW
            )
            for n in range(3)
        ]
        reply = await uow.outbox.enqueue(Reply("telegram", "9", "Trả lời"), NOW)
        await uow.outbox.mark_sent(ids[0], NOW)
        await uow.outbox.record_delivery(ids[0], 0, "telegram", "0", "7", NOW)
        await uow.outbox.mark_failed(ids[1], "blocked", retry_at=None)
        await uow.outbox.mark_sent(reply, NOW)
        assert await uow.outbox.progress(ids[0], ids[-1]) == {"sent": 1, "failed": 1, "pending": 1}
        assert await uow.outbox.purge(NOW) == 0  # nothing older than NOW
        assert await uow.outbox.purge(NOW + timedelta(days=1), limit=2) == 2  # the oldest two
        assert await uow.outbox.purge(NOW + timedelta(days=1)) == 1  # all but the pending one
        assert await uow.outbox.counts() == {"pending": 1}
        assert await uow.outbox.sent_parts(ids[0]) == 0
