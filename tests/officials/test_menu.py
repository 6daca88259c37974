"""Officials get their own menu, not the citizens' notice on personal data (issue 16, #11)."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from domain.messages import plain_text
from tests.conftest import Chat, make_official
from tests.support.labels import label
from tests.support.records import file_report


async def test_an_officials_hello_gets_the_officials_menu(app: App) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    for text in ("xin chào", "/start", "/trogiup", "/tracuu", "/huy"):
        await lan.send(text)
        lan.says_exactly(("staff_menu", {"name": "chị Lan", "office": "Văn phòng HĐND và UBND xã"}))
        assert not lan.says("consent_notice")
        assert label("btn.consent_yes") not in lan.labels


async def test_tracuu_by_an_official_shows_the_officials_view(
    app: App, chat_factory: Callable[..., Chat]
) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen, anonymous=False)
    await lan.send(f"/tracuu {code}")
    assert code in plain_text(lan.text)
    assert "Người gửi: Nguyễn Văn An, 0912345678" in plain_text(lan.text)
    assert label("btn.r_take") in lan.labels


async def test_an_official_may_still_file_as_a_citizen(app: App) -> None:
    lan = await make_official(app, "lan", "VP", "member", "chị Lan")
    await lan.send("/gopy")
    await lan.press(label("btn.consent_yes"))  # the citizens' notice, chosen by /gopy
    await lan.send("/gopy")
    await lan.press(label("kind.phan_anh"))
    await lan.send("Đèn đường trước nhà văn hóa thôn 3 bị hỏng")  # the filing takes it
    assert not lan.says("staff_menu", name="chị Lan", office="Văn phòng HĐND và UBND xã")
    assert "Thôn 3" in lan.labels
