"""`outbox.showed_button`: whether a chat was shown a button (the «Xem tiến độ» scope)."""

from __future__ import annotations

from domain.messages import Button, Reply
from storage import Storage
from tests.contract.support import NOW


async def test_a_button_counts_only_in_the_chat_it_was_shown_in(storage: Storage) -> None:
    async with storage.transaction() as uow:
        rows = ((Button("Xem tiến độ", "p:12:40"),),)
        await uow.outbox.enqueue(Reply("telegram", "42", "Đã gửi", rows=rows), NOW)
        await uow.outbox.enqueue(Reply("telegram", "43", "p:1:9 in the text only"), NOW)
        await uow.outbox.enqueue(Reply("telegram", "44", "x", rows=((Button("a", "p_1%9"),),)), NOW)
        shown = uow.outbox.showed_button
        assert await shown("telegram", "42", "p:12:40")
        assert not await shown("telegram", "42", "p:12:4")  # not a prefix of another
        assert not await shown("telegram", "42", "p:1:40")
        assert not await shown("zalo", "42", "p:12:40")
        assert not await shown("telegram", "43", "p:12:40")
        assert not await shown("telegram", "43", "p:1:9")  # text is no button
        assert await shown("telegram", "44", "p_1%9")
        assert not await shown("telegram", "44", "pa1x9")  # LIKE's wildcards are escaped
