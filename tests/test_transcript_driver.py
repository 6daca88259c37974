"""The transcript driver itself: an exact-replies check that names what differed."""

from __future__ import annotations

import re

import pytest

from domain.messages import plain_text
from tests.conftest import Chat
from tests.support.labels import label

MENU = ("menu", {"greeting": False, "consented": False})


async def test_says_exactly_fails_on_a_missing_an_extra_or_a_reordered_reply(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press(label("btn.consent_no"))
    chat.says_exactly("consent_declined", MENU)
    menu_text = re.escape(plain_text(chat.render("menu", greeting=False, consented=False)))
    with pytest.raises(AssertionError, match=rf"missing \[\]; extra \['{menu_text}'\]"):
        chat.says_exactly("consent_declined")  # the menu came too
    with pytest.raises(AssertionError, match=r"missing \['consent_given'\]; extra \[\]$"):
        chat.says_exactly("consent_declined", MENU, "consent_given")
    with pytest.raises(AssertionError, match="the order differs"):
        chat.says_exactly(MENU, "consent_declined")
    chat.replies = [*chat.replies, chat.replies[-1]]  # the same reply twice is one too many
    with pytest.raises(AssertionError, match=rf"missing \[\]; extra \['{menu_text}'\]"):
        chat.says_exactly("consent_declined", MENU)


def test_a_label_key_renders_through_the_templates() -> None:
    assert label("btn.menu_file") == "📝 Gửi phản ánh, kiến nghị, khiếu nại, tố cáo"
    with pytest.raises(KeyError, match=r"labels\.j2 has no label 'btn\.nope'"):
        label("btn.nope")
