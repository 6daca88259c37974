"""Long HTML messages cut into parts Telegram accepts (bot/channels/telegram/split.py), checked
with the stand-in's own HTML check (tests/botapi_html.py), and a citizen's long summary and
the office's card through the real channel."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.app import App
from bot.channels.telegram import split_text
from bot.config import Settings
from tests.botapi import BotApiStandIn, FakeClock
from tests.botapi_html import check_message, parse_html
from tests.conftest import Clock
from tests.support.labels import label
from tests.support.records import CODE
from tests.support.telegram import Citizen, db_rows, running

OFFICE = "-100777"


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def shown(parts: list[str]) -> str:
    """What a reader sees, all parts together, whitespace aside."""
    return "".join("".join(parse_html(p).split()) for p in parts)


LONG = {
    "escaped tags, no space": html.escape("<b>" * 1000),
    "a bold run, no space": "<b>" + "x" * 5000 + "</b>",
    "italic Vietnamese": "<i>" + "chữ " * 1500 + "</i>",
    "nested, with entities": "<b>Hồ sơ</b>\n<i>" + ("a&amp;b&quot;c " + "đ" * 30) * 200 + "</i>",
    "a pasted URL with &": html.escape("https://x.vn/?" + "&a=1" * 2000),
    "emoji and marks": "<b>" + "👨‍👩‍👧" * 900 + "</b> " + "e\u0301" * 2000,
    "numeric entities": "&#128512;&#x1F600;" * 500,
}


@pytest.mark.parametrize("name", list(LONG))
def test_every_part_is_valid_html_under_the_limit_and_nothing_is_lost(name: str) -> None:
    text = LONG[name]
    assert check_message(text) is not None or units(text) > 4096
    parts = split_text(text)
    assert len(parts) > 1
    assert [check_message(p) for p in parts] == [None] * len(parts)
    assert all(units(p) <= 4096 for p in parts)
    assert shown(parts) == "".join(parse_html(text).split())


_CHARS = [*"ab đặồữ<>&\"'\n", "😀", "👨\u200d👩", "e\u0301", "🇻🇳"]
_LEAF = st.lists(st.sampled_from(_CHARS), max_size=40).map(
    lambda chars: html.escape("".join(chars), quote=False)
)
_OPEN = ["<b>", "<i>", "<u>", "<s>", "<code>", '<a href="https://x.vn/?a=1&amp;b=2">']


def _wrapped(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def close(tag: str, body: list[str]) -> str:
        return tag + "".join(body) + "</" + tag[1:].split(" ")[0].rstrip(">") + ">"

    return st.builds(close, st.sampled_from(_OPEN), st.lists(inner, max_size=3))


# What templates produce: escaped text, tags nested two deep at most.
_HTML = st.one_of(_LEAF, _wrapped(_LEAF), _wrapped(st.one_of(_LEAF, _wrapped(_LEAF))))


@given(st.lists(_HTML, min_size=1, max_size=12), st.integers(120, 400))
def test_any_html_we_render_is_cut_into_valid_parts(pieces: list[str], limit: int) -> None:
    text = "".join(pieces)
    assume(parse_html(text).strip())  # a reply always says something
    parts = split_text(text, limit)
    assert [check_message(p) for p in parts] == [None] * len(parts)
    assert all(units(p) <= limit for p in parts)
    assert shown(parts) == "".join(parse_html(text).split())


def test_a_cut_keeps_emoji_sequences_and_combining_marks_whole() -> None:
    family = "👨‍👩‍👧"
    parts = split_text(family * 1000, limit=100)
    assert all(parse_html(p).replace(family, "") == "" for p in parts)
    marks = split_text("e\u0301" * 300, limit=51)
    assert all(not p.startswith("\u0301") for p in marks)


def test_the_stand_in_refuses_broken_html_as_telegram_does() -> None:
    broken = {
        "x &lt;b&": "Character '&'",
        "lt;b&gt; y": None,  # the other half is valid text, only wrong to read
        "<b>chưa đóng": "Can't find end tag",
        "lạ </b>": "Unexpected end tag",
        "<b><i>sai thứ tự</b></i>": "Unmatched end tag",
        "<p>không hỗ trợ</p>": 'Unsupported start tag "p"',
        "<span>x</span>": "tg-spoiler",
        '<a href="https://x.vn/?a=1&b=2">x</a>': "Character '&'",
        "&nbsp;": "Unsupported HTML entity",
        "<b> </b>": "message text is empty",
    }
    for text, reason in broken.items():
        problem = check_message(text)
        if reason is None:
            assert problem is None, text
        else:
            assert problem is not None, text
            assert reason in problem, (text, problem)
    link = '<a href="https://x.vn/?a=1&amp;b=2">x</a>'
    good = f"<b>Đèn</b> <i>hỏng</i> &lt;b&gt; &amp; &quot; &#39; {link}"
    assert check_message(good) is None
    assert parse_html(good) == "Đèn hỏng <b> & \" ' x"


async def test_a_long_escaped_description_reaches_citizen_and_office_whole(
    standin: BotApiStandIn, settings: Settings, sender_clock: FakeClock, clock: Clock
) -> None:
    """The review's case: `đèn hỏng ` + `<b>` × 660 is under the 2,000 characters allowed,
    and over 6,000 once escaped. The summary (with its Gửi button) and the office's new-record
    card are split, and every part is accepted."""
    description = "đèn hỏng " + "<b>" * 660 + " 😀 &lt; hết"

    async def deliver(update: dict[str, Any]) -> None:
        standin.push(update)

    commune = settings.communes[0]
    offices = tuple(replace(o, chat_id=OFFICE, chat_channel="telegram") for o in commune.offices)
    settings = replace(settings, communes=(replace(commune, offices=offices),))
    app = await App.open(settings)
    app.dispatcher.clock = clock
    try:
        async with running(app, standin, "polling", sender_clock):
            citizen = Citizen(standin, settings, deliver)
            await citizen.send("/start")
            await citizen.press(label("btn.consent_yes"))
            await citizen.press(label("btn.menu_file"))
            await citizen.press(label("kind.phan_anh"))
            await citizen.send(description)
            await citizen.press("Thôn 3")
            await citizen.send_fields(location={"latitude": 20.86, "longitude": 106.68})
            await citizen.press(label("btn.continue"))
            await citizen.press(label("btn.anonymous"))
            await citizen.press(label("btn.publish_no"))
            summary = citizen.last
            assert len(summary) > 1  # split
            assert label("btn.submit") in summary[-1].inline_buttons
            assert "".join(description.split()) in shown([m.text for m in summary])
            await citizen.press(label("btn.submit"))
            assert CODE.search(citizen.text), citizen.text
        assert standin.refused == []
    finally:
        await app.close()
    statuses = db_rows(settings, "SELECT DISTINCT status FROM outbox")
    assert [r["status"] for r in statuses] == ["sent"]
    office = standin.to(OFFICE)
    assert len(office) > 1  # the card, split
    # the card, whole, across its parts
    assert "".join(description.split()) in shown([m.text for m in office])


def test_markup_without_text_never_makes_a_part_or_an_overflow() -> None:
    anchor = '<a href="https://x.vn/?a=1&amp;b=2">'
    text = f"{anchor}</a>{anchor}</a>{anchor}a</a>"  # found by the property above
    parts = split_text(text, limit=120)
    assert [check_message(p) for p in parts] == [None] * len(parts)
    assert all(units(p) <= 120 for p in parts)
    assert shown(parts) == "a"
