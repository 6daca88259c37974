"""The citizen's answer to a request for more information (handlers/flows/info.py) when
they did something else in between (issue 16 #4): their next free text is offered as the
answer, and a success is never followed by an apology."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.config import Settings
from tests.conftest import Chat, make_official, receive
from tests.support.labels import label
from tests.support.officials import status
from tests.support.records import file_report, texts


async def test_free_text_after_a_lookup_is_offered_as_the_supplement(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await receive(app, "lan")
    await lan.send(f"/bosung {code} Xin chị cho biết cột đèn số mấy?")
    await receive(app, "dan")
    await citizen.send(f"/tracuu {code}")  # something else in between
    await citizen.send("Cột số 14, trước nhà ông Hải")
    citizen.says_exactly(("info_confirm", {"codes": [code]}))
    assert citizen.labels == [label("btn.info_yes"), label("btn.info_other")]
    assert "xin lỗi" not in citizen.text.lower()
    await citizen.press(label("btn.info_yes"))
    citizen.says_exactly(("info_thanks", {"code": code}))
    assert (await status(app, code)) == "in_progress"
    assert "«Cột số 14, trước nhà ông Hải»" in texts(await receive(app, "lan"))


async def test_saying_it_is_not_the_supplement_answers_it_as_a_question(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await lan.send(f"/bosung {code} Xin chị cho biết cột đèn số mấy?")
    await citizen.send(f"/tracuu {code}")
    await citizen.send("lam giay khai sinh can gi")
    assert citizen.says("info_confirm", codes=[code])
    await citizen.press(label("btn.info_other"))
    assert "Đăng ký khai sinh" in citizen.text
    assert (await status(app, code)) == "need_info"  # still waiting, nothing attached


async def test_the_button_after_an_unanswered_question_thanks_without_an_apology(
    app: App, chat_factory: Callable[..., Chat], settings: Settings
) -> None:
    lan = await make_official(app, "lan", "KT", "member", "chị Lan")
    citizen = chat_factory("dan")
    await citizen.agree()
    code = await file_report(citizen)
    await lan.send(f"/bosung {code} Xin chị cho biết cột đèn số mấy?")
    await citizen.send(f"/tracuu {code}")
    await citizen.send("abc xyz qwe rty")
    await citizen.press(label("btn.info_other"))
    assert citizen.says("faq_unknown", consented=True)  # an unknown question, then:
    await citizen.send(f"/tracuu {code}")
    await citizen.press(f"{label('btn.supplement')} {code}")
    await citizen.send("Cột số 14, trước nhà ông Hải")
    citizen.says_exactly(("info_thanks", {"code": code}))
    assert (await status(app, code)) == "in_progress"
