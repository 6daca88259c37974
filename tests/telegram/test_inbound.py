"""Telegram updates become inbound messages (bot/channels/telegram/inbound.py), without the
network."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.channels.telegram import inbound_from_update
from tests.botapi import BOT_ID, BotApiStandIn, SentMessage
from tests.conftest import T0
from tests.support.telegram import ME


def update_of(data: dict[str, Any]) -> Update:
    return Update.de_json(data, None)


def test_photos_documents_locations_and_contacts_become_inbound(standin: BotApiStandIn) -> None:
    photo = inbound_from_update(
        update_of(
            standin.message_update(
                7,
                photo=[
                    {"file_id": "a", "file_unique_id": "a", "width": 1, "height": 1},
                    {
                        "file_id": "b",
                        "file_unique_id": "b",
                        "width": 9,
                        "height": 9,
                        "file_size": 99,
                    },
                ],
            )
        ),
        ME,
        T0,
    )
    assert photo is not None
    assert [(a.kind, a.ref, a.size) for a in photo.attachments] == [("photo", "b", 99)]
    doc = inbound_from_update(
        update_of(
            standin.message_update(
                7, document={"file_id": "d", "file_unique_id": "d", "mime_type": "application/pdf"}
            )
        ),
        ME,
        T0,
    )
    assert doc is not None
    assert [(a.kind, a.ref, a.mime_type) for a in doc.attachments] == [
        ("document", "d", "application/pdf")
    ]
    own = standin.message_update(
        7, contact={"phone_number": "0912345678", "first_name": "A", "user_id": 7}
    )
    other = standin.message_update(
        7, contact={"phone_number": "0988888888", "first_name": "B", "user_id": 8}
    )
    inbound_own = inbound_from_update(update_of(own), ME, T0)
    inbound_other = inbound_from_update(update_of(other), ME, T0)
    assert inbound_own is not None
    assert inbound_other is not None
    assert inbound_own.contact_phone == "0912345678"
    assert inbound_other.contact_phone is None  # only the person's own number counts
    deep = inbound_from_update(
        update_of(standin.message_update(7, text="/start cg")), ME, T0, ["CG"]
    )
    assert deep is not None
    assert deep.commune_hint == "CG"


def test_group_chatter_is_ignored_but_commands_replies_and_buttons_pass(
    standin: BotApiStandIn,
) -> None:
    group = -100777
    chatter = standin.message_update(5, chat=group, text="ăn trưa chưa mọi người")
    command = standin.message_update(5, chat=group, text="/tracuu@danvan_test_bot CG-2611-7KQ3XD")
    bot_message = {
        "message_id": 77,
        "date": 0,
        "chat": {"id": group, "type": "supergroup"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "danvan"},
        "text": "Hồ sơ mới",
    }
    reply = standin.message_update(5, chat=group, text="đã nhận", reply_to_message=bot_message)
    sent = SentMessage(
        77,
        str(group),
        "Hồ sơ mới",
        {"inline_keyboard": [[{"text": "Nhận", "callback_data": "o:1"}]]},
        T0,
    )
    press = standin.press_update(5, sent, "Nhận")
    other_bot = standin.message_update(5, chat=group, text="/help@another_bot")
    assert inbound_from_update(update_of(chatter), ME, T0) is None
    assert inbound_from_update(update_of(other_bot), ME, T0) is None
    passed = [inbound_from_update(update_of(u), ME, T0) for u in (command, reply, press)]
    assert all(p is not None and p.is_group and p.chat_id == str(group) for p in passed)
    assert passed[1] is not None
    assert passed[1].reply_to_message == "77"
    assert passed[2] is not None
    assert passed[2].button == "o:1"
    assert passed[2].pressed_message == "77"  # the card whose buttons may then go


def test_voice_messages_and_videos_become_clips(standin: BotApiStandIn) -> None:
    # issue 16: accepted and attached (before, a voice note said "not supported")
    voice = inbound_from_update(
        update_of(
            standin.message_update(
                7,
                voice={
                    "file_id": "v",
                    "file_unique_id": "v",
                    "duration": 12,
                    "mime_type": "audio/ogg",
                    "file_size": 4000,
                },
            )
        ),
        ME,
        T0,
    )
    assert voice is not None
    assert [(a.kind, a.ref, a.size, a.mime_type, a.duration) for a in voice.attachments] == [
        ("voice", "v", 4000, "audio/ogg", 12)
    ]
    video = inbound_from_update(
        update_of(
            standin.message_update(
                7,
                video={
                    "file_id": "m",
                    "file_unique_id": "m",
                    "width": 640,
                    "height": 480,
                    "duration": 8,
                },
                caption="nước ngập",
            )
        ),
        ME,
        T0,
    )
    assert video is not None
    assert [(a.kind, a.ref, a.duration) for a in video.attachments] == [("video", "m", 8)]
    assert video.text == "nước ngập"
