"""A step that waits for an official's text is their conversation's state (`officials.text`),
kept like a citizen's: it survives a restart, it is the presser's alone, and it ends when the
record moved meanwhile."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.app import App
from bot.config import Settings
from domain.lifecycle import Action
from domain.records import OFFICIAL_IDLE, OFFICIAL_TEXT
from handlers.officials.turn import TextStep
from tests.conftest import Chat, Clock, OfficialChat, make_official, receive
from tests.support.labels import label
from tests.support.officials import app_with_vp_group, status
from tests.support.records import file_report, rows

CHANGED = "đã thay đổi kể từ khi anh/chị bấm nút"


async def conversation_of(app: App, user: str) -> tuple[str, dict[str, Any], int]:
    """(state, data, nonce) of the official `user`'s conversation, as stored."""
    found = await rows(
        app,
        "SELECT c.state, c.data, c.nonce FROM official_conversations c "
        "JOIN officials o ON o.id = c.official_id WHERE o.external_id = ?",
        user,
    )
    assert found, user
    row = found[0]
    data = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    return row[0], data, row[2]


def test_a_text_step_is_kept_as_plain_data() -> None:
    step = TextStep(4, Action.TRANSFER, "-100", 2)
    assert TextStep.of(OFFICIAL_TEXT, step.data()) == step
    assert TextStep.of(OFFICIAL_IDLE, step.data()) is None


async def test_a_prompt_whose_record_moved_is_refused_and_the_step_ends(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    hoa = await make_official(app, "hoa", "VP", "head", "anh Hòa")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    lan.replies = await receive(app, "lan")
    await lan.press(label("btn.r_take"))
    await lan.press(label("btn.r_reply"))
    state, data, nonce = await conversation_of(app, "lan")
    assert (state, data["action"], data["chat_id"]) == (OFFICIAL_TEXT, "reply", "lan")
    await hoa.send(f"/bosung {code} Xin thêm ảnh cột đèn")  # the record moves meanwhile
    await lan.send("Đã thay bóng")
    assert CHANGED in lan.text
    assert (await status(app, code)) == "need_info"
    after = await conversation_of(app, "lan")
    assert (after[0], after[1], after[2]) == (OFFICIAL_IDLE, {}, nonce + 1)
    await lan.send("xin chào")  # nothing waits any more: the officials' own menu
    assert lan.says("staff_menu", name="chị Lan", office="Văn phòng HĐND và UBND xã")


async def test_in_a_group_each_presser_has_their_own_step(settings: Settings, clock: Clock) -> None:
    app = await app_with_vp_group(settings, clock)
    try:
        await make_official(app, "lan", "VP", "member", "chị Lan")
        await make_official(app, "minh", "VP", "member", "anh Minh")
        lan = OfficialChat(app, "lan", group="grp-vp")
        minh = OfficialChat(app, "minh", group="grp-vp")
        citizen = Chat(app, "dan")
        await citizen.agree()
        code = await file_report(citizen)
        lan.replies = await receive(app, "grp-vp")
        await lan.press(label("btn.r_take"))
        card = [lan.replies[0]]
        lan.replies, minh.replies = list(card), list(card)
        await lan.press(label("btn.r_reply"))
        await minh.press(label("btn.r_reply"))  # the same card, pressed by a colleague
        assert (await conversation_of(app, "lan"))[1]["chat_id"] == "grp-vp"
        assert (await conversation_of(app, "minh"))[1]["chat_id"] == "grp-vp"
        await minh.deliver(minh.inbound(text="Đã cử người thay bóng", reply_to_message="p-2"))
        assert (await status(app, code)) == "answered"  # minh's own step
        assert (await conversation_of(app, "minh"))[0] == OFFICIAL_IDLE
        await lan.deliver(lan.inbound(text="Đã thay bóng", reply_to_message="p-1"))
        assert CHANGED in lan.text  # lan's step was about the record before minh answered
        assert (await conversation_of(app, "lan"))[0] == OFFICIAL_IDLE
    finally:
        await app.close()


async def test_a_restart_between_the_prompt_and_the_text(settings: Settings, clock: Clock) -> None:
    app = await App.open(settings)
    app.dispatcher.clock = clock
    try:
        lan = await make_official(app, "lan", "VP", "member", "chị Lan")
        citizen = Chat(app, "dan")
        await citizen.agree()
        code = await file_report(citizen)
        lan.replies = await receive(app, "lan")
        await lan.press(label("btn.r_take"))
        await lan.press(label("btn.r_reply"))
    finally:
        await app.close()
    app = await App.open(settings)  # a new process: nothing kept in memory
    app.dispatcher.clock = clock
    try:
        lan = OfficialChat(app, "lan")
        await lan.send("Đã thay bóng cho thôn")
        assert (await status(app, code)) == "answered"
        assert (await conversation_of(app, "lan"))[0] == OFFICIAL_IDLE
    finally:
        await app.close()
