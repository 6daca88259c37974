"""Moving a citizen's conversation from outside their turn (an official's step)."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers import conversations
from handlers.flows.info import Info
from tests.conftest import Chat, Clock
from tests.support.labels import label


@pytest.fixture
def app(backend_app: App) -> App:
    """This suite is backend-neutral: it runs on SQLite and on PostgreSQL."""
    return backend_app


async def test_a_move_keeps_the_draft_and_makes_the_old_buttons_stale(
    app: App, chat: Chat, clock: Clock
) -> None:
    await chat.agree()
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Nước sinh hoạt có mùi lạ")
    hamlet_prompt = chat.replies
    async with app.storage.transaction() as uow:
        citizen = await uow.citizens.get(chat.channel, chat.user)
        assert citizen is not None
        before = await uow.conversations.get(citizen.id)
        assert before is not None
        assert not await conversations.is_idle(uow, citizen.id)
        await conversations.move(uow, citizen.id, Info.ANSWER, clock(), info_code="CG-X")
        after = await uow.conversations.get(citizen.id)
    assert after is not None
    assert (after.flow, after.state, after.nonce) == ("info", Info.ANSWER, before.nonce + 1)
    assert after.data["draft"] == before.data["draft"]
    assert after.data["info_code"] == "CG-X"
    assert after.data[conversations.TYPED_BUTTONS] == {}
    chat.replies = hamlet_prompt
    await chat.press("Thôn 1")  # a button of the step the citizen was moved from
    assert chat.says("stale_button")
