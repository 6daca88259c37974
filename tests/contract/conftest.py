"""The storage contract's fixtures: every test here runs on every backend (a real SQLite
file, and a real PostgreSQL database where DANVAN_TEST_POSTGRES_DSN is set; CI sets it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Storage
from storage.base import CommuneRow, OfficeRow
from tests.conftest import BACKENDS, open_backend
from tests.contract.support import NOW


@pytest.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    async with open_backend(request.param, tmp_path) as store:
        async with store.transaction() as uow:
            await uow.communes.sync(
                [CommuneRow("CG", "xã Cát Giang", (OfficeRow("VP", "Văn phòng", None),))], NOW
            )
        yield store
