"""Helpers of the poll tests: a commune with households per thôn, a poll made through the
same service as `danvan poll create` and `/laykien`, citizens who subscribed and got it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.app import App
from bot.config import Settings
from domain.messages import Priority
from domain.polls import Poll
from handlers import polls
from tests.conftest import Chat, receive
from tests.support.labels import label

HOUSEHOLDS = {"Thôn 1": 4, "Thôn 2": 5, "Thôn 3": 4}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The demo commune with households counted for three of its thôn."""
    commune = replace(settings.communes[0], households=dict(HOUSEHOLDS))
    return replace(settings, communes=(commune,))


async def make_poll(
    app: App,
    question: str = "Có nên mở chợ phiên cuối tuần ở sân UBND xã không?",
    options: tuple[str, ...] = ("Nên mở", "Không nên", "Ý kiến khác"),
    *,
    hamlet: str | None = None,
    household: bool = False,
    closes_on: date | None = None,
) -> tuple[Poll, int]:
    commune = app.settings.communes[0]
    async with app.storage.transaction() as uow:
        made = await polls.create_poll(
            uow,
            app.renderer,
            commune,
            question,
            options,
            hamlet=hamlet,
            household=household,
            closes_on=closes_on,
            created_by=None,
            now=app.dispatcher.clock(),
        )
    return made.poll, made.queued


async def subscribe(citizen: Chat, hamlet: str | None = None) -> None:
    """Consent, then announcements of the whole commune or of one thôn."""
    await citizen.agree()
    await citizen.press(label("btn.menu_announce"))
    await citizen.press(hamlet or label("btn.announce_all"))


async def broadcast_to(citizen: Chat) -> None:
    """What the outbox holds for this citizen at broadcast priority becomes their screen."""
    got = await receive(citizen.app, citizen.user, priority=Priority.BROADCAST)
    assert got, "no broadcast for " + citizen.user
    citizen.replies = got


async def make_codes(app: App, poll: Poll, hamlet: str, count: int) -> list[str]:
    async with app.storage.transaction() as uow:
        return await polls.make_codes(uow, poll, hamlet, count, app.dispatcher.clock())


async def close(app: App, poll: Poll) -> int:
    async with app.storage.transaction() as uow:
        return await polls.close_poll(
            uow, app.renderer, app.settings.communes[0], poll, app.dispatcher.clock()
        )


async def result_text(app: App, poll_id: int) -> str:
    commune = app.settings.communes[0]
    async with app.storage.transaction() as uow:
        found = await uow.polls.get_by_id(poll_id)
        assert found is not None
        return polls.render_result(app.renderer, commune, await polls.tally(uow, commune, found))
