"""Fixtures of the Telegram tests: the Bot API stand-in on a fake clock for the sender."""

from __future__ import annotations

import pytest

from tests.botapi import BotApiStandIn, FakeClock
from tests.conftest import T0


@pytest.fixture
def sender_clock() -> FakeClock:
    return FakeClock(T0, pause=0.002)


@pytest.fixture
def standin(sender_clock: FakeClock) -> BotApiStandIn:
    return BotApiStandIn(clock=sender_clock)
