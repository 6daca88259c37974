"""An official may join through Zalo: `/thamgia` on the OA, and the cards of their office
come to their personal chat there (the OA has no group chats)."""

from __future__ import annotations

from domain.records import OfficialRole
from handlers import invites
from tests.conftest import Chat
from tests.support.records import file_report
from tests.zalo_oa.citizen import ZaloCitizen
from tests.zalo_oa.conftest import Oa


async def test_an_official_joins_on_zalo_and_gets_the_cards_there(oa: Oa) -> None:
    commune = oa.app.settings.communes[0]
    async with oa.app.storage.transaction() as uow:
        invite = await invites.make_invite(
            uow, oa.app.settings, commune, "KT", OfficialRole.MEMBER, None, "test", oa.clock()
        )
    official = ZaloCitizen(oa, user_id="z-lan")
    await official.send(f"/thamgia {invite.code.lower()} chị Lan")
    assert "chị Lan" in official.text
    citizen = Chat(oa.app, "dan")
    await citizen.agree()
    code = await file_report(citizen)
    seen = len(oa.standin.sent)
    await oa.outbox.drain()
    cards = [s for s in oa.standin.sent[seen:] if s["user_id"] == "z-lan"]
    assert cards, "the card came to the official's Zalo chat"
    official.seen = seen
    assert code in official.text
    assert official.buttons  # the card's steps, as oa.query.hide buttons
