"""Button data: every codec round-trips, fits Telegram's 64 bytes, and refuses what is not
its own (a stale or forged button is never taken for another)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.lifecycle import Action
from domain.messages import MAX_BUTTON_DATA_BYTES
from domain.records import Rating
from handlers.callbacks import (
    CommuneButton,
    EditButton,
    FaqButton,
    MenuButton,
    ProgressButton,
    RatingButton,
    RecordButton,
    StepButton,
    SupplementButton,
)

codes = st.from_regex(r"[A-Z]{2,4}-[0-9]{4}-[0-9A-Z]{6}", fullmatch=True)
words = st.from_regex(r"[a-z_]{1,20}", fullmatch=True)
ids = st.integers(min_value=0, max_value=10**12)


def fits(data: str) -> bool:
    return data.isascii() and 0 < len(data.encode("ascii")) <= MAX_BUTTON_DATA_BYTES


@given(ids, st.from_regex(r"[a-z]{1,8}(:[a-z0-9]{1,8})?", fullmatch=True))
def test_step_buttons_round_trip(nonce: int, action: str) -> None:
    data = StepButton(nonce, action).pack()
    assert fits(data)
    assert StepButton.unpack(data) == StepButton(nonce, action)


@given(words, st.one_of(st.just(""), words, codes))
def test_menu_buttons_round_trip(action: str, argument: str) -> None:
    data = MenuButton(action, argument).pack()
    assert fits(data)
    assert data.startswith("m:")
    assert MenuButton.unpack(data) == MenuButton(action, argument)
    assert StepButton.unpack(data) is None  # never taken for a step's button


@given(words, codes)
def test_faq_and_supplement_buttons_are_menu_buttons(entry_id: str, code: str) -> None:
    assert FaqButton(entry_id).pack() == f"m:faq:{entry_id}"
    assert FaqButton.unpack(FaqButton(entry_id).pack()) == FaqButton(entry_id)
    assert SupplementButton(code).pack() == f"m:bosung:{code}"
    assert SupplementButton.unpack(SupplementButton(code).pack()) == SupplementButton(code)
    assert FaqButton.unpack(SupplementButton(code).pack()) is None


@given(codes, st.sampled_from(list(Rating)))
def test_rating_buttons_round_trip(code: str, rating: Rating) -> None:
    data = RatingButton(code, rating).pack()
    assert fits(data)
    assert RatingButton.unpack(data) == RatingButton(code, rating)


@given(codes, st.sampled_from(list(Action)), ids)
def test_record_buttons_round_trip(code: str, action: Action, version: int) -> None:
    data = RecordButton(code, action, version).pack()
    assert fits(data)
    assert RecordButton.unpack(data) == RecordButton(code, action, version)


@given(ids, ids)
def test_progress_buttons_round_trip(first: int, last: int) -> None:
    data = ProgressButton(first, last).pack()
    assert fits(data)
    assert ProgressButton.unpack(data) == ProgressButton(first, last)


@given(st.from_regex(r"[A-Z]{2,4}", fullmatch=True), words)
def test_step_actions_round_trip(commune: str, target: str) -> None:
    assert CommuneButton.unpack(CommuneButton(commune).pack()) == CommuneButton(commune)
    assert EditButton.unpack(EditButton(target).pack()) == EditButton(target)


def test_the_wire_format_of_sent_buttons_is_kept() -> None:
    assert StepButton(7, "kind:pa").pack() == "7:kind:pa"
    assert MenuButton("file").pack() == "m:file"
    assert RatingButton("CG-2611-7KQ3XD", Rating.VERY_SATISFIED).pack() == "v:CG-2611-7KQ3XD:vs"
    assert RatingButton("CG-2611-7KQ3XD", Rating.SATISFIED).pack() == "v:CG-2611-7KQ3XD:s"
    assert RatingButton("CG-2611-7KQ3XD", Rating.UNSATISFIED).pack() == "v:CG-2611-7KQ3XD:u"
    assert RecordButton("CG-2611-7KQ3XD", Action.COMPLETE, 3).pack() == "r:CG-2611-7KQ3XD:done:3"
    assert ProgressButton(10, 12).pack() == "p:10:12"
    assert CommuneButton("CG").pack() == "c:CG"
    assert EditButton("desc").pack() == "e:desc"


@pytest.mark.parametrize(
    ("unpack", "data"),
    [
        (StepButton.unpack, "7"),
        (StepButton.unpack, "x:kind"),
        (StepButton.unpack, "07:kind"),
        (StepButton.unpack, "²:kind"),
        (MenuButton.unpack, "7:m"),
        (RatingButton.unpack, "v:CG-2611-7KQ3XD:great"),
        (RatingButton.unpack, "r:CG-2611-7KQ3XD:vs"),
        (RecordButton.unpack, "r:CG-2611-7KQ3XD:fly:1"),
        (RecordButton.unpack, "v:CG-2611-7KQ3XD:take:1"),
        (ProgressButton.unpack, "p:1"),
        (ProgressButton.unpack, "p:a:b"),
        (CommuneButton.unpack, "e:CG"),
        (EditButton.unpack, "c:kind"),
    ],
)
def test_data_of_another_format_is_refused(unpack: Callable[[str], object], data: str) -> None:
    assert unpack(data) is None


def test_data_over_64_bytes_is_refused_when_packed() -> None:
    with pytest.raises(ValueError, match="64"):
        MenuButton("faq", "x" * 60).pack()
    with pytest.raises(ValueError, match="ASCII"):
        CommuneButton("XÃ").pack()
