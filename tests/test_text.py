"""handlers/text.py: phone numbers through libphonenumber (region VN)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.text import valid_phone


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0321234567", "0321234567"),  # a Viettel mobile of the 2018 renumbering
        ("024 3825 1234", "02438251234"),  # a Hà Nội landline: valid, with its area code
        ("(028) 3829 5555", "02838295555"),  # Thành phố Hồ Chí Minh
        ("0236 382 1234", "02363821234"),  # Đà Nẵng
    ],
)
def test_valid_numbers_are_normalised(typed: str, normalised: str) -> None:
    assert valid_phone(typed) == normalised


@pytest.mark.parametrize(
    "typed",
    [
        "0123456789",  # a retired 012x prefix
        "01234567890",  # the 11-digit mobiles renumbered in 2018
        "0912345",  # too short
        "113",  # an emergency number, not a contact
        "1900 1234",  # a premium-rate line
        "+1 202 555 0143",  # not a Vietnamese number
        "không có",
        "",
    ],
)
def test_invalid_numbers_are_refused(typed: str) -> None:
    assert valid_phone(typed) is None


def test_a_number_inside_a_sentence_is_found() -> None:
    assert valid_phone("sdt cua toi la 0912 345 678 nhe") == "0912345678"
    assert valid_phone("Số bàn: 024 3825 1234, gọi giờ hành chính") == "02438251234"
    assert valid_phone("số cũ 0123456789, số mới 0987 654 321") == "0987654321"


@given(st.text(max_size=300))
def test_any_text_gives_a_normalised_number_or_none(text: str) -> None:
    found = valid_phone(text)
    assert found is None or (found.isdigit() and found.startswith("0") and 10 <= len(found) <= 11)
    if found is not None:
        assert valid_phone(found) == found  # normalising is idempotent
