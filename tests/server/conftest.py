"""Fixtures of the web server's tests: the stand-ins and a fake clock for the senders."""

from __future__ import annotations

import pytest

from tests.botapi import BotApiStandIn, FakeClock
from tests.conftest import T0
from tests.zalobot import ZaloBotStandIn


@pytest.fixture
def sender_clock() -> FakeClock:
    return FakeClock(T0, pause=0.002)


@pytest.fixture
def standin(sender_clock: FakeClock) -> BotApiStandIn:
    return BotApiStandIn(clock=sender_clock)


@pytest.fixture
def zalo() -> ZaloBotStandIn:
    return ZaloBotStandIn()
