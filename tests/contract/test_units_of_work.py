"""A unit of work is one transaction; an update is processed once; communes follow the
configuration."""

from __future__ import annotations

import pytest

from storage import Storage
from storage.base import CommuneRow, OfficeRow
from tests.contract.support import NOW


async def test_update_ids_are_processed_once(storage: Storage) -> None:
    async with storage.transaction() as uow:
        assert await uow.updates.mark_processed("telegram", "42", NOW)
        assert not await uow.updates.mark_processed("telegram", "42", NOW)
        assert await uow.updates.mark_processed("zalo", "42", NOW)


async def test_a_failed_unit_of_work_leaves_nothing(storage: Storage) -> None:
    async def crashing_update() -> None:
        async with storage.transaction() as uow:
            await uow.updates.mark_processed("telegram", "7", NOW)
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        await crashing_update()
    async with storage.transaction() as uow:
        assert await uow.updates.mark_processed("telegram", "7", NOW)


async def test_communes_and_offices_follow_the_configuration(storage: Storage) -> None:
    offices = (OfficeRow("VP", "Văn phòng", "-100"), OfficeRow("KT", "Kinh tế", None))
    async with storage.transaction() as uow:
        await uow.communes.sync([CommuneRow("CG", "xã Cát Giang", offices)], NOW)
        assert await uow.communes.list_offices("CG") == sorted(offices, key=lambda o: o.code)
        await uow.communes.sync([CommuneRow("CG", "xã Cát Giang", offices[:1])], NOW)
        assert await uow.communes.list_offices("CG") == [offices[0]]  # KT no longer active
        assert await uow.communes.list_offices("XX") == []
