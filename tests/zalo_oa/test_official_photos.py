"""Issue 10/16: an official on the Zalo OA gets a citizen's photos as images — each photo
fetched from Zalo's servers, uploaded through the OA upload API (the stand-in takes only
JPEG/PNG up to 1 MB) and sent as an image message — after the card and with `/anh MÃ`."""

from __future__ import annotations

from typing import Any

from domain.messages import Priority, Reply
from domain.records import OfficialRole
from handlers import invites
from tests.support.labels import label
from tests.support.records import CODE
from tests.zalo_oa.citizen import ZaloCitizen
from tests.zalo_oa.conftest import Oa

JPEG = b"\xff\xd8\xff\xe0" + b"anh cot den" * 10


def images(messages: list[dict[str, Any]]) -> list[str]:
    out = []
    for message in messages:
        payload = message.get("attachment", {}).get("payload", {})
        if payload.get("template_type") == "media":
            out += [e["attachment_id"] for e in payload["elements"]]
    return out


async def test_an_oa_official_gets_the_photo_as_an_uploaded_image(oa: Oa) -> None:
    settings = oa.app.settings
    oa.standin.media["cot-den.jpg"] = JPEG
    async with oa.app.storage.transaction() as uow:
        invite = await invites.make_invite(
            uow, settings, settings.communes[0], "KT", OfficialRole.MEMBER, None, "test", oa.clock()
        )
    lan = ZaloCitizen(oa, user_id="lan-z")
    await lan.follow()
    await lan.send(f"/thamgia {invite.code} Chị Lan")
    citizen = ZaloCitizen(oa)
    await citizen.describe_a_report()
    await citizen.press("Thôn 3")
    await citizen.photo(f"{oa.settings.api_base}/media/cot-den.jpg")
    await citizen.press(label("btn.continue"))
    await citizen.press(label("btn.anonymous"))
    await citizen.press(label("btn.publish_no"))
    seen = len(oa.standin.sent)
    await citizen.press(label("btn.submit"))
    found = CODE.search(citizen.text)
    assert found, citizen.text
    to_lan = [s["message"] for s in oa.standin.sent[seen:] if s["user_id"] == "lan-z"]
    assert any(found.group(0) in str(m) for m in to_lan)  # the card
    (image,) = images(to_lan)
    assert oa.standin.uploads[image] == JPEG

    lan.seen = len(oa.standin.sent)
    await lan.send(f"/anh {found.group(0)}")
    (again,) = images(lan.answers)
    assert oa.standin.uploads[again] == JPEG


async def test_a_photo_too_large_to_upload_fails_that_message_only(oa: Oa) -> None:
    oa.standin.media["big.jpg"] = b"\xff\xd8\xff" + b"0" * (1024 * 1024)
    citizen = ZaloCitizen(oa)
    await citizen.follow()
    reply = Reply(
        "zalo_oa",
        "z1",
        "Hồ sơ CG-2611-AAAAAA",
        priority=Priority.NOTIFICATION,
        extra={"photos": f"{oa.settings.api_base}/media/big.jpg"},
    )
    seen = len(oa.standin.sent)
    async with oa.app.storage.transaction() as uow:
        await uow.outbox.enqueue(reply, oa.clock())
    await oa.outbox.drain()
    sent = oa.standin.sent[seen:]
    assert [s["message"].get("text") for s in sent] == ["Hồ sơ CG-2611-AAAAAA"]
    assert images([s["message"] for s in sent]) == []
