"""One bot, several communes: the citizen says which, or a per-commune link does."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import App
from bot.config import Settings
from tests.conftest import Chat
from tests.support.labels import label


@pytest.fixture
def settings(settings: Settings) -> Settings:
    cat_giang = settings.communes[0]
    an_lac = replace(cat_giang, code="AL", name="phường An Lạc", hamlets=("Tổ 1", "Tổ 2"))
    hoa_binh = replace(cat_giang, code="HB", name="xã Hòa Bình", hamlets=("Thôn A",))
    return replace(settings, communes=(cat_giang, an_lac, hoa_binh))


async def test_a_newcomer_chooses_their_commune_by_typing_it(app: App) -> None:
    chat = Chat(app, "moi")
    await chat.send("xin chao")
    assert chat.says("commune_choose", count=3)
    assert chat.labels == ["xã Cát Giang (xã mẫu)", "phường An Lạc", "xã Hòa Bình"]
    await chat.send("an lac")  # no diacritics, no "phường"
    assert "từ giờ anh/chị trao đổi với UBND phường An Lạc" in chat.text
    assert "UBND phường An Lạc" in chat.text  # the notice names the chosen commune
    await chat.press(label("btn.consent_yes"))
    await chat.send("/gopy")
    await chat.press(label("kind.phan_anh"))
    await chat.send("Cống ở tổ 2 bị tắc")
    assert "Tổ 2" in chat.labels  # the chosen commune's hamlets
    await chat.press("Tổ 2")
    await chat.press(label("btn.skip"))
    await chat.press(label("btn.anonymous"))
    await chat.press(label("btn.publish_no"))
    await chat.press(label("btn.submit"))
    assert "Mã hồ sơ của anh/chị: AL-" in chat.text


async def test_unclear_names_get_suggestions_and_doixa_changes(app: App) -> None:
    chat = Chat(app, "moi2")
    await chat.send("/start")
    await chat.send("zzz")
    assert "chưa tìm thấy xã, phường «zzz»" in chat.text
    await chat.send("cat binh")  # two half matches: both offered
    assert chat.labels[:2] == ["xã Cát Giang (xã mẫu)", "xã Hòa Bình"]
    await chat.send("Hòa Bình")
    assert "UBND xã Hòa Bình" in chat.text
    await chat.press(label("btn.consent_no"))
    await chat.send("/doixa")
    await chat.press("xã Cát Giang (xã mẫu)")
    assert "trao đổi với UBND xã Cát Giang (xã mẫu)" in chat.text


async def test_an_emergency_comes_before_the_question(app: App) -> None:
    chat = Chat(app, "moi3")
    await chat.send("co nguoi bi tai nan o cau, cap cuu")
    assert chat.replies[0].text.startswith("🚨")
    assert chat.says("commune_choose", count=3)


async def test_a_per_commune_link_skips_the_question(app: App) -> None:
    chat = Chat(app, "qr")
    await chat.deliver(chat.inbound(text="/start", commune_hint="HB"))
    assert "UBND xã Hòa Bình" in chat.text
    assert "Anh/chị ở xã, phường nào" not in chat.text
