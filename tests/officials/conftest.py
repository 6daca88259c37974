"""The officials' tests (one module per job, as `handlers/officials/`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import App
from bot.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These cases are the Văn phòng's: street lights are routed there by configuration."""
    commune = replace(settings.communes[0], routing={"chieu_sang": "VP"})
    return replace(settings, communes=(commune,))


@pytest.fixture
def app(backend_app: App) -> App:
    """Every officials' test on both backends (PostgreSQL where the DSN is set)."""
    return backend_app
