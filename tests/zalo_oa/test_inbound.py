"""Each OA event the core may see, as the neutral `Inbound` (zalo.md §3b, §3c)."""

from __future__ import annotations

import pytest

from bot.channels.zalo_oa.inbound import (
    BUTTON_PREFIX,
    MalformedEvent,
    inbound_from_event,
    parse_event,
)
from domain.messages import Location
from tests.conftest import Clock
from tests.zalo_oa.standin import ZaloOaStandIn, event


@pytest.fixture
def standin() -> ZaloOaStandIn:
    return ZaloOaStandIn(Clock())


def inbound(standin: ZaloOaStandIn, name: str, **message: object):  # type: ignore[no-untyped-def]
    return inbound_from_event(parse_event(event(standin, name, "u1", **message)))


def test_text_is_text_and_the_update_id_is_the_msg_id(standin: ZaloOaStandIn) -> None:
    got = inbound(standin, "user_send_text", text="Đường hỏng", msg_id="abc")
    assert got is not None
    assert (got.channel, got.user_id, got.chat_id, got.text) == (
        "zalo_oa",
        "u1",
        "u1",
        "Đường hỏng",
    )
    assert got.update_id == "msg:abc"
    assert got.button is None


def test_a_hidden_button_tap_is_a_button(standin: ZaloOaStandIn) -> None:
    got = inbound(standin, "user_send_text", text=BUTTON_PREFIX + "m:menu")
    assert got is not None
    assert (got.button, got.text) == ("m:menu", None)


def test_location_comes_as_strings_in_the_first_attachment(standin: ZaloOaStandIn) -> None:
    coordinates = {"latitude": "10.7923119", "longitude": "106.7820651"}
    attachment = {"type": "location", "payload": {"coordinates": coordinates}}
    got = inbound(standin, "user_send_location", text="", attachments=[attachment])
    assert got is not None
    assert got.location == Location(10.7923119, 106.7820651)


def test_a_location_without_usable_coordinates_is_malformed(standin: ZaloOaStandIn) -> None:
    attachment = {"type": "location", "payload": {"coordinates": {"latitude": "x"}}}
    with pytest.raises(MalformedEvent):
        inbound(standin, "user_send_location", attachments=[attachment])


def test_an_image_is_a_photo_with_its_caption(standin: ZaloOaStandIn) -> None:
    attachment = {"type": "image", "payload": {"url": "https://photo.example/1.jpg"}}
    got = inbound(standin, "user_send_image", text="ổ gà", attachments=[attachment])
    assert got is not None
    assert [a.kind for a in got.attachments] == ["photo"]
    assert got.attachments[0].ref == "https://photo.example/1.jpg"
    assert got.text == "ổ gà"


def test_a_file_is_a_document_with_its_size(standin: ZaloOaStandIn) -> None:
    payload = {"url": "https://f.example/a.pdf", "name": "a.pdf", "size": "2048"}
    got = inbound(standin, "user_send_file", attachments=[{"type": "file", "payload": payload}])
    assert got is not None
    assert [(a.kind, a.size) for a in got.attachments] == [("document", 2048)]


@pytest.mark.parametrize("name", ["user_send_sticker", "user_send_gif"])
def test_stickers_arrive_with_nothing_to_read(standin: ZaloOaStandIn, name: str) -> None:
    got = inbound(standin, name, attachments=[{"type": "sticker", "payload": {"id": "s"}}])
    assert got is not None
    assert (got.text, got.attachments, got.button) == (None, (), None)


def test_follow_starts_and_unfollow_is_the_adapters_own(standin: ZaloOaStandIn) -> None:
    followed = inbound(standin, "follow")
    assert followed is not None
    assert followed.text == "/start"
    assert followed.update_id.startswith("follow:u1:")
    assert inbound(standin, "unfollow") is None


def test_submitted_info_offers_the_phone(standin: ZaloOaStandIn) -> None:
    body = event(standin, "user_submit_info", "u1")
    body["info"] = {"name": "Nguyễn Văn A", "phone": "0912345678", "address": ""}
    got = inbound_from_event(parse_event(body))
    assert got is not None
    assert got.contact_phone == "0912345678"
    assert got.contact_name == "Nguyễn Văn A"
    body["info"] = {"name": "  ", "phone": "", "address": "Thôn 3"}
    with pytest.raises(MalformedEvent):
        inbound_from_event(parse_event(body))


@pytest.mark.parametrize(
    "body",
    [[], {}, {"event_name": "user_send_text"}, {"event_name": "x", "timestamp": "1"}],
)
def test_bodies_that_are_not_events_are_malformed(body: object) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(body)
