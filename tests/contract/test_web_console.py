"""The console's storage (migration 012) on every backend: one-time links spent once and
only before they expire, the shared signing secret, notes, the audit log, the queue query
(filters, LIKE characters taken literally, counts per status) and a step's channel."""

from __future__ import annotations

from datetime import timedelta

from domain.records import OfficialRole, RecordKind, RecordStatus
from storage import Storage
from storage.repos.console import QueueFilter
from tests.contract.support import NOW, new_record, step


async def test_a_link_is_spent_once_before_it_expires(storage: Storage) -> None:
    async with storage.transaction() as uow:
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        await uow.web_links.add("h1", lan.id, NOW, NOW + timedelta(minutes=10))
        await uow.web_links.add("h2", lan.id, NOW, NOW + timedelta(minutes=10))
    async with storage.transaction() as uow:
        assert await uow.web_links.use("h1", NOW + timedelta(minutes=9)) == lan.id
        assert await uow.web_links.use("h1", NOW + timedelta(minutes=9)) is None
        assert await uow.web_links.use("h2", NOW + timedelta(minutes=10)) is None
        assert await uow.web_links.use("nope", NOW) is None
        assert await uow.web_links.used_at("h1") == NOW + timedelta(minutes=9)
        assert await uow.web_links.used_at("h2") is None


async def test_the_secret_is_made_once_and_notes_and_audit_are_kept(storage: Storage) -> None:
    async with storage.transaction() as uow:
        first = await uow.web_links.secret("s", "one", NOW)
        second = await uow.web_links.secret("s", "two", NOW)
        assert first == second == "one"
        lan = await uow.officials.upsert("CG", "test", "lan", "Lan", "VP", OfficialRole.MEMBER, NOW)
        record = await uow.records.insert("CG-2611-AAAAAA", new_record())
        assert record is not None
        await uow.notes.add(record.id, lan.id, NOW, "Đã gọi điện")
        await uow.web_audit.add(lan.id, NOW, "export", "xlsx with identities")
        (note,) = await uow.notes.list_for(record.id)
        assert (note.text, note.official_id, note.at) == ("Đã gọi điện", lan.id, NOW)
        (entry,) = await uow.web_audit.list_for(lan.id)
        assert (entry.action, entry.detail) == ("export", "xlsx with identities")


async def test_the_queue_query_filters_sorts_and_counts(storage: Storage) -> None:
    async with storage.transaction() as uow:
        a = await uow.records.insert("CG-2611-AAAAAA", new_record(description="Đèn 100% hỏng"))
        b = await uow.records.insert(
            "CG-2611-BBBBBB",
            new_record(
                description="Ổ gà_lớn",
                kind=RecordKind.KIEN_NGHI,
                hamlet="Thôn 2",
                created_at=NOW + timedelta(hours=1),
                due_at=NOW + timedelta(days=2),
            ),
        )
        assert a is not None
        assert b is not None
        moved = await uow.transition(
            b,
            b.version,
            {"status": RecordStatus.ACCEPTED.value},
            step(RecordStatus.RECEIVED, RecordStatus.ACCEPTED),
        )
        assert moved is not None
        base = QueueFilter(commune_code="CG")
        search = uow.console.search
        assert [r.code for r in await search(base, "due", 10, 0)] == [b.code, a.code]
        assert [r.code for r in await search(base, "-created", 10, 0)] == [b.code, a.code]
        assert [r.code for r in await search(base, "code", 1, 1)] == [b.code]
        only = QueueFilter(commune_code="CG", kind=RecordKind.KIEN_NGHI)
        assert [r.code for r in await search(only, "due", 10, 0)] == [b.code]
        # LIKE's characters are literal: only "100%" has a percent sign, "gà_lớn" a "_".
        for text, codes in (
            ("100%", [a.code]),
            ("%", [a.code]),
            ("_", [b.code]),
            ("Ổ gà", [b.code]),
        ):
            found = await search(QueueFilter(commune_code="CG", text=text), "due", 10, 0)
            assert [r.code for r in found] == codes, text
        found = await search(QueueFilter(commune_code="CG", text="bbbbbb"), "due", 10, 0)
        assert [r.code for r in found] == [b.code]
        late = QueueFilter(
            commune_code="CG",
            due_before=NOW + timedelta(days=3),
            open_statuses=(RecordStatus.ACCEPTED,),
        )
        assert [r.code for r in await search(late, "due", 10, 0)] == [b.code]
        filed = QueueFilter(commune_code="CG", filed_from=NOW + timedelta(minutes=30))
        assert await uow.console.count(filed) == 1
        accepted = QueueFilter(commune_code="CG", statuses=(RecordStatus.ACCEPTED,))
        assert await uow.console.count(accepted) == 1
        counts = await uow.console.count_by_status(accepted)
        assert counts == {RecordStatus.RECEIVED: 1, RecordStatus.ACCEPTED: 1}
        assert await uow.console.count(QueueFilter(commune_code="XX")) == 0
        events = await uow.events.list_for(b.id, visible_only=False)
        assert events[-1].channel is None
