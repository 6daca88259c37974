"""Fixtures of the Zalo Bot tests: the API stand-in, and a fake clock for the sender."""

from __future__ import annotations

import pytest

from tests.botapi import FakeClock
from tests.conftest import T0
from tests.zalobot import ZaloBotStandIn


@pytest.fixture
def sender_clock() -> FakeClock:
    return FakeClock(T0, pause=0.002)


@pytest.fixture
def zalo() -> ZaloBotStandIn:
    return ZaloBotStandIn()
