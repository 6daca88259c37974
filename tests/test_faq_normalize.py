"""Property and example tests for faq.normalize."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faq.normalize import ABBREVIATIONS, fold, normalize

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
vietnamese_text = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ,.?!0123456789", max_size=80)


@given(st.text())
def test_normalize_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(vietnamese_text)
def test_normalize_idempotent_on_vietnamese(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_normalize_output_is_ascii_for_vietnamese_letters_only_when_input_is(text: str) -> None:
    # Normalising a folded text gives the same result as normalising the original.
    assert normalize(fold(text)) == normalize(text)


ascii_words = st.lists(
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8).filter(
        lambda word: word not in ABBREVIATIONS and len(set(word)) == len(word)
    ),
    max_size=8,
)


@given(ascii_words)
def test_fold_and_normalize_agree_on_plain_ascii(words: list[str]) -> None:
    text = " ".join(words)
    assert normalize(text) == fold(text)


def test_expansions_are_fixed_points() -> None:
    for expansion in ABBREVIATIONS.values():
        assert normalize(expansion) == expansion


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đăng ký khai sinh ở đâu?", "dang ky khai sinh o dau"),
        ("ĐĂNG KÝ KẾT HÔN", "dang ky ket hon"),
        ("mình ko bik đk tạm trú ntn", "minh khong biet dang ky tam tru nhu the nao"),
        ("làm cccd cho con đc ko", "lam can cuoc cho con duoc khong"),
        ("sdt ubnd xa la bn", "so dien thoai uy ban xa la bao nhieu"),
        ("đèn đường hỏnggggg!!!", "den duong hong"),
        ("  nhiều   khoảng\ttrắng\n", "nhieu khoang trang"),
        ("giấy tờ gì z", "giay to gi vay"),
        ("Hoà / hòa (NFD: hoa\u0300)", "hoa hoa nfd hoa"),
        ("phí 1000 đồng", "phi 1000 dong"),
        ("", ""),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_fold_keeps_punctuation() -> None:
    assert fold("  Đúng, gửi phản ánh  ") == "dung, gui phan anh"
