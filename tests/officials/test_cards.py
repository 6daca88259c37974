"""Cards whose buttons no longer apply lose them, instead of piling up with old buttons
(issue 16, review finding 22): the removal is an outbox row for the card's chat."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.app import App
from domain.messages import Reply
from tests.conftest import Chat, OfficialChat, make_official, receive
from tests.support.labels import label
from tests.support.records import file_report


async def press_on(chat: OfficialChat, text: str, message_id: str) -> list[Reply]:
    """Press a button on the message the channel knows as `message_id` (Telegram tells)."""
    for reply in reversed(chat.replies):
        for button in reply.buttons:
            if button.label == text:
                return await chat.deliver(
                    chat.inbound(button=button.data, pressed_message=message_id)
                )
    raise AssertionError(f"no button {text!r} in {chat.labels}")


async def removals(app: App, chat_id: str) -> list[str]:
    async with app.storage.transaction() as uow:
        rows = await uow._all(
            "SELECT payload FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
    extras = [json.loads(r["payload"]).get("extra") or {} for r in rows]
    return [e["remove_buttons_of"] for e in extras if "remove_buttons_of" in e]


async def test_a_step_removes_the_buttons_of_the_card_pressed(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    await file_report(citizen)
    lan.replies = await receive(app, "lan")
    await press_on(lan, label("btn.r_take"), "9001")
    assert "đã tiếp nhận" in lan.text
    assert label("btn.r_reply") in lan.labels  # the confirmation has the buttons now
    assert await removals(app, "lan") == ["9001"]
    # A text step: the card pressed loses its buttons once the text is in.
    await press_on(lan, label("btn.r_reply"), "9002")
    assert await removals(app, "lan") == ["9001"]
    await lan.send("Đã báo điện lực thay bóng.")
    assert await removals(app, "lan") == ["9001", "9002"]


async def test_a_stale_card_loses_its_buttons(app: App, chat_factory: Callable[..., Chat]) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")
    citizen = chat_factory("dan")
    await citizen.agree()
    await file_report(citizen)
    lan.replies = await receive(app, "lan")
    hoa.replies = await receive(app, "hoa")
    await lan.press(label("btn.r_take"))  # the terminal tells no message id: no removal
    assert await removals(app, "lan") == []
    await press_on(hoa, label("btn.r_take"), "7001")
    assert "đã có người xử lý" in hoa.text
    assert await removals(app, "hoa") == ["7001"]
