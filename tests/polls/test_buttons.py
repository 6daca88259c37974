"""The poll buttons' codecs (handlers/callbacks.py): global menu buttons, round trip, and
forged data read as no button."""

from __future__ import annotations

import pytest

from handlers.callbacks import MAX_NUMBER, MenuButton, PollButton, PollCommentButton


@pytest.mark.parametrize("button", [PollButton(1), PollButton(7, 0), PollButton(MAX_NUMBER, 9)])
def test_poll_buttons_round_trip_as_menu_buttons(button: PollButton) -> None:
    data = button.pack()
    assert MenuButton.is_menu(data)
    assert PollButton.unpack(data) == button
    assert len(data) <= 64


def test_a_comment_button_round_trips() -> None:
    data = PollCommentButton(42).pack()
    assert data == "m:ykien:42"
    assert PollCommentButton.unpack(data) == PollCommentButton(42)


@pytest.mark.parametrize(
    "data", ["m:laykien:x", "m:laykien:1:", "m:laykien:1:-1", "m:laykien:01", "m:faq:1", "v:1"]
)
def test_forged_poll_data_is_no_button(data: str) -> None:
    assert PollButton.unpack(data) is None


@pytest.mark.parametrize(
    "data", ["m:ykien", "m:ykien:", "m:ykien:-1", "m:ykien:1:2", "m:laykien:1"]
)
def test_forged_comment_data_is_no_button(data: str) -> None:
    assert PollCommentButton.unpack(data) is None


def test_the_list_button_has_no_argument() -> None:
    assert MenuButton("laykien").pack() == "m:laykien"
    assert PollButton.of_argument("") is None
