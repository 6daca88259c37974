"""Corrections of the understanding (migration 017), on every backend."""

from __future__ import annotations

from datetime import timedelta

from storage import Storage
from tests.contract.support import NOW


async def test_corrections_are_kept_listed_and_accepted(storage: Storage) -> None:
    async with storage.transaction() as uow:
        await uow.corrections.add(
            "CG",
            NOW,
            "den duong thon 3 khong sang",
            "routing",
            "KT",
            previous="VP",
            source="transfer",
            accepted=True,
        )
        await uow.corrections.add(
            "CG",
            NOW + timedelta(minutes=1),
            "lam giay khai sinh",
            "intent",
            "question",
            previous="report",
            source="rejected_report",
            accepted=False,
        )
        await uow.corrections.add(
            "CG", NOW, "   ", "intent", "report", previous=None, source="x", accepted=False
        )  # an empty text is not kept
    async with storage.transaction() as uow:
        every = await uow.corrections.list_for("CG")
        assert [(c.kind, c.label, c.status) for c in every] == [
            ("routing", "KT", "accepted"),
            ("intent", "question", "pending"),
        ]
        assert every[0].at == NOW
        assert every[0].previous == "VP"
        pending = await uow.corrections.list_for("CG", "pending")
        assert [c.text for c in pending] == ["lam giay khai sinh"]
        assert await uow.corrections.set_status([pending[0].id], "accepted") == 1
        assert await uow.corrections.set_status([pending[0].id], "accepted") == 0
        assert len(await uow.corrections.list_for("CG", "accepted")) == 2
        assert await uow.corrections.list_for("XX") == []
