"""Fixtures of the digest tests: the renderer, and the seeded history on each backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.config import Settings
from bot.digest.render import DigestRenderer
from tests.conftest import BACKENDS
from tests.support.digest import shared_apps
from tests.support.digest_seed import seed_weeks


@pytest.fixture
def renderer() -> DigestRenderer:
    return DigestRenderer()


@pytest.fixture(params=BACKENDS)
async def seeded(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[App]:
    """The hand-checkable history of tests/support/digest_seed.py, on each backend."""
    async with shared_apps(request.param, settings, 1) as (app,):
        await seed_weeks(app.storage)
        yield app
